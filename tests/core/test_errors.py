"""Bad input raises at once, with the op and the value named: never a silently wrong
number, a ZeroDivisionError, an OverflowError or a complex number later."""
from __future__ import annotations

import math

import pytest

from autograd_mini import Value


@pytest.mark.parametrize("bad", ["2", None, [1.0], complex(1, 2), object()])
def test_value_refuses_non_numbers(bad: object) -> None:
    with pytest.raises(TypeError, match="Value takes a real number"):
        Value(bad)


def test_value_of_a_value_says_to_use_data() -> None:
    with pytest.raises(TypeError, match=r"use \.data"):
        Value(Value(1.0))


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_value_refuses_nonfinite_unless_allowed(bad: float) -> None:
    with pytest.raises(ValueError, match="allow_nonfinite=True"):
        Value(bad)
    assert math.isnan(Value(bad, allow_nonfinite=True).data) == math.isnan(bad)


def test_label_must_be_text() -> None:
    with pytest.raises(TypeError, match="label"):
        Value(1.0, label=3)


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


def test_operators_with_non_numbers_raise_typeerror() -> None:
    with pytest.raises(TypeError):
        Value(1.0) + "1"
    with pytest.raises(TypeError):
        [1.0] * Value(2.0)


def test_leaky_relu_refuses_a_non_number_slope() -> None:
    with pytest.raises(TypeError, match="slope"):
        Value(-1.0).leaky_relu("0.1")


def test_backward_refuses_a_non_number_seed() -> None:
    with pytest.raises(TypeError, match="backward"):
        Value(1.0).backward("1")


def test_nonfinite_values_allowed_on_purpose_propagate_without_error() -> None:
    x = Value(math.inf, allow_nonfinite=True)
    assert (x * 2).data == math.inf and (x + 1.0).data == math.inf


def test_negative_base_with_integer_power_is_fine() -> None:
    x = Value(-2.0)
    y = x ** 3
    y.backward()
    assert (y.data, x.grad) == (-8.0, 12.0)


# Numbers beyond a float, and slopes beyond a float: ValueError naming the op, never
# OverflowError or ZeroDivisionError.
@pytest.mark.parametrize("expression, message", [
    (lambda: Value(10**400), r"Value: the number 1000.*\(401 digits\) is too large for a float"),
    (lambda: Value(1) + 10**400, r"\+: the number .* is too large for a float"),
    (lambda: 10**400 * Value(1), r"\*: the number .* is too large for a float"),
    (lambda: Value(-1) ** -(10**400), r"\*\*: the number .* is too large"),
])
def test_numbers_beyond_a_float_are_valueerrors(expression, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        expression()


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


@pytest.mark.parametrize("slope", [math.nan, math.inf, -math.inf])
def test_leaky_relu_refuses_a_nonfinite_slope(slope: float) -> None:
    with pytest.raises(ValueError, match=r"leaky_relu\(slope=...\)"):
        Value(-1.0).leaky_relu(slope)


@pytest.mark.parametrize("keyword, bad", [("eps", 0), ("eps", -1e-6), ("eps", math.nan),
                                          ("eps", math.inf), ("atol", -1.0), ("rtol", math.nan)])
def test_gradcheck_refuses_a_bad_tolerance_by_name(keyword: str, bad: float) -> None:
    from autograd_mini import gradcheck
    with pytest.raises(ValueError, match=rf"gradcheck: {keyword}="):
        gradcheck(lambda x: x * x, [1.0], **{keyword: bad})
