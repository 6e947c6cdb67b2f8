"""No silent inf or NaN gradient: backward, grad and value_and_grad name the node where a
gradient first stopped being finite, and why, unless the caller opts out; the
create_graph pass fails exactly where the float pass does, with the same message."""
from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_mini import NonFiniteGradientError, Value, grad, hessian, jvp, value_and_grad


def test_sqrt_at_zero_names_the_infinite_slope() -> None:
    x = Value(0.0, label="x")
    y = x.sqrt()
    y.label = "root"
    with pytest.raises(ValueError, match=r"'sqrt' node 'root' \(value 0\.0\): sqrt at 0\.0 has an "
                                         r"infinite slope.*allow_nonfinite=True"):
        y.backward()
    assert x.grad == 0.0 and y.grad == 0.0


def test_reciprocal_of_a_tiny_number_has_a_slope_beyond_a_float() -> None:
    x = Value(1e-200)
    with pytest.raises(ValueError, match=r"'/' node \(value 1e\+200\): / at 1e-200 has an infinite"):
        (1 / x).backward()


def test_an_infinite_slope_times_a_zero_gradient_is_refused_not_nan() -> None:
    x = Value(0.0)
    with pytest.raises(ValueError, match="sqrt at 0.0 has an infinite slope"):
        (x.sqrt() * 0).backward()


def test_a_gradient_product_that_overflows_names_the_node() -> None:
    big, tiny = Value(1e300, label="big"), Value(1e-300, label="tiny")
    out = (big * tiny) * 1e10  # every value finite; d(out)/d(tiny) = 1e310
    with pytest.raises(ValueError, match=r"overflowed at '\*' node \(value 1\.0\).*1e\+300"):
        out.backward()


def test_gradients_adding_up_beyond_a_float_name_the_node() -> None:
    x = Value(1.0, label="x")
    out = x * 1e308 + (x - 1) * 1e308  # the value is 1e308; each path gives x 1e308
    with pytest.raises(ValueError, match=r"gradient of the leaf 'x' \(value 1\.0\) overflowed"):
        out.backward()


def test_deep_products_whose_gradient_overflows_are_refused() -> None:
    x = Value(1e-10, label="x")
    out = x
    for _ in range(40):
        out = out * 1e10 * 1e-10  # the value stays 1e-10; each factor is exactly the pair
    scaled = out * 1e300 * 1e10  # d/dx is 1e310 while every value is finite
    with pytest.raises(ValueError, match="overflowed"):
        scaled.backward()


def test_allow_nonfinite_gives_ieee_results_instead() -> None:
    x = Value(0.0)
    (x.sqrt() * 0).backward(allow_nonfinite=True)
    assert math.isnan(x.grad)


def test_a_nonfinite_seed_is_refused() -> None:
    x = Value(1.0)
    for seed in (math.nan, math.inf, -math.inf):
        with pytest.raises(ValueError, match=r"backward\(grad=.*\): the seed gradient must be finite"):
            x.exp().backward(seed)
        with pytest.raises(ValueError, match="seed gradient must be finite"):
            x.exp().backward(Value(seed, allow_nonfinite=True), create_graph=True)
    assert x.grad == 0.0


def test_grad_and_value_and_grad_refuse_a_nonfinite_derivative() -> None:
    with pytest.raises(ValueError, match="sqrt at 0.0 has an infinite slope"):
        grad(lambda x: x.sqrt())(0.0)
    with pytest.raises(ValueError, match="sqrt at 0.0 has an infinite slope"):
        value_and_grad(lambda x, y: x.sqrt() * y, argnums=(0, 1))(0.0, 2.0)
    assert grad(lambda x: x.sqrt(), allow_nonfinite=True)(0.0) == math.inf


def test_nested_grad_refuses_where_the_second_derivative_is_infinite() -> None:
    # d/dx x**1.5 = 1.5 x**0.5, whose slope at 0 is infinite.
    assert grad(lambda x: x ** 1.5)(0.0) == 0.0
    with pytest.raises(ValueError, match=r"\*\* at 0\.0 has an infinite slope"):
        grad(grad(lambda x: x ** 1.5))(0.0)


