"""Where the op tests of tests/core/ops/ apply the ops, shared by their files.

Each row of ops.py at every point (every region of the reals, and the row's own edges:
poles, domain edges, switch-overs) and parameter value, so that a new row is tested as
soon as it is written; the operators between Values and with a number on either side;
and expressions of one input as user code writes them (x ** 2, 3 / x, 2 ** x), with
their value and derivative from `math`.
"""
from __future__ import annotations

import math
import operator
import sys

import pytest

from autograd_mini import Value
from autograd_mini import ops

EPS = sys.float_info.epsilon
TINY = 5e-324
HALF_PI = math.pi / 2

# --- each row of the table --------------------------------------------------------------
REALS = [-1e200, -1000.0, -800.0, -40.0, -30.0, -10.0, -3.0, -1.0, -0.5, -1e-17, -1e-300,
         -0.0, 0.0, TINY, 1e-300, 1e-17, 0.5, 1.0, 3.0, 10.0, 30.0, 40.0, 800.0, 1000.0, 1e200]
# Where a row's formula changes or its function turns: poles, edges, switch-overs.
EDGES = {
    "tan": [HALF_PI, -HALF_PI, 3 * HALF_PI, math.nextafter(HALF_PI, 0.0),
            math.nextafter(HALF_PI, 2.0), HALF_PI - 1e-3, HALF_PI + 1e-6, math.pi],
    "log1p": [-1.0 + EPS, -1.0 + 1e-6, -0.9999, -1.0, -1.5],
    "atan": [1e150, -1e150, 1e160, 1e300],
    "tanh": [0.5493, 0.5494, 400.0, 401.0, -401.0, 20.0],
    "erf": [6.0, -6.0, 27.0, 30.0, 31.0],
    "erfc": [6.0, -6.0, 27.0, 30.0, 31.0],
    "gelu": [5.0, -5.0, 39.9, 40.1, -40.1],
    "sinh": [710.0, 711.0, -711.0],
    "cosh": [710.0, 711.0, -711.0],
    "expm1": [709.0, 710.0, -1e-17],
    "exp": [709.0, 710.0],
}
PARAMS = {"leaky_relu": [0.01, 0.2], "elu": [1.0, 0.25, 2.5], "clamp_min": [0.0, 2.5],
          "clamp_max": [0.0, -2.5]}  # default first


def apply_row(row: ops.Unary, x: float, param: float | None = None) -> Value:
    """The row's method on a fresh leaf; the leaf is the node's parent."""
    method = getattr(Value(x), row.method or row.name)
    return method() if param is None else method(param)


def in_domain(row: ops.Unary, x: float) -> bool:
    """The row's own domain text (`x > 0`, ...) evaluated at x."""
    return not row.domain or eval(compile(row.domain, "<domain>", "eval"), {}, {"x": x})


def _overflows(row: ops.Unary, x: float, param: float | None) -> bool:
    try:
        apply_row(row, x, param)
    except ValueError as error:
        return "overflow" in str(error)  # any other error fails the value test
    return False


def _points(row: ops.Unary) -> list[float]:
    return REALS + EDGES.get(row.name, [])


def _cases() -> list:
    """(row name, x, param) over every row, its points and parameter values."""
    cases = []
    for row in ops.UNARY:
        for param in PARAMS.get(row.name, [None]) if row.param else [None]:
            for x in _points(row):
                shown = f"{row.name}({x!r}{'' if param is None else f', {param}'})"
                cases.append(pytest.param(row.name, x, param, id=shown))
    return cases


ALL_CASES = _cases()
DEFINED_CASES = [case for case in ALL_CASES
                 if in_domain(ops.UNARY_BY_NAME[case.values[0]], case.values[1])
                 and not _overflows(ops.UNARY_BY_NAME[case.values[0]], *case.values[1:])]


def as_float(d: Value | float) -> float:
    return d.data if isinstance(d, Value) else d


# --- the operators on their three sides ---------------------------------------------------
SIDES = {"": lambda f, a, b: f(Value(a), Value(b)),
         "right": lambda f, a, b: f(Value(a), b),   # x op c: the node's parent is x
         "left": lambda f, a, b: f(a, Value(b))}    # c op x: the node's parent is x


def make(symbol: str, side: str, a: float, b: float) -> Value:
    """The operator of this symbol applied on this side ("", "right" or "left")."""
    return SIDES[side](getattr(operator, ops.BINARY_BY_SYMBOL[symbol].method), a, b)


# --- expressions of one input, as user code writes them -----------------------------------
# Points on both sides of 0 and far out, where naive formulas lose digits.
SIGNED_POINTS = [-800.0, -30.0, -10.0, -3.0, -1.0, -0.5, -1e-9, -1e-300, 0.0, 1e-300, 1e-9,
                 0.25, 0.5, 1.0, 2.0, 3.0, 10.0, 30.0, 800.0]
