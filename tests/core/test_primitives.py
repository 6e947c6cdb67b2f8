"""@primitive: a user's op works wherever the table's ops work, with the table's numbers."""
from __future__ import annotations

import copy
import inspect
import math
import pickle
import pydoc

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autograd_mini import (DomainError, FloatOverflowError, NonFiniteGradientError, Value, grad,
                           hessian, jacobian, jvp, no_grad, primitive, value_and_grad)
from primitive_examples import (hypot, leaky, log_no_domain, logistic, my_erf, my_exp, root,
                                square, times)

moderate = st.floats(-4.0, 4.0, allow_nan=False)
positive = st.floats(0.05, 4.0)


def _close(a: float, b: float, scale: float = 1.0) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(scale), abs(a), abs(b))


def _central(f, x: float, h: float) -> float:
    return (f(x + h) - f(x - h)) / (2 * h)


# -- numbers in, numbers out; Values in, nodes out ----------------------------------
def test_numbers_give_a_float_and_values_give_a_node_named_after_the_function() -> None:
    assert logistic(0.0) == 0.5 and type(logistic(0)) is float
    y = logistic(Value(0.0))
    assert isinstance(y, Value) and y.op == "logistic" and y.data == 0.5
    assert times(2.0, 3.0) == 6.0
    for node in (times(Value(2.0), Value(3.0)), times(Value(2.0), 3.0), times(2.0, Value(3.0))):
        assert node.op == "times" and node.data == 6.0


def test_a_number_on_either_side_is_kept_on_the_node_and_gets_no_gradient() -> None:
    x = Value(2.0)
    right, left = times(x, 3.0), times(5.0, x)
    assert (right.constant, left.constant) == (3.0, 5.0)
    (right + left).backward()
    assert x.grad == 8.0


def test_a_primitive_reads_as_the_users_function() -> None:
    assert logistic.__name__ == "logistic" and "lecture's sigmoid" in logistic.__doc__
    assert str(inspect.signature(logistic)) == "(x: 'float') -> 'float'"
    assert "lecture's sigmoid" in pydoc.render_doc(logistic)


# -- first derivatives: the table's bit for bit, and finite differences -----------------
@given(moderate)
def test_a_primitive_written_as_a_row_is_that_row_bit_for_bit(x: float) -> None:
    a, b = Value(x), Value(x)
    mine, table = my_exp(a) * a, b.exp() * b
    mine.backward()
    table.backward()
    assert (mine.data, a.grad) == (table.data, b.grad)
    second = grad(grad(lambda v: my_exp(v) * v))(x)
    assert second == grad(grad(lambda v: v.exp() * v))(x)


@given(moderate, moderate)
def test_two_operands_as_the_operator_bit_for_bit(x: float, y: float) -> None:
    assert value_and_grad(lambda a, b: times(a, b) * a, (0, 1))(x, y) == \
        value_and_grad(lambda a, b: a * b * a, (0, 1))(x, y)


@pytest.mark.parametrize("f, points", [
    (lambda v: logistic(v * 1.5), moderate), (lambda v: root(v) * v, positive),
    (lambda v: my_erf(v) * my_erf(v), moderate), (lambda v: hypot(v, 0.5) * v, moderate),
    (lambda v: hypot(1.5, v + 1.0), moderate), (lambda v: hypot(v, v * v + 0.2), moderate)])
@given(data=st.data())
def test_first_derivatives_agree_with_finite_differences(f, points, data) -> None:
    x = data.draw(points)
    analytic = grad(f)(x)
    numeric = _central(f, x, 1e-6)  # on floats: a primitive takes numbers too
    assert _close(analytic, numeric, f(x)), (x, analytic, numeric)


# -- higher orders: the slopes evaluated on Values -----------------------------------------
@pytest.mark.parametrize("f, points", [
    (lambda v: logistic(v), moderate), (lambda v: my_erf(v) * v, moderate),
    (lambda v: root(v), positive), (lambda v: hypot(v, 0.7), moderate)])
