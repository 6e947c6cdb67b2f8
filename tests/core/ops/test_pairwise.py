"""The table's functions of two operands (ops.PAIRWISE: maximum, minimum) on their three
sides: values as Python's max and min, slopes as PyTorch's (halves at a tie), the float
slope and the higher-order rule bit for bit, second derivatives zero."""
from __future__ import annotations

import math

import pytest

from autograd_mini import Value, grad, maximum, minimum
from autograd_mini.opgen import PAIRWISE_LEFT
from autograd_mini import ops

# the value, and d/dx, d/dy away from a tie (torch.maximum / torch.minimum)
REFERENCE = {
    "maximum": (max, lambda x, y: (1.0, 0.0) if x > y else (0.0, 1.0)),
    "minimum": (min, lambda x, y: (1.0, 0.0) if x < y else (0.0, 1.0)),
}
PAIRS = [(1.5, 2.0), (0.3, -1.7), (2.0, 2.0), (0.0, -0.0), (-3.0, -2.0), (1e308, -1e308),
         (5e-324, 0.0), (-1e-300, 7.0), (1000.0, -0.25), (7.0, 7.0)]
# Values on both sides; x op c (the node's parent is x); c op x (the parent is y)
SIDES = {"": lambda name, a, b: getattr(Value(a), name)(Value(b)),
         "right": lambda name, a, b: getattr(Value(a), name)(b),
         "left": lambda name, a, b: PAIRWISE_LEFT[name](a, Value(b))}
CASES = [pytest.param(row.name, side, a, b, id=f"{row.name}({a!r}, {b!r}){':' + side if side else ''}")
         for row in ops.PAIRWISE for side in SIDES for a, b in PAIRS]


def test_every_pairwise_row_has_a_reference() -> None:
    assert set(REFERENCE) == {row.name for row in ops.PAIRWISE}


@pytest.mark.parametrize("name, side, a, b", CASES)
def test_value_is_pythons_max_or_min(name, side, a, b) -> None:
    out = SIDES[side](name, a, b)
    assert out.op == name and out.data == REFERENCE[name][0](a, b)


@pytest.mark.parametrize("name, side, a, b", CASES)
def test_slopes_are_pytorchs_with_halves_at_a_tie(name, side, a, b) -> None:
    out = SIDES[side](name, a, b)
    both = (0.5, 0.5) if a == b else REFERENCE[name][1](a, b)
    wanted = both if side == "" else both[:1] if side == "right" else both[1:]
    assert out.local_grads == wanted


@pytest.mark.parametrize("name, side, a, b", CASES)
def test_float_slopes_equal_the_value_rule_bit_for_bit(name, side, a, b) -> None:
    out = SIDES[side](name, a, b)
    by_rule = out.local_grads_fn(out, *out.parents)
    assert tuple(d.data if isinstance(d, Value) else d for d in by_rule) == out.local_grads


@pytest.mark.parametrize("function", [maximum, minimum])
def test_second_derivatives_are_zero_and_first_ones_reach_through_grad_of_grad(function):
    # f(t) = function(t^3, 1): 3 t^2 where t^3 is chosen, else 0; the second derivative 6 t
    f = lambda t: function(t * t * t, 1.0)  # noqa: E731
    chosen = 3.0 if function is maximum else 0.5
    other = 0.5 if function is maximum else 3.0
    assert grad(f)(chosen) == 3 * chosen ** 2 and grad(grad(f))(chosen) == 6 * chosen
    assert grad(f)(other) == 0.0 and grad(grad(f))(other) == 0.0
    x = Value(2.0)
    out = function(x, 2.0)
    out.backward(create_graph=True)
    x.grad.backward()
    assert x.grad.data == 0.5


def test_a_nan_on_either_side_gives_nan_as_torch() -> None:
    nan = Value(math.nan, allow_nonfinite=True)
    assert math.isnan(maximum(nan, Value(1.0)).data) and math.isnan(minimum(Value(1.0), nan).data)
    assert math.isnan(maximum(math.nan, 1.0))


def test_a_non_finite_number_operand_is_refused_naming_the_op() -> None:
    with pytest.raises(ValueError, match="maximum"):
        maximum(Value(1.0), math.inf)
    with pytest.raises(ValueError, match="minimum"):
        minimum(-math.inf, Value(1.0))
