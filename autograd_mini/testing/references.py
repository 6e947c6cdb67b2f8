"""Every op of the table, as a property test draws it: a reference on floats, where it is
well defined, and the constants it takes.

The references use `math` only, independent of ops.py's own formulas, so that a finite
difference computed with them checks the engine rather than itself. `defined(*operands,
c, margin)` says whether the operands are inside the op's domain and at least `margin`
away from its edges and kinks (and small enough that finite differences stay sensible).
An op is keyed as the engine keys it: a unary row by its name ("tanh"), an operator or a
two-operand function by its symbol or name with Values on both sides ("/"), a number on
the right ("/:right", x / c) or on the left ("/:left", c / x).
"""
from __future__ import annotations

import math
from typing import Callable, NamedTuple

from autograd_mini.ops import BINARY, BINARY_BY_SYMBOL, PAIRWISE, PAIRWISE_BY_NAME, UNARY

__all__ = ["Reference", "REFERENCES", "SIDES", "table_keys", "arity", "EXP_LIMIT"]

SIDES = ("", ":right", ":left")  # Values on both sides; x op c; c op x
EXP_LIMIT = 3.0  # exp, sinh, cosh, expm1 stay below e^3: finite differences stay sharp


class Reference(NamedTuple):
    """One op as a property test draws it."""

    on_floats: Callable[..., float]  # (*operands, c) -> float, with math only
    defined: Callable[..., bool]     # (*operands, c, margin) -> bool
    constants: tuple = (None,)       # what c is drawn from: a parameter, or the other side


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def _anywhere(*operands_and_margin: float) -> bool:
    return True


def _off_zero(a: float, c: float, margin: float) -> bool:
    return abs(a) >= margin


def _apart(a: float, b: float, c: float, margin: float) -> bool:
    return abs(a - b) >= margin  # a tie of maximum/minimum: the kink


def _apart_from_c(a: float, c: float, margin: float) -> bool:
    return abs(a - c) >= margin


def _positive(a: float, c: float, margin: float) -> bool:
    return a >= margin