@given(data=st.data())
def test_second_derivatives_agree_with_finite_differences_of_the_first(f, points, data) -> None:
    x = data.draw(points)
    first = grad(f)
    second = grad(grad(f))(x)
    numeric = _central(first, x, 1e-5)
    assert _close(second, numeric, first(x)), (x, second, numeric)


def test_second_derivatives_in_closed_form() -> None:
    s = logistic(0.3)
    assert grad(grad(logistic))(0.3) == pytest.approx(s * (1 - s) * (1 - 2 * s), rel=1e-15)
    assert hessian(lambda a, b: times(a, b) * times(a, a), (0, 1))(1.0, 2.0) == \
        ((12.0, 3.0), (3.0, 0.0))
    assert grad(grad(grad(my_erf)))(0.4) == pytest.approx(
        2 / math.sqrt(math.pi) * math.exp(-0.16) * (4 * 0.16 - 2), rel=1e-14)


def test_forward_mode_uses_the_same_slopes() -> None:
    assert jvp(logistic, (0.3,), (2.0,)) == (logistic(0.3), 2.0 * grad(logistic)(0.3))
    # by argument: d[times, hypot]/da, then d/db
    assert jacobian(lambda a, b: [times(a, b), hypot(a, b)], (0, 1))(3.0, 4.0) == \
        ([4.0, 0.6], [3.0, 0.8])


# -- errors: named, typed, at the first moment they can be seen ---------------------------
def test_a_domain_gives_the_tables_named_domain_error() -> None:
    with pytest.raises(DomainError, match=r"root\(-1.0\): outside root's domain; clamp the input") \
            as caught:
        root(Value(-1.0))
    assert (caught.value.op, caught.value.values, caught.value.hint) == ("root", (-1.0,),
                                                                         "clamp the input")
    with pytest.raises(DomainError):
        root(-1.0)  # numbers too


def test_maths_own_refusal_is_a_domain_error_naming_the_primitive() -> None:
    with pytest.raises(DomainError, match=r"log_no_domain\(-2.0\): outside log_no_domain's"):
        log_no_domain(Value(-2.0))


def test_an_overflowing_result_is_a_float_overflow_error() -> None:
    with pytest.raises(FloatOverflowError, match=r"square\(1e\+200\) overflows a float") as caught:
        square(Value(1e200))
    assert caught.value.op == "square"
    with pytest.raises(FloatOverflowError):
        my_exp(1000.0)  # math's OverflowError


def test_an_infinite_or_undefined_slope_is_named_at_backward() -> None:
    y = root(Value(0.0))  # 0.5 / 0: undefined there
    with pytest.raises(NonFiniteGradientError, match="root"):
        y.backward()
    x = Value(0.0)
    root(x).backward(allow_nonfinite=True)
    assert math.isnan(x.grad)


def test_an_infinite_slope_is_named_and_allowed_as_ieee_gives_it() -> None:
    @primitive(slope=lambda x, out: 0.5 / out if out > 0 else math.inf)
    def ieee_root(x):
        return math.sqrt(x)

    with pytest.raises(NonFiniteGradientError, match="'ieee_root' node.*infinite slope"):
        ieee_root(Value(0.0)).backward()
    x = Value(0.0)
    ieee_root(x).backward(allow_nonfinite=True)
    assert x.grad == math.inf


def test_a_result_or_slope_that_is_no_number_is_a_type_error_naming_the_primitive() -> None:
    @primitive(slope=lambda x, out: None)
    def no_slope(x):
        return x

    @primitive(slope=lambda x, out: 1.0)
    def no_value(x):
        return "x"

    with pytest.raises(TypeError, match="primitive no_slope's slope returned NoneType None"):
        no_slope(Value(1.0))
    with pytest.raises(TypeError, match="primitive no_value returned str 'x'"):
        no_value(1.0)


