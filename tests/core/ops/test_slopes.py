"""Every op's float slope against its Value rule (the one backward(create_graph=True)
builds): the same number, bit for bit, for each row of ops.py at every point; the rule's
own derivative against central differences of the float slope (a rule that is wrong to
second order fails); the same for the operators on their three sides, and for
expressions as user code writes them."""
from __future__ import annotations

import math
import operator
import struct

import pytest

from autograd_mini import Value
from autograd_mini import ops
from autograd_mini.engine import OPS
from op_cases import (DEFINED_CASES, EPS, HALF_PI, ONE_INPUT, ONE_INPUT_CASES, SIDES,
                      apply_row, as_float, make)


# -- each row of the table, at every point where it is defined -----------------
@pytest.mark.parametrize("name, x, param", DEFINED_CASES)
def test_float_slope_equals_the_value_rule(name, x, param) -> None:
    out = apply_row(ops.UNARY_BY_NAME[name], x, param)
    (slope,) = out.local_grads
    assert out.local_grads_fn is out._made_by.rule is OPS[name].rule
    if not -math.inf < slope < math.inf:
        # backward never runs the rule there: the float enters as a constant (or is refused)
        return
    (by_rule,) = out.local_grads_fn(out, *out.parents)
    assert _bits(as_float(by_rule)) == _bits(slope)


def _bits(number: float) -> bytes:
    """The float's IEEE bits: tells -0.0 from 0.0 as well as any rounding."""
    return struct.pack("<d", number)


# Points where a row's slope is not smooth (kinks, and the domain edges of the rows).
SINGULAR = {"abs": [0.0], "relu": [0.0], "leaky_relu": [0.0], "elu": [0.0],
            "clamp_min": [0.0], "clamp_max": [0.0],
            "log": [0.0], "sqrt": [0.0], "log1p": [-1.0]}


def _float_slope(name: str, x: float, param: float | None) -> float:
    return apply_row(ops.UNARY_BY_NAME[name], x, param).local_grads[0]


def _step(name: str, x: float) -> float:
    """A finite-difference step, well inside the distance to any non-smooth point."""
    h = 1e-6 * max(1.0, abs(x))
    singular = list(SINGULAR.get(name, []))
    if name == "tan":
        singular.append(HALF_PI + math.pi * round((x - HALF_PI) / math.pi))
    distances = [abs(x - s) for s in singular]
    return min([h] + [d / 1e4 for d in distances])


def _central_difference(f, x: float, h: float) -> tuple[float, float]:
    """(f'(x) by central differences, the rounding error it may carry)."""
    plus, minus = f(x + h), f(x - h)
    return (plus - minus) / (2 * h), 4 * EPS * max(abs(plus), abs(minus)) / h


def _second_order_cases() -> list:
    """Defined points where finite differences resolve the slope: not beyond |x| = 1000
    (sin(1e200) turns many times within one float step) and not on a kink."""
    cases = []
    for case in DEFINED_CASES:
        name, x, _ = case.values
        if abs(x) <= 1000.0 and _step(name, x) > 1e-12 * max(1.0, abs(x)):
            cases.append(case)
    return cases


def _rule_derivative(name: str, x: float, param: float | None) -> float:
    """d/dx of the rule's output Value, by backprop through it (0 for a constant rule)."""
    out = apply_row(ops.UNARY_BY_NAME[name], x, param)
    (leaf,) = out.parents
    (by_rule,) = out.local_grads_fn(out, leaf)
    if not isinstance(by_rule, Value):
        return 0.0
    by_rule.backward()
    return leaf.grad


@pytest.mark.parametrize("name, x, param", _second_order_cases())
def test_rule_derivative_matches_differences_of_the_float_slope(name, x, param) -> None:
    h = _step(name, x)
    numeric, rounding = _central_difference(lambda t: _float_slope(name, t, param), x, h)
    analytic = _rule_derivative(name, x, param)
    assert abs(analytic - numeric) <= 1e-6 * abs(numeric) + rounding + 1e-300, \
        (analytic, numeric, rounding)


