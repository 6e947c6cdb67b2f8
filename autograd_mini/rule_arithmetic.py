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

In a pass that allows non-finite gradients, a node whose float slope is infinite has
its rule read with IEEE arithmetic (`rule_with_ieee_arithmetic`): there `divide` and
`power` give IEEE's inf where the operators refuse (1 / 0, 0 ** -0.5, an overflow), as
nodes with IEEE slopes, so that d2/dx2 sqrt(x) at 0 is -inf at every order, not 0.
"""
from __future__ import annotations

import math
import sys
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from .engine import Value

__all__ = ["divide", "power", "on_slope", "rule_with_ieee_arithmetic"]

_SMALLEST_NORMAL = sys.float_info.min
_LARGEST = sys.float_info.max
INF = math.inf
_ROUNDING = 1e-12  # how far a rule's number, computed another way, may be off its slope's

# True while an allowed pass reads the rule of a node whose float slope is not finite.
_ieee: ContextVar[bool] = ContextVar("autograd_mini_ieee_rules", default=False)


def _number(v: Any) -> float:
    return v if v.__class__ is float else v._data


def _in_range(slope: float) -> bool:
    """A local slope a gradient can be multiplied by without losing digits: a normal float
    (a zero may be an underflow)."""
    return _SMALLEST_NORMAL <= abs(slope) <= _LARGEST


def divide(a: Value | float, b: Value | float) -> Value | float:
    """a / b, with its local slopes kept in range (see the module's docstring)."""
    if b.__class__ is float:
        return a / b  # a constant divisor: the slope 1 / b is a constant
    a_number, b_number = _number(a), b._data
    if b_number == 0.0 or _overflows(a_number / b_number, a_number, b_number):
        return _ieee_quotient(a, b) if _ieee.get() else a / b  # a / b raises as `/` does
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


def _overflows(result: float, *operands: float) -> bool:
    """The result of finite operands is not finite."""
    return bool(result - result) and all(-INF < x < INF for x in operands)


def power(x: Value | float, p: Value | float) -> Value | float:
    """x ** p, with its local slopes kept in range (see the module's docstring)."""
    if x.__class__ is float:
        return x ** p  # c ** y: its slope c ** y * log(c) is in range where the value is
    if _ieee.get() and _refused_power(x._data, _number(p)):
        return _ieee_power(x, p)
    plain = x ** p
    if all(map(_in_range, plain.local_grads)) or not (_in_range(plain._data) and _in_range(x._data)):
        return plain  # (a slope that is exactly 0, at x ** 0 or 1 ** y, goes on, rightly)
    mantissa, exponent = math.frexp(x._data)  # x = mantissa * 2 ** exponent, exactly
    try:
        power_of_two = 2.0 ** (_number(p) * exponent)
    except OverflowError:
        return plain
    if not (_in_range(power_of_two) and _in_range(mantissa ** _number(p))):
        return plain
    # x ** p = (x 2^-e) ** p * 2 ** (p e): the base is in [0.5, 1) and its slope about p
    scaled = (x * math.ldexp(1.0, -exponent)) ** p * (2.0 ** (p * float(exponent)))
    return on_slope(scaled, plain._data)


def on_slope(g: Value | float, exact: float) -> Value | float:
    """g, whose number is exact's up to rounding, set onto exact bit for bit: g plus their
    difference, which is exact (Sterbenz: they are within a factor 2), so that the value is
    exact's and the derivative g's. A g further off is returned as it is (a wrong rule
    then fails the tests that compare it with the float slope, rather than hiding)."""
    if g.__class__ is float or g._data == exact or g._data - g._data or exact - exact:
        return g
    # (below the normal range rounding is absolute: there any difference is rounding's)
    if not abs(g._data - exact) <= _ROUNDING * abs(exact) + _SMALLEST_NORMAL:
        return g
    settled = g + (exact - g._data)
    return settled if settled._data == exact else g


@contextmanager
def _ieee_arithmetic() -> Iterator[None]:
    token = _ieee.set(True)
    try:
        yield
    finally:
        _ieee.reset(token)


def rule_with_ieee_arithmetic(node: Value) -> tuple:
    """node's rule read with IEEE division and power, for a node whose float slope is
    infinite or NaN in a pass that allows it: its local derivatives as Values that keep
    their own derivatives (sqrt at 0: inf, whose derivative is -inf)."""
    with _ieee_arithmetic():
        slopes = node._made_by.rule(node, *node.parents)
    # a constant slope (1 / c in x / c) has no derivative, but Values only take an
    # infinite one as a Value
    return tuple(node.__class__(slope, allow_nonfinite=True)
                 if slope.__class__ is float and slope - slope else slope for slope in slopes)


# -- IEEE nodes: what the operators refuse, built as nodes with IEEE slopes -------
def _ieee_div(a: float, b: float) -> float:
    """a / b as IEEE 754 gives it, but for the sign of a zero divisor: a zero is taken as
    approached from above, as the float slopes take it (sqrt's is +inf at -0.0 too)."""
    if b != 0.0:
        return a / b  # an overflow is already a signed infinity
    return math.nan if a == 0.0 or a != a else math.copysign(INF, a)


def _ieee_quotient(a: Value | float, b: Value) -> Value:
    # engine imports this module (through opgen): its node makers are looked up here
    from .engine import DIV, DIV_LEFT, _binary, _unary_with_constant
    q = _ieee_div(_number(a), b._data)
    d_divisor = _ieee_div(-q, b._data)
    if a.__class__ is float:
        return _unary_with_constant(q, DIV_LEFT, b, d_divisor, a)
    return _binary(q, DIV, a, _ieee_div(1.0, b._data), b, d_divisor)


def _ieee_pow(base: float, exponent: float) -> float:
    """base ** exponent as IEEE 754 gives it: inf for 0 to a negative power (a zero taken
    from above, as power_slope takes it) and for an overflow (negative for a negative
    base to an odd power)."""
    try:
        return base ** exponent
    except (ZeroDivisionError, OverflowError):
        odd = exponent == int(exponent) and int(exponent) % 2 == 1
        return -INF if odd and base < 0.0 else INF


def _refused_power(base: float, exponent: float) -> bool:
    """The operator refuses base ** exponent of finite operands: 0 to a negative power,
    or an overflow."""
    out = _ieee_pow(base, exponent)
    return bool(out - out) and -INF < base < INF and -INF < exponent < INF


def _ieee_power(x: Value, p: Value | float) -> Value:
    from .engine import POW, POW_RIGHT, _binary, _unary_with_constant
    exponent = _number(p)
    out = _ieee_pow(x._data, exponent)
    d_base = exponent * _ieee_pow(x._data, exponent - 1.0)
    if p.__class__ is float:
        return _unary_with_constant(out, POW_RIGHT, x, d_base, p)
    log_base = math.log(x._data) if x._data > 0.0 else -INF
    return _binary(out, POW, x, d_base, p, out * log_base)
