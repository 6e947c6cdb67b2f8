"""The op table's functions at the top level: a number gives a float, a Value a Value,
with the same digits and errors as the method."""
from __future__ import annotations

import inspect
import math

import pytest

import autograd_mini
from autograd_mini import DomainError, FloatOverflowError, Value
from autograd_mini.ops import FUNCTIONS, UNARY_BY_NAME

POINT = {"log": 0.7, "sqrt": 0.7, "log1p": 0.7}


def test_every_function_of_the_table_is_a_top_level_name():
    assert set(FUNCTIONS) <= set(autograd_mini.__all__)
    for name in FUNCTIONS:
        assert getattr(autograd_mini, name).__name__ == name


@pytest.mark.parametrize("name", FUNCTIONS)
def test_a_number_gives_the_methods_float_and_a_value_the_methods_value(name):
    function, x = getattr(autograd_mini, name), POINT.get(name, -0.7)
    method = getattr(Value, UNARY_BY_NAME[name].method or name)
    assert function(x).__class__ is float and function(x) == method(Value(x)).data
    leaf = Value(x)
    out = function(leaf)
    assert out.__class__ is Value and out.op == name and out.parents == (leaf,)
    assert function(x) == function(int(x * 10) / 10)  # ints and floats alike


def test_parameters_go_through_by_position_or_name():
    from autograd_mini import elu, leaky_relu
    assert leaky_relu(-2.0, 0.2) == leaky_relu(-2.0, slope=0.2) == pytest.approx(-0.4)
    assert elu(Value(-1.0), alpha=2.0).data == 2.0 * math.expm1(-1.0)
    assert list(inspect.signature(leaky_relu).parameters) == ["x", "slope"]


def test_a_number_gets_the_same_errors_as_a_value():
    from autograd_mini import exp, log
    with pytest.raises(DomainError, match="log needs x > 0"):
        log(-1.0)
    with pytest.raises(FloatOverflowError):
        exp(1000.0)
    with pytest.raises(TypeError, match=r"exp\(x\) takes a real number"):
        exp("1")


def test_a_function_body_serves_numbers_and_values():
    from autograd_mini import grad, tanh

    def f(x):
        return tanh(x) * 2.0

    assert f(0.5) == 2.0 * math.tanh(0.5)
    assert grad(f)(0.5) == pytest.approx(2.0 * (1 - math.tanh(0.5) ** 2))
