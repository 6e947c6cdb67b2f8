"""Every op's value and local derivative against `math`, including both sides of each
domain edge, and the higher-order rules against the float derivatives."""
from __future__ import annotations

import math

import pytest

from autograd_mini import Value

# Points on both sides of 0 and far out, where naive formulas lose digits.
REALS = [-800.0, -30.0, -10.0, -3.0, -1.0, -0.5, -1e-9, -1e-300, 0.0, 1e-300, 1e-9,
         0.25, 0.5, 1.0, 2.0, 3.0, 10.0, 30.0, 800.0]
POSITIVES = [1e-300, 1e-9, 1e-3, 0.5, 1.0, 2.0, 1e3, 1e300]


def _sech2(x: float) -> float:
    """sech(x)^2 written with cosh, independent of the engine's formula."""
    return 0.0 if abs(x) > 350 else 1.0 / math.cosh(x) ** 2


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0


# op name -> (apply to a Value, value from math, derivative from math, points)
UNARY = {
    "neg": (lambda v: -v, lambda x: -x, lambda x: -1.0, REALS),
    "abs": (abs, abs, lambda x: math.copysign(1.0, x) if x else 0.0, REALS),
    "exp": (lambda v: v.exp(), math.exp, math.exp, [x for x in REALS if x < 700]),
    "log": (lambda v: v.log(), math.log, lambda x: 1.0 / x, POSITIVES),
    "tanh": (lambda v: v.tanh(), math.tanh, _sech2, REALS),
    "sigmoid": (lambda v: v.sigmoid(), _sigmoid,
                lambda x: _sigmoid(x) * _sigmoid(-x), REALS),
    "relu": (lambda v: v.relu(), lambda x: max(x, 0.0), lambda x: 1.0 if x > 0 else 0.0, REALS),
    "leaky_relu": (lambda v: v.leaky_relu(), lambda x: x if x > 0 else 0.01 * x,
                   lambda x: 1.0 if x > 0 else 0.01, REALS),
    "leaky_relu(0.2)": (lambda v: v.leaky_relu(0.2), lambda x: x if x > 0 else 0.2 * x,
                        lambda x: 1.0 if x > 0 else 0.2, REALS),
    "sin": (lambda v: v.sin(), math.sin, math.cos, REALS),
    "cos": (lambda v: v.cos(), math.cos, lambda x: -math.sin(x), REALS),
    "sqrt": (lambda v: v.sqrt(), math.sqrt, lambda x: 0.5 / math.sqrt(x), POSITIVES),
    "square": (lambda v: v ** 2, lambda x: x * x, lambda x: 2 * x, REALS[1:-1]),
    "cube": (lambda v: v ** 3, lambda x: x ** 3, lambda x: 3 * x * x, REALS[2:-2]),
    "reciprocal": (lambda v: v ** -1, lambda x: 1 / x, lambda x: -1 / (x * x),
                   [x for x in REALS if abs(x) > 1e-100]),
    "pow 1.5": (lambda v: v ** 1.5, lambda x: x ** 1.5, lambda x: 1.5 * math.sqrt(x),
                POSITIVES[:-1]),
    "pow 0": (lambda v: v ** 0, lambda x: 1.0, lambda x: 0.0, REALS),
    "2 ** x": (lambda v: 2 ** v, lambda x: 2.0 ** x, lambda x: 2.0 ** x * math.log(2),
               [x for x in REALS if abs(x) < 700]),
    "0.5 ** x": (lambda v: 0.5 ** v, lambda x: 0.5 ** x,
                 lambda x: 0.5 ** x * math.log(0.5), [x for x in REALS if abs(x) < 700]),
    "x + 3": (lambda v: v + 3, lambda x: x + 3, lambda x: 1.0, REALS),
    "3 + x": (lambda v: 3 + v, lambda x: 3 + x, lambda x: 1.0, REALS),
    "x - 3": (lambda v: v - 3, lambda x: x - 3, lambda x: 1.0, REALS),
    "3 - x": (lambda v: 3 - v, lambda x: 3 - x, lambda x: -1.0, REALS),
    "x * 3": (lambda v: v * 3, lambda x: x * 3, lambda x: 3.0, REALS),
    "3 * x": (lambda v: 3 * v, lambda x: 3 * x, lambda x: 3.0, REALS),
    "x / 4": (lambda v: v / 4, lambda x: x / 4, lambda x: 0.25, REALS),
    "3 / x": (lambda v: 3 / v, lambda x: 3 / x, lambda x: -3 / (x * x),
              [x for x in REALS if abs(x) > 1e-100]),
}

CASES = [(name, x) for name, (_, _, _, points) in UNARY.items() for x in points]