REFERENCES: dict[str, Reference] = {
    "+": Reference(lambda a, b, c: a + b, _anywhere),
    "+:right": Reference(lambda a, c: a + c, _anywhere, (-1.5, 2.0)),
    "+:left": Reference(lambda a, c: c + a, _anywhere, (0.5,)),
    "-": Reference(lambda a, b, c: a - b, _anywhere),
    "-:right": Reference(lambda a, c: a - c, _anywhere, (0.25, 3.0)),
    "-:left": Reference(lambda a, c: c - a, _anywhere, (1.0, -0.5)),
    "*": Reference(lambda a, b, c: a * b, _anywhere),
    "*:right": Reference(lambda a, c: a * c, _anywhere, (-2.0, 0.5)),
    "*:left": Reference(lambda a, c: c * a, _anywhere, (3.0,)),
    "/": Reference(lambda a, b, c: a / b, lambda a, b, c, m: abs(b) >= m),
    "/:right": Reference(lambda a, c: a / c, _anywhere, (4.0, -0.5)),
    "/:left": Reference(lambda a, c: c / a, _off_zero, (1.0, -2.5)),
    "**": Reference(lambda a, b, c: a ** b, lambda a, b, c, m: a >= m and abs(b) < 3),
    # an integer power is defined for every base (a negative one: of 0, not at 0)
    "**:right": Reference(lambda a, c: a ** c,
                          lambda a, c, m: a >= m if c != int(c) else (c >= 0 or abs(a) >= m),
                          (2.0, 3.0, -1.0, 0.5, 1.5)),
    "**:left": Reference(lambda a, c: c ** a, _anywhere, (2.0, 0.5)),
    "maximum": Reference(lambda a, b, c: max(a, b), _apart),
    "maximum:right": Reference(lambda a, c: max(a, c), _apart_from_c, (0.0, 1.5)),
    "maximum:left": Reference(lambda a, c: max(c, a), _apart_from_c, (-0.5, 0.0)),
    "minimum": Reference(lambda a, b, c: min(a, b), _apart),
    "minimum:right": Reference(lambda a, c: min(a, c), _apart_from_c, (0.0, -1.5)),
    "minimum:left": Reference(lambda a, c: min(c, a), _apart_from_c, (0.5, 0.0)),
    "neg": Reference(lambda a, c: -a, _anywhere),
    "abs": Reference(lambda a, c: abs(a), _off_zero),
    "exp": Reference(lambda a, c: math.exp(a), lambda a, c, m: a < EXP_LIMIT),
    "log": Reference(lambda a, c: math.log(a), _positive),
    "sqrt": Reference(lambda a, c: math.sqrt(a), _positive),
    "log1p": Reference(lambda a, c: math.log1p(a), lambda a, c, m: a >= -1.0 + m),
    "expm1": Reference(lambda a, c: math.expm1(a), lambda a, c, m: a < EXP_LIMIT),
    "sin": Reference(lambda a, c: math.sin(a), _anywhere),
    "cos": Reference(lambda a, c: math.cos(a), _anywhere),
    # |cos x| is about the distance to tan's nearest pole
    "tan": Reference(lambda a, c: math.tan(a), lambda a, c, m: abs(math.cos(a)) >= max(m, 0.1)),
    "atan": Reference(lambda a, c: math.atan(a), _anywhere),
    "sinh": Reference(lambda a, c: math.sinh(a), lambda a, c, m: abs(a) < EXP_LIMIT),
    "cosh": Reference(lambda a, c: math.cosh(a), lambda a, c, m: abs(a) < EXP_LIMIT),
    "tanh": Reference(lambda a, c: math.tanh(a), _anywhere),
    "sigmoid": Reference(lambda a, c: _sigmoid(a), _anywhere),
    "erf": Reference(lambda a, c: math.erf(a), _anywhere),
    "erfc": Reference(lambda a, c: math.erfc(a), _anywhere),
    "relu": Reference(lambda a, c: max(a, 0.0), _off_zero),
    "leaky_relu": Reference(lambda a, c: a if a > 0 else c * a, _off_zero, (0.01, 0.2)),
    "clamp_min": Reference(lambda a, c: max(a, c), _apart_from_c, (0.0, 1.0)),
    "clamp_max": Reference(lambda a, c: min(a, c), _apart_from_c, (0.0, -1.0)),
    "elu": Reference(lambda a, c: a if a > 0 else c * math.expm1(a), _off_zero, (1.0, 0.5)),
    "softplus": Reference(lambda a, c: math.log1p(math.exp(-abs(a))) + max(a, 0.0), _anywhere),
    "silu": Reference(lambda a, c: a * _sigmoid(a), _anywhere),
    "gelu": Reference(lambda a, c: 0.5 * a * math.erfc(-a / math.sqrt(2.0)), _anywhere),
}


def table_keys() -> list[str]:
    """Every op of ops.py, keyed as the engine keys them: each unary row's name, and each
    operator's and two-operand function's on its three sides."""
    return ([row.name for row in UNARY] + [row.symbol + side for row in BINARY for side in SIDES]
            + [row.name + side for row in PAIRWISE for side in SIDES])


def arity(key: str) -> int:
    """How many Values the op with this key takes (a number kept on the node is not one)."""
    return 2 if key in BINARY_BY_SYMBOL or key in PAIRWISE_BY_NAME else 1


def _check_complete() -> None:
    """A row of the table without a reference (or a reference to no row) stops the import,
    naming it: a property test that cannot draw an op checks nothing about it."""
    keys = table_keys()
    missing = [key for key in keys if key not in REFERENCES]
    unknown = sorted(set(REFERENCES) - set(keys))
    if missing or unknown:
        raise LookupError(f"autograd_mini.testing.references: ops without a reference: "
                          f"{missing}; references to no op: {unknown}")


_check_complete()
