"""The op table's functions at the top level: a number gives a float, a Value a Value,
with the same digits and errors as the method."""
from __future__ import annotations

import inspect
import math

import pytest

import autograd_mini
from autograd_mini import DomainError, FloatOverflowError, Value
from autograd_mini.ops import FUNCTIONS, PAIRWISE_BY_NAME, UNARY_BY_NAME

POINT = {"log": 0.7, "sqrt": 0.7, "log1p": 0.7}


def test_every_function_of_the_table_is_a_top_level_name():
    assert set(FUNCTIONS) <= set(autograd_mini.__all__)
    for name in FUNCTIONS:
        assert getattr(autograd_mini, name).__name__ == name


@pytest.mark.parametrize("name", [name for name in FUNCTIONS if name in UNARY_BY_NAME])
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


@pytest.mark.parametrize("name", list(PAIRWISE_BY_NAME))
def test_a_two_operand_function_takes_a_number_on_either_side(name):
    function, method = getattr(autograd_mini, name), getattr(Value, name)
    assert function(0.5, 2).__class__ is float and function(0.5, 2) == method(Value(0.5), 2.0).data
    a, b = Value(0.5), Value(2.0)
    assert function(a, b).parents == (a, b) and function(a, b).op == name
    assert function(a, 2.0).parents == (a,) and function(a, 2.0).constant == 2.0
    assert function(2.0, a).parents == (a,) and function(2.0, a).data == function(2.0, 0.5)


@pytest.mark.parametrize("name, larger", [("maximum", True), ("minimum", False)])
def test_a_tie_splits_the_gradient_in_halves_as_pytorch(name, larger):
    function = getattr(autograd_mini, name)
    a, b = Value(1.5), Value(1.5)
    function(a, b).backward()
    assert (a.grad, b.grad) == (0.5, 0.5)
    a, b = Value(1.0), Value(2.0)
    function(a, b).backward()
    assert (a.grad, b.grad) == ((0.0, 1.0) if larger else (1.0, 0.0))
    x = Value(3.0)
    function(x, 3.0).backward()
    function(3.0, x).backward()
    assert x.grad == 1.0


@pytest.mark.parametrize("x, gradient", [(-1.0, 0.0), (0.0, 1.0), (0.5, 1.0), (1.0, 1.0),
                                         (2.0, 0.0)])
def test_clamp_passes_the_gradient_where_min_le_x_le_max_bounds_included_as_pytorch(x, gradient):
    from autograd_mini import clamp
    leaf = Value(x)
    out = clamp(leaf, 0.0, 1.0)
    out.backward()
    assert (out.data, leaf.grad) == (min(max(x, 0.0), 1.0), gradient)
    assert clamp(x, 0.0, 1.0) == out.data and leaf.clamp(min=0.0, max=1.0).data == out.data


def test_clamp_with_one_bound_leaves_the_other_side_unbounded():
    from autograd_mini import clamp
    assert clamp(Value(5.0), min=0.0).op == "clamp_min" and clamp(5.0, min=0.0) == 5.0
    assert clamp(Value(-5.0), max=0.0).op == "clamp_max" and clamp(-5.0, max=1.0) == -5.0
    assert clamp(-5.0, min=-1.0) == -1.0 and clamp(5.0, max=1.0) == 1.0


def test_clamp_with_min_above_max_gives_max_as_torch():
    from autograd_mini import clamp
    leaf = Value(0.5)
    out = clamp(leaf, 2.0, 1.0)
    out.backward()
    assert (out.data, leaf.grad) == (1.0, 0.0)


def test_clamp_without_bounds_is_refused_as_torch():
    from autograd_mini import clamp
    with pytest.raises(TypeError, match="min, max or both"):
        clamp(Value(1.0))