@pytest.mark.parametrize("make, message", [
    (lambda: primitive(slope=lambda x: 1.0)(lambda x: x), r"slope must take 2 parameters \(x, out\)"),
    (lambda: primitive(slopes=(lambda x, y, out: 1.0, lambda x, out: 1.0))(lambda x, y: x),
     r"slopes\[1\] must take 3 parameters \(x, y, out\)"),
    (lambda: primitive(slope=lambda x, out: 1.0)(lambda x, y: x), "must take 1 operand"),
    (lambda: primitive(slopes=(lambda x, y, out: 1.0,))(lambda x: x), "slopes= takes two"),
    (lambda: primitive(lambda x, out: 1.0, slopes=(abs, abs)), "not both"),
    (lambda: primitive(), "needs slope="),
    (lambda: primitive(slope=2.0)(lambda x: x), "slope must be a function"),
    (lambda: primitive(slope=lambda x, out: 1.0)(3.0), "decorates a function"),
    (lambda: primitive(slope=lambda x, out: 1.0, domain=lambda: True)(lambda x: x),
     "domain must take 1 operand"),
    (lambda: primitive(slope=lambda x, out: 1.0, hint=3)(lambda x: x), "hint= takes a str"),
])
def test_a_wrong_slope_is_a_type_error_at_decoration(make, message) -> None:
    with pytest.raises(TypeError, match=message):
        make()


def test_a_call_with_the_wrong_number_of_operands_says_how_many() -> None:
    with pytest.raises(TypeError, match=r"times\(\) takes 2 operands"):
        times(Value(1.0))
    with pytest.raises(TypeError, match=r"logistic\(\) takes a real number, got str"):
        logistic("1")


# -- no_grad, pickle, deepcopy -------------------------------------------------------------
def test_under_no_grad_a_primitive_records_nothing() -> None:
    x = Value(0.3)
    with no_grad():
        y = logistic(x)
    assert y.parents == () and y.data == logistic(0.3)


@pytest.mark.parametrize("copy_it", [lambda v: pickle.loads(pickle.dumps(v)), copy.deepcopy])
def test_a_graph_through_primitives_copies_and_still_differentiates(copy_it) -> None:
    a, b = Value(0.3, label="a"), Value(-1.2, label="b")
    y = logistic(times(a, b) + times(a, 3.0) + times(2.0, b))
    twin = copy_it(y)
    y.backward()
    twin.backward()
    leaves = {v.label: v for v in _leaves(twin)}
    assert (twin.data, leaves["a"].grad, leaves["b"].grad) == (y.data, a.grad, b.grad)
    assert twin.op == "logistic"


def test_a_primitive_pickle_cannot_find_by_name_is_refused_when_pickling() -> None:
    @primitive(slope=lambda x, out: 1.0)
    def local(x):
        return x

    y = local(Value(1.0))
    with pytest.raises(TypeError, match=r"primitive test_a_primitive.*<locals>.local cannot be "
                                        r"pickled.*top level of a module"):
        pickle.dumps(y)
    assert copy.deepcopy(y).op == "local"  # a copy in memory needs no name


def test_the_primitive_itself_pickles_by_name() -> None:
    assert pickle.loads(pickle.dumps(logistic)) is logistic
    assert copy.deepcopy(logistic) is logistic


# -- does a slope choose? (compile_graph refuses gradient graphs a choice reached) -------
def test_straight_line_slopes_do_not_choose_and_branching_ones_do() -> None:
    from autograd_mini.primitives import definition

    def chooses(p) -> bool:
        return any(op.branches for op in definition(p).ops.values())

    assert not any(map(chooses, (logistic, my_exp, times, root, hypot, my_erf)))
    assert chooses(leaky)
    for slope in (lambda x, out: max(x, 0.0), lambda x, out: float(x.data > 0),
                  lambda x, out: _helper(x)):
        assert chooses(primitive(slope=slope)(lambda x: x))


def _helper(x):
    return x


def _leaves(root: Value) -> list[Value]:
    seen, stack, found = set(), [root], []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        found += [node] if not node.parents else []
        stack.extend(node.parents)
    return found