POSITIVE_POINTS = [1e-300, 1e-9, 1e-3, 0.5, 1.0, 2.0, 1e3, 1e300]


def _sech2(x: float) -> float:
    """sech(x)^2 written with cosh, independent of the engine's formula."""
    return 0.0 if abs(x) > 350 else 1.0 / math.cosh(x) ** 2


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0


# name -> (apply to a Value, value from math, derivative from math, points)
ONE_INPUT = {
    "neg": (lambda v: -v, lambda x: -x, lambda x: -1.0, SIGNED_POINTS),
    "abs": (abs, abs, lambda x: math.copysign(1.0, x) if x else 0.0, SIGNED_POINTS),
    "exp": (lambda v: v.exp(), math.exp, math.exp, [x for x in SIGNED_POINTS if x < 700]),
    "log": (lambda v: v.log(), math.log, lambda x: 1.0 / x, POSITIVE_POINTS),
    "tanh": (lambda v: v.tanh(), math.tanh, _sech2, SIGNED_POINTS),
    "sigmoid": (lambda v: v.sigmoid(), _sigmoid,
                lambda x: _sigmoid(x) * _sigmoid(-x), SIGNED_POINTS),
    "relu": (lambda v: v.relu(), lambda x: max(x, 0.0), lambda x: 1.0 if x > 0 else 0.0,
             SIGNED_POINTS),
    "leaky_relu": (lambda v: v.leaky_relu(), lambda x: x if x > 0 else 0.01 * x,
                   lambda x: 1.0 if x > 0 else 0.01, SIGNED_POINTS),
    "leaky_relu(0.2)": (lambda v: v.leaky_relu(0.2), lambda x: x if x > 0 else 0.2 * x,
                        lambda x: 1.0 if x > 0 else 0.2, SIGNED_POINTS),
    "sin": (lambda v: v.sin(), math.sin, math.cos, SIGNED_POINTS),
    "cos": (lambda v: v.cos(), math.cos, lambda x: -math.sin(x), SIGNED_POINTS),
    "sqrt": (lambda v: v.sqrt(), math.sqrt, lambda x: 0.5 / math.sqrt(x), POSITIVE_POINTS),
    "square": (lambda v: v ** 2, lambda x: x * x, lambda x: 2 * x, SIGNED_POINTS[1:-1]),
    "cube": (lambda v: v ** 3, lambda x: x ** 3, lambda x: 3 * x * x, SIGNED_POINTS[2:-2]),
    "reciprocal": (lambda v: v ** -1, lambda x: 1 / x, lambda x: -1 / (x * x),
                   [x for x in SIGNED_POINTS if abs(x) > 1e-100]),
    "pow 1.5": (lambda v: v ** 1.5, lambda x: x ** 1.5, lambda x: 1.5 * math.sqrt(x),
                POSITIVE_POINTS[:-1]),
    "pow 0": (lambda v: v ** 0, lambda x: 1.0, lambda x: 0.0, SIGNED_POINTS),
    "2 ** x": (lambda v: 2 ** v, lambda x: 2.0 ** x, lambda x: 2.0 ** x * math.log(2),
               [x for x in SIGNED_POINTS if abs(x) < 700]),
    "0.5 ** x": (lambda v: 0.5 ** v, lambda x: 0.5 ** x,
                 lambda x: 0.5 ** x * math.log(0.5), [x for x in SIGNED_POINTS if abs(x) < 700]),
    "x + 3": (lambda v: v + 3, lambda x: x + 3, lambda x: 1.0, SIGNED_POINTS),
    "3 + x": (lambda v: 3 + v, lambda x: 3 + x, lambda x: 1.0, SIGNED_POINTS),
    "x - 3": (lambda v: v - 3, lambda x: x - 3, lambda x: 1.0, SIGNED_POINTS),
    "3 - x": (lambda v: 3 - v, lambda x: 3 - x, lambda x: -1.0, SIGNED_POINTS),
    "x * 3": (lambda v: v * 3, lambda x: x * 3, lambda x: 3.0, SIGNED_POINTS),
    "3 * x": (lambda v: 3 * v, lambda x: 3 * x, lambda x: 3.0, SIGNED_POINTS),
    "x / 4": (lambda v: v / 4, lambda x: x / 4, lambda x: 0.25, SIGNED_POINTS),
    "3 / x": (lambda v: 3 / v, lambda x: 3 / x, lambda x: -3 / (x * x),
              [x for x in SIGNED_POINTS if abs(x) > 1e-100]),
}
ONE_INPUT_CASES = [(name, x) for name, (_, _, _, points) in ONE_INPUT.items() for x in points]