def test_a_nonfinite_gradient_into_an_input_of_grad_is_caught() -> None:
    # The derivative reaches the input directly, without passing a leaf of the graph.
    with pytest.raises(ValueError, match="overflowed"):
        grad(lambda x: x * 1e300 * 1e10)(1e-300)


def test_create_graph_fails_where_the_float_pass_fails_with_the_same_message() -> None:
    def message(create_graph: bool) -> str:
        x = Value(0.0)
        with pytest.raises(ValueError) as caught:
            (x.sqrt() + x).backward(create_graph=create_graph)
        return str(caught.value)

    assert message(create_graph=True) == message(create_graph=False)


def test_value_to_a_value_power_at_zero_names_the_power_not_a_division() -> None:
    with pytest.raises(ValueError, match=r"\*\* at \(0\.0, 0\.5\) has an infinite slope"):
        (Value(0.0) ** Value(0.5)).backward(create_graph=True)


def test_create_graph_with_an_allowed_infinite_slope_gives_a_value_inf() -> None:
    x = Value(0.0)
    x.sqrt().backward(create_graph=True, allow_nonfinite=True)
    assert isinstance(x.grad, Value) and x.grad.data == math.inf


# -- allowed, every order is IEEE's: d2/dx2 where d/dx is infinite ------------------
# IEEE arithmetic over the true second derivative, as PyTorch gives it; 0.0 while an
# allowed infinite slope entered create_graph as a constant, its derivative lost.
ALLOWED = {"allow_nonfinite": True}
AT_AN_INFINITE_SLOPE = [
    pytest.param(lambda x: x.sqrt(), 0.0, -math.inf, id="sqrt at 0: -x^(-3/2)/4"),
    pytest.param(lambda x: x ** 0.5, 0.0, -math.inf, id="x**0.5 at 0: -x^(-3/2)/4"),
    pytest.param(lambda x: x.log(), 5e-324, -math.inf, id="log at 5e-324: -1/x^2"),
    pytest.param(lambda x: 1 / x, 1e-200, math.inf, id="1/x at 1e-200: 2/x^3"),
]


@pytest.mark.parametrize("f, x, second", AT_AN_INFINITE_SLOPE)
def test_allowed_second_derivative_where_the_first_is_infinite_is_ieee(f, x, second) -> None:
    assert grad(grad(f, **ALLOWED), **ALLOWED)(x) == second
    assert hessian(f, **ALLOWED)(x) == second


@pytest.mark.parametrize("f, x, second", AT_AN_INFINITE_SLOPE)
def test_allowed_second_derivative_by_backward_twice_is_ieee(f, x, second) -> None:
    leaf = Value(x)
    f(leaf).backward(create_graph=True, allow_nonfinite=True)
    first, leaf.grad = leaf.grad, 0.0
    first.backward(allow_nonfinite=True)
    assert leaf.grad == second


@pytest.mark.parametrize("f, x, second", AT_AN_INFINITE_SLOPE)
def test_without_allow_nonfinite_that_second_derivative_is_refused(f, x, second) -> None:
    with pytest.raises(NonFiniteGradientError):
        grad(grad(f))(x)
    with pytest.raises(NonFiniteGradientError):
        hessian(f)(x)


@pytest.mark.parametrize("f, x, second", AT_AN_INFINITE_SLOPE)
def test_a_pass_that_does_not_allow_it_refuses_the_infinite_second_derivative(f, x, second):
    with pytest.raises(NonFiniteGradientError):  # was a silent 0.0
        grad(grad(f, **ALLOWED))(x)


def test_allowed_third_derivatives_there_are_ieee_too() -> None:
    def third(f):
        return grad(grad(grad(f, **ALLOWED), **ALLOWED), **ALLOWED)
    assert third(lambda x: x.sqrt())(0.0) == math.inf  # 3/8 x^(-5/2)
    assert third(lambda x: x.log())(5e-324) == math.inf  # 2/x^3
    assert third(lambda x: 1 / x)(1e-200) == -math.inf  # -6/x^4


def test_allowed_nested_jvp_at_an_infinite_slope_is_ieee() -> None:
    def tangent(x):
        return jvp(lambda t: t.sqrt(), (x,), (1.0,), **ALLOWED)[1]
    assert grad(tangent, **ALLOWED)(0.0) == -math.inf
    assert jvp(grad(lambda t: t.sqrt(), **ALLOWED), (0.0,), (1.0,), **ALLOWED) == \
        (math.inf, -math.inf)


