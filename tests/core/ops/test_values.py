"""Every op's forward value against `math`: each row of ops.py at every point of
op_cases.py (or its overflow refused, naming the op), and expressions as user code
writes them (x ** 2, 3 / x, a * b, ...) with their derivatives from math too."""
from __future__ import annotations

import math

import pytest

from autograd_mini import Value
from autograd_mini import ops
from op_cases import (ALL_CASES, EPS, ONE_INPUT, ONE_INPUT_CASES, TINY, apply_row,
                      in_domain)


# -- expressions of one and two inputs: value and derivative from math ------------------
@pytest.mark.parametrize("name, x", ONE_INPUT_CASES)
def test_unary_op_value_and_derivative_match_math(name: str, x: float) -> None:
    apply, value, derivative, _ = ONE_INPUT[name]
    leaf = Value(x)
    out = apply(leaf)
    out.backward()
    assert out.data == pytest.approx(value(x), rel=1e-15, abs=0)
    assert leaf.grad == pytest.approx(derivative(x), rel=1e-13, abs=1e-300)
    assert isinstance(out.data, float) and isinstance(leaf.grad, float)


TWO_INPUTS = {
    "+": (lambda a, b: a + b, lambda a, b: (1.0, 1.0)),
    "-": (lambda a, b: a - b, lambda a, b: (1.0, -1.0)),
    "*": (lambda a, b: a * b, lambda a, b: (b, a)),
    "/": (lambda a, b: a / b, lambda a, b: (1 / b, -a / (b * b))),
    "**": (lambda a, b: a ** b, lambda a, b: (b * a ** (b - 1), a ** b * math.log(a))),
}
PAIRS = [(1.5, 2.0), (0.3, -1.7), (2.0, 0.5), (7.0, 3.0), (1e-3, 4.0), (5.0, -2.0)]


@pytest.mark.parametrize("op", TWO_INPUTS)
@pytest.mark.parametrize("a, b", PAIRS)
def test_binary_op_value_and_partials_match_math(op: str, a: float, b: float) -> None:
    apply, partials = TWO_INPUTS[op]
    x, y = Value(a), Value(b)
    out = apply(x, y)
    out.backward()
    assert out.op == op and out.parents == (x, y)
    assert out.data == pytest.approx(apply(a, b), rel=1e-15)
    assert (x.grad, y.grad) == pytest.approx(partials(a, b), rel=1e-13)


def test_every_result_is_a_float_even_from_int_inputs() -> None:
    out = Value(3) * 2 + 1
    out.backward()
    assert type(out.data) is float and type(out.grad) is float


# -- every row of the table, at every point ---------------------------------------------
def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -700.0 else math.exp(x)


# An independent reference per row, from math or a closed form over it: (x, param) -> float.
REFERENCE = {
    "neg": lambda x, p: -x,
    "abs": lambda x, p: abs(x),
    "exp": lambda x, p: math.exp(x),
    "log": lambda x, p: math.log(x),
    "sqrt": lambda x, p: math.sqrt(x),
    "log1p": lambda x, p: math.log1p(x),
    "expm1": lambda x, p: math.expm1(x),
    "sin": lambda x, p: math.sin(x),
    "cos": lambda x, p: math.cos(x),
    "tan": lambda x, p: math.tan(x),
    "atan": lambda x, p: math.atan(x),
    "sinh": lambda x, p: math.sinh(x),
    "cosh": lambda x, p: math.cosh(x),
    "tanh": lambda x, p: math.tanh(x),
    "sigmoid": lambda x, p: _sigmoid(x),
    "erf": lambda x, p: math.erf(x),
    "erfc": lambda x, p: math.erfc(x),
    "relu": lambda x, p: x if x > 0 else 0.0,
    "leaky_relu": lambda x, p: x if x > 0 else p * x,
    "clamp_min": lambda x, p: max(x, p),
    "clamp_max": lambda x, p: min(x, p),
    "elu": lambda x, p: x if x > 0 else p * math.expm1(x),
    "softplus": lambda x, p: math.log1p(math.exp(x)) if x < 700.0 else x,
    "silu": lambda x, p: x * _sigmoid(x),
    # x * Phi(x) with erfc: no cancellation in 1 + erf(x / sqrt 2) for x << 0
    "gelu": lambda x, p: 0.5 * x * math.erfc(-x / math.sqrt(2.0)),
}


def test_every_row_has_a_math_reference() -> None:
    missing = {row.name for row in ops.UNARY} - set(REFERENCE)
    assert not missing, f"add a math reference for {missing} to REFERENCE in this file"


@pytest.mark.parametrize("name, x, param", [c for c in ALL_CASES
                                            if in_domain(ops.UNARY_BY_NAME[c.values[0]],
                                                         c.values[1])])
def test_value_matches_math_or_overflow_is_refused_naming_the_op(name, x, param) -> None:
    row = ops.UNARY_BY_NAME[name]
    try:
        expected = REFERENCE[name](x, row.param[1] if row.param and param is None else param)
    except OverflowError:
        expected = math.inf
    if not -math.inf < expected < math.inf:
        with pytest.raises(ValueError, match=f"{name}.*overflow"):
            apply_row(row, x, param)
        return
    got = apply_row(row, x, param).data
    assert type(got) is float
    assert math.isclose(got, expected, rel_tol=4 * EPS, abs_tol=4 * TINY), (got, expected)