def test_a_constant_rule_would_fail_the_second_order_check() -> None:
    # The check above must tell a rule that lost the graph from a right one.
    x = 0.7
    numeric, rounding = _central_difference(lambda t: _float_slope("tanh", t, None), x, 1e-6)
    assert abs(0.0 - numeric) > 1e-6 * abs(numeric) + rounding


# -- expressions of one input, as user code writes them -------------------------
# The higher-order rules must agree with the float derivatives everywhere they run.
@pytest.mark.parametrize("name, x", [(n, x) for n, x in ONE_INPUT_CASES
                                     if abs(x) < 700 and x != 0.0 and abs(x) > 1e-200])
def test_higher_order_rule_gives_the_same_local_derivatives(name: str, x: float) -> None:
    out = ONE_INPUT[name][0](Value(x))
    symbolic = out.local_grads_fn(out, *out.parents)
    as_floats = tuple(d.data if isinstance(d, Value) else d for d in symbolic)
    assert as_floats == pytest.approx(out.local_grads, rel=1e-9, abs=1e-300)


# -- binary operators and their constant variants ------------------------------
PAIRS = [(1.5, 2.0), (0.3, -1.7), (2.0, 0.5), (7.0, 3.0), (1e-3, 4.0), (5.0, -2.0),
         (-2.0, 3.0), (-3.0, -2.0), (0.0, 2.0), (0.0, 0.0), (2.0, 0.0), (0.0, 0.5),
         (1e200, 1e-200), (-1e-300, 7.0), (1000.0, -0.25), (-0.0, 1.0)]


def _binary_cases() -> list:
    cases = []
    for row in ops.BINARY:
        for side, apply_side in SIDES.items():
            for a, b in PAIRS:
                try:
                    apply_side(getattr(operator, row.method), a, b)
                except ValueError:
                    continue  # outside the domain: test_domains.py
                cases.append(pytest.param(row.symbol, side, a, b,
                                          id=f"{a!r}{row.symbol}{b!r}{':' + side if side else ''}"))
    return cases


@pytest.mark.parametrize("symbol, side, a, b", _binary_cases())
def test_binary_float_slopes_equal_the_value_rule(symbol, side, a, b) -> None:
    out = make(symbol, side, a, b)
    assert out.op == symbol and len(out.parents) == (2 if side == "" else 1)
    if any(not -math.inf < s < math.inf for s in out.local_grads):
        return  # backward enters them as constants: the rule is never run there
    by_rule = out.local_grads_fn(out, *out.parents)
    # equal numbers; the sign of a zero may differ ((x ** -0.0)'s base slope is -0.0 by the
    # rule, 0.0 in the float pass), which no sum of gradients can see
    assert tuple(map(as_float, by_rule)) == out.local_grads


def _binary_slopes(symbol: str, side: str, a: float, b: float) -> tuple[float, ...]:
    return make(symbol, side, a, b).local_grads


def _smooth_pair(symbol: str, a: float, b: float) -> bool:
    """Away from 0 ** y and x / 0, and at a size finite differences resolve."""
    return (abs(a) > 1e-2 and abs(b) > 1e-2 and abs(a) < 1e3 and abs(b) < 1e3
            and not (symbol == "**" and a < 0))


@pytest.mark.parametrize("symbol, side, a, b",
                         [c for c in _binary_cases() if _smooth_pair(c.values[0], *c.values[2:])])
def test_binary_rule_derivatives_match_differences_of_the_float_slopes(symbol, side, a, b):
    out = make(symbol, side, a, b)
    position = {"": (0, 1), "right": (0,), "left": (1,)}[side]  # which of (a, b) are Values
    for i, by_rule in enumerate(out.local_grads_fn(out, *out.parents)):
        for parent in out.parents:
            parent.grad = 0.0
        if isinstance(by_rule, Value):
            by_rule.backward()
        for j, parent in zip(position, out.parents):
            point = [a, b]
            h = 1e-6 * max(1.0, abs(point[j]))

            def slope_at(t: float, i=i, j=j) -> float:
                moved = [a, b]
                moved[j] = t
                return _binary_slopes(symbol, side, *moved)[i]
            numeric, rounding = _central_difference(slope_at, point[j], h)
            analytic = parent.grad
            assert abs(analytic - numeric) <= 1e-6 * abs(numeric) + rounding, \
                (i, j, analytic, numeric)
