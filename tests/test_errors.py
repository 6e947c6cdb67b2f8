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
