"""Every op at the edges of its domain: outside it, a ValueError naming the op, the
value and what to do (never a ZeroDivisionError, an OverflowError or a complex number
later); a result or slope beyond a float refused the same way; a bad parameter refused
by name; and on the edge itself (0 for sqrt, a kink, 0 ** y) the value and slope
PyTorch gives."""
from __future__ import annotations

import math
import re

import pytest

from autograd_mini import Value
from autograd_mini import ops
from op_cases import EPS, apply_row, in_domain


# -- outside the domain ----------------------------------------------------------
OUTSIDE = [-1e300, -2.0, -1.0, -1.0 - EPS, -1e-300, -0.0, 0.0]


@pytest.mark.parametrize("name, x", [(row.name, x) for row in ops.UNARY if row.domain
                                     for x in OUTSIDE if not in_domain(row, x)])
def test_input_outside_the_domain_is_a_value_error_naming_op_and_value(name, x) -> None:
    with pytest.raises(ValueError) as caught:
        apply_row(ops.UNARY_BY_NAME[name], x)
    assert name in str(caught.value) and repr(x) in str(caught.value)
    assert ops.UNARY_BY_NAME[name].hint in str(caught.value)


# (expression, text the message must contain: the op and the offending value)
DOMAIN_ERRORS = [
    (lambda: Value(0.0).log(), r"log\(0\.0\)"),
    (lambda: Value(-1.0).log(), r"log\(-1\.0\)"),
    (lambda: Value(-1e-300).sqrt(), r"sqrt\(-1e-300\)"),
    (lambda: Value(0.0) ** -1, r"0\.0 \*\* -1"),
    (lambda: Value(0.0) ** -0.5, r"0\.0 \*\* -0\.5"),
    (lambda: Value(-2.0) ** 0.5, r"-2\.0 \*\* 0\.5"),
    (lambda: Value(-2.0) ** Value(2.0), r"Value\(-2\.0\) \*\* Value\(2\.0\)"),
    (lambda: Value(0.0) ** Value(-1.0), r"0\.0 \*\* -1\.0"),
    (lambda: (-8.0) ** Value(1 / 3), r"-8\.0 \*\* Value"),
    (lambda: Value(1.0) / 0, r"1\.0 / 0\.0"),
    (lambda: Value(1.0) / Value(0.0), r"1\.0 / 0\.0"),
    (lambda: 1 / Value(0.0), r"1\.0 / 0\.0"),
    (lambda: Value(710.0).exp(), r"exp\(710\.0\)"),
    (lambda: Value(1e200) * Value(1e200), r"1e\+200 \* 1e\+200"),
    (lambda: Value(1e308) + 1e308, r"1e\+308 \+ 1e\+308"),
    (lambda: Value(-1e308) - 1e308, r"-1e\+308 - 1e\+308"),
    (lambda: 1e308 - Value(-1e308), r"^1e\+308 - -1e\+308"),
    (lambda: Value(10.0) ** 400, r"10\.0 \*\* 400"),
    (lambda: 10 ** Value(400.0), r"10\.0 \*\* 400\.0"),
    (lambda: Value(1e300) / 1e-300, r"1e\+300 / 1e-300"),
    (lambda: Value(1.0) * math.nan, r"\* with the number nan"),
    (lambda: Value(1.0) + math.inf, r"\+ with the number inf"),
]