def test_an_infinite_slope_keeps_the_derivatives_of_the_other_slope() -> None:
    x, y = Value(math.inf, allow_nonfinite=True), Value(2.0)
    (x * y).backward(create_graph=True, allow_nonfinite=True)
    dx = x.grad  # y, though the slope for y, x, is infinite
    x.grad = y.grad = 0.0
    dx.backward(allow_nonfinite=True)
    assert y.grad == 1.0  # d2(xy)/dxdy


# Every op at the edges of its domain and of the float range: wherever the float pass
# succeeds the create_graph pass gives the same numbers, and wherever it fails the
# create_graph pass fails with the same message.
EDGES = [0.0, -0.0, 5e-324, -5e-324, 1e-300, 1e-200, 1e-8, 0.5, 1.0, -1.0, 2.0, 30.0,
         -30.0, 700.0, -745.0, 1e154, 1e300, -1e300]
UNARY = {
    "exp": Value.exp, "log": Value.log, "tanh": Value.tanh, "sigmoid": Value.sigmoid,
    "relu": Value.relu, "leaky_relu": Value.leaky_relu, "sin": Value.sin, "cos": Value.cos,
    "sqrt": Value.sqrt, "abs": abs, "neg": lambda v: -v, "square": lambda v: v ** 2,
    "root": lambda v: v ** 0.5, "inverse": lambda v: v ** -1, "cube": lambda v: v ** 3,
    "reciprocal": lambda v: 1 / v, "two_to": lambda v: 2 ** v, "over_3": lambda v: v / 3,
    "times_1e300": lambda v: v * 1e300,
    "clamp": lambda v: v.clamp(-1.0, 1e300) * 1e300,
}
BINARY = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: a / b, "**": lambda a, b: a ** b,
    "maximum": lambda a, b: a.maximum(b) * 1e300, "minimum": lambda a, b: a.minimum(b) / 5e-324,
}


def _outcome(build, points: list[float], create_graph: bool):
    """('ok', gradients) or ('error', message), or None when the forward pass is refused."""
    leaves = [Value(p) for p in points]
    try:
        out = build(*leaves)
    except ValueError:
        return None
    try:
        out.backward(create_graph=create_graph)
    except ValueError as error:
        return ("error", str(error).replace("backward(create_graph=True) through", "backward"))
    return ("ok", [leaf.grad.data if create_graph else leaf.grad for leaf in leaves])


def _same(first, second) -> bool:
    if first[0] != second[0]:
        return False
    if first[0] == "error":
        return first[1] == second[1]
    return all(a == b or (a != a and b != b) for a, b in zip(first[1], second[1]))


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_create_graph_agrees_with_the_float_pass_at_every_edge(name: str) -> None:
    for x in EDGES:
        floats = _outcome(UNARY[name], [x], create_graph=False)
        if floats is not None:
            assert _same(floats, _outcome(UNARY[name], [x], create_graph=True)), (name, x)


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_create_graph_agrees_with_the_float_pass_at_every_edge(name: str) -> None:
    for a in EDGES:
        for b in EDGES[::3]:
            floats = _outcome(BINARY[name], [a, b], create_graph=False)
            if floats is not None:
                assert _same(floats, _outcome(BINARY[name], [a, b], create_graph=True)), (name, a, b)


@given(st.sampled_from(sorted(UNARY)), st.floats(allow_nan=False, allow_infinity=False))
def test_unary_create_graph_agrees_with_the_float_pass_anywhere(name: str, x: float) -> None:
    floats = _outcome(UNARY[name], [x], create_graph=False)
    if floats is not None:
        assert _same(floats, _outcome(UNARY[name], [x], create_graph=True))


@given(st.sampled_from(sorted(BINARY)), st.floats(allow_nan=False, allow_infinity=False),
       st.floats(allow_nan=False, allow_infinity=False))
def test_binary_create_graph_agrees_with_the_float_pass_anywhere(name: str, a: float, b: float) -> None:
    floats = _outcome(BINARY[name], [a, b], create_graph=False)
    if floats is not None:
        assert _same(floats, _outcome(BINARY[name], [a, b], create_graph=True))
