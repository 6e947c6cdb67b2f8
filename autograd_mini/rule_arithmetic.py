"""Division and power as the higher-order rules read them over Values.

A rule rebuilds a node's local derivative as a Value (ops.py's slope, read over Values),
and a later pass backpropagates through it: every node there multiplies the gradient
reaching it by its own local slope, a float. A quotient q = a / b has the slope -q / b
with respect to b, and that float can underflow (or overflow) although the gradient
times it is an ordinary number: for d2/dx2 of 1 / (1e120 x) at 0.5 the rule -out / u
has the slope out / u**2 = 8e-360 = 0.0, met by a gradient of 1e120, and half the
answer is lost. So over Values:

- `divide(a, b)` scales both sides by the power of two k that brings b into [0.5, 1):
  (a k) / (b k) is the same quotient bit for bit (a division rounds the exact quotient,
  and scaling by a power of two is exact), and its slopes are about 1 and about q, each
  followed by k (about 1 / b): every partial product lies between the gradient, the
  gradient times q, and the result.
- `power(x, p)` takes the base scaled the same way, (x k) ** p * k ** -p: slopes about
  p, then k, with the power k ** -p (about x ** p) first; it is then set onto the float
  power bit for bit (`on_slope`), since pow has no exact scaling law.

Both keep the operators' plain node wherever its slopes are normal floats, which is
almost always: they add nodes only where a slope would leave the range.
"""
from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import Value

__all__ = ["divide", "power", "on_slope"]

_SMALLEST_NORMAL = sys.float_info.min
_LARGEST = sys.float_info.max
INF = math.inf
_ROUNDING = 1e-12  # how far a rule's number, computed another way, may be off its slope's


def _number(v: Any) -> float:
    return v if v.__class__ is float else v.data


def _in_range(slope: float) -> bool:
    """A local slope a gradient can be multiplied by without losing digits: a normal float
    (a zero may be an underflow)."""
    return _SMALLEST_NORMAL <= abs(slope) <= _LARGEST


def divide(a: Value | float, b: Value | float) -> Value | float:
    """a / b, with its local slopes kept in range (see the module's docstring)."""
    if b.__class__ is float:
        return a / b  # a constant divisor: the slope 1 / b is a constant
    a_number, b_number = _number(a), b.data
    if b_number == 0.0:
        return a / b  # raises as `/` does
    q = a_number / b_number
    if _plain_will_do(q, b_number):
        return a / b
    k = math.ldexp(1.0, -math.frexp(b_number)[1])  # b * k in [0.5, 1), exactly
    if (a_number * k) / k != a_number:  # a * k lost digits (below the normal range)
        return a / b
    return (a * k) / (b * k)


def _plain_will_do(q: float, b: float) -> bool:
    """The plain quotient's slopes, 1 / b and -q / b, are in range (or scaling b cannot
    help: a NaN or infinite quotient, a subnormal divisor)."""
    if q - q or abs(b) < _SMALLEST_NORMAL:
        return True
    return _in_range(1.0 / b) and (q == 0.0 or _in_range(q / b))


def power(x: Value | float, p: Value | float) -> Value | float:
    """x ** p, with its local slopes kept in range (see the module's docstring)."""
    if x.__class__ is float:
        return x ** p  # c ** y: its slope c ** y * log(c) is in range where the value is
    plain = x ** p
    if all(map(_in_range, plain.local_grads)) or not (_in_range(plain.data) and _in_range(x.data)):
        return plain  # (a slope that is exactly 0, at x ** 0 or 1 ** y, goes on, rightly)
    mantissa, exponent = math.frexp(x.data)  # x = mantissa * 2 ** exponent, exactly
    try:
        power_of_two = 2.0 ** (_number(p) * exponent)
    except OverflowError:
        return plain
    if not (_in_range(power_of_two) and _in_range(mantissa ** _number(p))):
        return plain
    # x ** p = (x 2^-e) ** p * 2 ** (p e): the base is in [0.5, 1) and its slope about p
    scaled = (x * math.ldexp(1.0, -exponent)) ** p * (2.0 ** (p * float(exponent)))
    return on_slope(scaled, plain.data)


def on_slope(g: Value | float, exact: float) -> Value | float:
    """g, whose number is exact's up to rounding, set onto exact bit for bit: g plus their
    difference, which is exact (Sterbenz: they are within a factor 2), so that the value is
    exact's and the derivative g's. A g further off is returned as it is (a wrong rule
    then fails the tests that compare it with the float slope, rather than hiding)."""
    if g.__class__ is float or g.data == exact or g.data - g.data or exact - exact:
        return g
    # (below the normal range rounding is absolute: there any difference is rounding's)
    if not abs(g.data - exact) <= _ROUNDING * abs(exact) + _SMALLEST_NORMAL:
        return g
    settled = g + (exact - g.data)
    return settled if settled.data == exact else g