@pytest.mark.parametrize("name, x", CASES)
def test_unary_op_value_and_derivative_match_math(name: str, x: float) -> None:
    apply, value, derivative, _ = UNARY[name]
    leaf = Value(x)
    out = apply(leaf)
    out.backward()
    assert out.data == pytest.approx(value(x), rel=1e-15, abs=0)
    assert leaf.grad == pytest.approx(derivative(x), rel=1e-13, abs=1e-300)
    assert isinstance(out.data, float) and isinstance(leaf.grad, float)


def test_sqrt_at_zero_has_a_vertical_tangent_given_when_asked_for() -> None:
    x = Value(0.0)
    y = x.sqrt()
    y.backward(allow_nonfinite=True)
    assert y.data == 0.0 and x.grad == math.inf


def test_fractional_power_at_zero_has_a_vertical_tangent_given_when_asked_for() -> None:
    x = Value(0.0)
    (x ** 0.5).backward(allow_nonfinite=True)
    assert x.grad == math.inf


def test_kinks_take_the_derivative_of_the_right_side_as_zero() -> None:
    # relu'(0) = 0 and |x|'(0) = 0, as PyTorch.
    for apply in (lambda v: v.relu(), abs):
        x = Value(0.0)
        apply(x).backward()
        assert x.grad == 0.0


BINARY = {
    "+": (lambda a, b: a + b, lambda a, b: (1.0, 1.0)),
    "-": (lambda a, b: a - b, lambda a, b: (1.0, -1.0)),
    "*": (lambda a, b: a * b, lambda a, b: (b, a)),
    "/": (lambda a, b: a / b, lambda a, b: (1 / b, -a / (b * b))),
    "**": (lambda a, b: a ** b, lambda a, b: (b * a ** (b - 1), a ** b * math.log(a))),
}
PAIRS = [(1.5, 2.0), (0.3, -1.7), (2.0, 0.5), (7.0, 3.0), (1e-3, 4.0), (5.0, -2.0)]


@pytest.mark.parametrize("op", BINARY)
@pytest.mark.parametrize("a, b", PAIRS)
def test_binary_op_value_and_partials_match_math(op: str, a: float, b: float) -> None:
    apply, partials = BINARY[op]
    x, y = Value(a), Value(b)
    out = apply(x, y)
    out.backward()
    assert out.op == op and out.parents == (x, y)
    assert out.data == pytest.approx(apply(a, b), rel=1e-15)
    assert (x.grad, y.grad) == pytest.approx(partials(a, b), rel=1e-13)


def test_zero_base_to_a_value_power_is_flat_in_the_exponent() -> None:
    a, b = Value(0.0), Value(2.0)
    (a ** b).backward()
    assert (a.grad, b.grad) == (0.0, 0.0)


def test_a_node_used_twice_in_one_op_gets_both_edges() -> None:
    a = Value(3.0)
    square = a * a
    assert square.parents == (a, a)
    square.backward()
    assert a.grad == 6.0


def test_every_result_is_a_float_even_from_int_inputs() -> None:
    out = Value(3) * 2 + 1
    out.backward()
    assert type(out.data) is float and type(out.grad) is float


# The higher-order rules must agree with the float derivatives everywhere they run.
@pytest.mark.parametrize("name, x", [(n, x) for n, x in CASES
                                     if abs(x) < 700 and x != 0.0 and abs(x) > 1e-200])
def test_higher_order_rule_gives_the_same_local_derivatives(name: str, x: float) -> None:
    out = UNARY[name][0](Value(x))
    symbolic = out.local_grads_fn(out, *out.parents)
    as_floats = tuple(d.data if isinstance(d, Value) else d for d in symbolic)
    assert as_floats == pytest.approx(out.local_grads, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("op", BINARY)
@pytest.mark.parametrize("a, b", PAIRS)
def test_higher_order_rule_of_binary_ops_matches(op: str, a: float, b: float) -> None:
    out = BINARY[op][0](Value(a), Value(b))
    symbolic = out.local_grads_fn(out, *out.parents)
    as_floats = tuple(d.data if isinstance(d, Value) else d for d in symbolic)
    assert as_floats == pytest.approx(out.local_grads, rel=1e-12)


def test_repr_shows_data_grad_label_and_op() -> None:
    a = Value(2.0, label="a")
    assert repr(a) == "Value(data=2.0, grad=0.0, label='a')"
    b = a * 3
    b.backward()
    assert repr(b) == "Value(data=6.0, grad=1.0, op='*')"
    assert repr(a) == "Value(data=2.0, grad=3.0, label='a')"


def test_leaf_has_no_op_and_no_parents() -> None:
    a = Value(1.0)
    assert a.op == "" and a.parents == () and a.local_grads == ()


def test_data_is_assignable_and_item_reads_it() -> None:
    a = Value(1.0)
    a.data = 4.5
    assert a.item() == 4.5 and a.sqrt().data == math.sqrt(4.5)
