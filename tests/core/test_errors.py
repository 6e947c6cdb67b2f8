"""Bad input to Value and to the API raises at once, naming what is wrong: never a
silently wrong number later. (An op's own domain, overflow and parameter errors are
tested with the ops, in ops/test_domains.py.)"""
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


def test_a_number_beyond_a_float_is_a_valueerror_naming_its_digits() -> None:
    with pytest.raises(ValueError,
                       match=r"Value: the number 1000.*\(401 digits\) is too large for a float"):
        Value(10**400)


def test_backward_refuses_a_non_number_seed() -> None:
    with pytest.raises(TypeError, match="backward"):
        Value(1.0).backward("1")


@pytest.mark.parametrize("keyword, bad", [("eps", 0), ("eps", -1e-6), ("eps", math.nan),
                                          ("eps", math.inf), ("atol", -1.0), ("rtol", math.nan)])
def test_gradcheck_refuses_a_bad_tolerance_by_name(keyword: str, bad: float) -> None:
    from autograd_mini import gradcheck
    with pytest.raises(ValueError, match=rf"gradcheck: {keyword}="):
        gradcheck(lambda x: x * x, [1.0], **{keyword: bad})