@pytest.mark.parametrize("expression, message", DOMAIN_ERRORS)
def test_domain_errors_raise_valueerror_naming_op_and_value(expression, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        expression()


@pytest.mark.parametrize("make, symbol, shown", [
    (lambda: Value(3.0) / Value(0.0), "/", "3.0"),
    (lambda: Value(3.0) / 0, "/", "3.0"),
    (lambda: 2 / Value(0.0), "/", "2"),
    (lambda: Value(0.0) ** -1, "**", "-1"),
    (lambda: Value(-8.0) ** (1 / 3), "**", "-8.0"),
    (lambda: Value(-2.0) ** Value(2.0), "**", "-2.0"),
    (lambda: (-2) ** Value(0.5), "**", "-2"),
])
def test_binary_domain_errors_name_the_operator_and_the_value(make, symbol, shown) -> None:
    with pytest.raises(ValueError) as caught:
        make()
    assert symbol in str(caught.value) and shown in str(caught.value)


def test_operators_with_non_numbers_raise_typeerror() -> None:
    with pytest.raises(TypeError):
        Value(1.0) + "1"
    with pytest.raises(TypeError):
        [1.0] * Value(2.0)


@pytest.mark.parametrize("name", ["sinh", "cosh", "expm1"])
def test_sinh_cosh_expm1_overflow_is_a_value_error_naming_the_op(name: str) -> None:
    assert math.isfinite(getattr(Value(709.0), name)().data)
    with pytest.raises(ValueError, match=f"{name}.*overflows"):
        getattr(Value(711.0), name)()


# Numbers beyond a float: ValueError naming the op, never OverflowError.
@pytest.mark.parametrize("expression, message", [
    (lambda: Value(1) + 10**400, r"\+: the number .* is too large for a float"),
    (lambda: 10**400 * Value(1), r"\*: the number .* is too large for a float"),
    (lambda: Value(-1) ** -(10**400), r"\*\*: the number .* is too large"),
])
def test_numbers_beyond_a_float_are_valueerrors(expression, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        expression()


# -- parameters ------------------------------------------------------------------
@pytest.mark.parametrize("name, param", [("elu", "alpha"), ("leaky_relu", "slope")])
def test_a_bad_parameter_is_refused_naming_it(name: str, param: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"{name}({param}=...) with the number nan")):
        getattr(Value(-1.0), name)(math.nan)
    with pytest.raises(TypeError, match=re.escape(f"{name}({param}=...) takes a real number")):
        getattr(Value(-1.0), name)("0.1")


@pytest.mark.parametrize("slope", [math.nan, math.inf, -math.inf])
def test_leaky_relu_refuses_a_nonfinite_slope(slope: float) -> None:
    with pytest.raises(ValueError, match=r"leaky_relu\(slope=...\)"):
        Value(-1.0).leaky_relu(slope)


def test_leaky_relu_slope_times_x_overflowing_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=re.escape("leaky_relu(-1e+300, slope=1e+300) overflows")):
        Value(-1e300).leaky_relu(slope=1e300)


# -- on the edge ------------------------------------------------------------------
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


def test_zero_base_to_a_value_power_is_flat_in_the_exponent() -> None:
    a, b = Value(0.0), Value(2.0)
    (a ** b).backward()
    assert (a.grad, b.grad) == (0.0, 0.0)


def test_negative_base_with_integer_power_is_fine() -> None:
    x = Value(-2.0)
    y = x ** 3
    y.backward()
    assert (y.data, x.grad) == (-8.0, 12.0)


# A slope beyond a float: ValueError naming the op, never OverflowError or ZeroDivisionError.
@pytest.mark.parametrize("base, exponent", [(1e-200, -1), (5e-324, 0.01), (-1e-200, -1), (-1e-100, -3)])
def test_a_power_whose_slope_is_beyond_a_float_keeps_its_value_and_refuses_backward(
        base: float, exponent: float) -> None:
    x = Value(base)
    y = x ** exponent
    assert y.data == base ** exponent
    with pytest.raises(ValueError, match=rf"\*\* at {base!r} has an infinite slope"):
        y.backward()
    y.backward(allow_nonfinite=True)
    assert abs(x.grad) == math.inf


def test_nonfinite_values_allowed_on_purpose_propagate_without_error() -> None:
    x = Value(math.inf, allow_nonfinite=True)
    assert (x * 2).data == math.inf and (x + 1.0).data == math.inf
