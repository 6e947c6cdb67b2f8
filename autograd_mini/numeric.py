"""Float-level checks and kernels shared by the ops (domains, overflow, number coercion),
and the error types they raise, which callers tell apart by type, never by message."""
from __future__ import annotations

import math
from numbers import Real
from typing import Any, TypeVar

INF = math.inf
GRADIENT_OPT_OUT = ("or pass allow_nonfinite=True to get IEEE inf/NaN gradients instead of "
                    "this error")

_Error = TypeVar("_Error", bound=ValueError)


class _OpError(ValueError):
    """An op's refusal: `what` happened, `hint` says what to do ("" if nothing helps);
    `op` names the op and `values` are its operands."""

    def __init__(self, what: str, hint: str = "", op: str = "",
                 values: tuple[float, ...] = ()) -> None:
        super().__init__(f"{what}; {hint}" if hint else what)
        self.what, self.hint, self.op, self.values = what, hint, op, values

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.what, self.hint, self.op, self.values)


class DomainError(_OpError):
    """An op applied outside its domain: log of x <= 0, sqrt of x < 0, division by zero,
    0 ** negative, a negative base to a non-integer power, ..."""

    __module__ = "autograd_mini"  # where users import it from (tracebacks, pickle)


class FloatOverflowError(_OpError):
    """A result (or a number given to the engine) beyond a float: about 1.8e308."""

    __module__ = "autograd_mini"  # where users import it from (tracebacks, pickle)


class NonFiniteGradientError(ValueError):
    """A gradient (or jvp's tangent) became NaN or infinite: at `node`, `what` happened and
    `hint` says what to do; the message adds how to allow it (`opt_out`)."""

    __module__ = "autograd_mini"  # where users import it from (tracebacks, pickle)

    def __init__(self, what: str, hint: str, node: Any = None,
                 opt_out: str = GRADIENT_OPT_OUT) -> None:
        super().__init__(f"{what}. {hint}, {opt_out}")
        self.what, self.hint, self.node, self.opt_out = what, hint, node, opt_out

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.what, self.hint, self.node, self.opt_out)


def within(context: str, error: _Error) -> _Error:
    """The same error, of the same type and with the same details, said `context: ...`."""
    if isinstance(error, _OpError):
        return type(error)(f"{context}: {error.what}", error.hint, error.op, error.values)
    if isinstance(error, NonFiniteGradientError):
        return type(error)(f"{context}: {error.what}", error.hint, error.node, error.opt_out)
    return type(error)(f"{context}: {error}")


def to_float(x: object, where: str) -> float:
    """x as a float, or TypeError (not a number) / FloatOverflowError (too large) naming where."""
    if x.__class__ is float:
        return x
    if isinstance(x, Real):
        return _real_to_float(x, where)
    if getattr(x, "shape", None) == () and hasattr(x, "item"):  # a 0-d array: its number
        return to_float(x.item(), where)
    hint = " (use .data to read a Value's number)" if hasattr(x, "grad") else ""
    raise TypeError(f"{where} takes a real number, got {type(x).__name__} {x!r}{hint}")


def operand(x: object, op: str) -> float | None:
    """A plain-number operand as a finite float; None for types an op does not handle."""
    if x.__class__ is float:
        c = x
    elif isinstance(x, Real):
        c = _real_to_float(x, op)
    else:
        return None
    refuse_nonfinite_number(op, c)
    return c


def _real_to_float(x: Real, where: str) -> float:
    """float(x), with an int or fraction beyond a float's range refused by name."""
    try:
        return float(x)
    except OverflowError:
        text = repr(x)
        if len(text) > 40:
            text = f"{text[:20]}...({len(text)} digits)"
        raise FloatOverflowError(f"{where}: the number {text} is too large for a float "
                                 "(at most about 1.8e308)", "rescale it", where) from None


def refuse_nonfinite_number(op: str, c: float) -> None:
    """Raise for a NaN or infinite plain-number operand: it would poison every gradient."""
    if not -INF < c < INF:
        raise ValueError(f"{op} with the number {c!r}: NaN and infinity are refused in a graph")


def refuse_overflow(op: str, a: float, b: float) -> None:
    """Raise when finite operands overflowed; non-finite inputs were allowed on purpose."""
    if -INF < a < INF and -INF < b < INF:
        raise FloatOverflowError(f"{a!r} {op} {b!r} overflows a float", "rescale the inputs",
                                 op, (a, b))


def refuse_nonfinite_constant(op: str, left: float, right: float, constant: float) -> None:
    """For `left op right` with a non-finite result, where one side is the plain-number
    `constant`: refuse a NaN or infinite constant, and an overflow from finite operands;
    a non-finite Value was allowed on purpose."""
    refuse_nonfinite_number(op, constant)
    refuse_overflow(op, left, right)


def nonzero_divisor(b: float, a: float) -> float:
    """b, unless it is zero: then a DomainError naming the division."""
    if b == 0:
        raise DomainError(f"{a!r} / 0.0 in '/': division by zero",
                          "add a small epsilon or mask it", "/", (a, b))
    return b


def power(base: float, exponent: float) -> float:
    """base ** exponent over the reals, or DomainError / FloatOverflowError naming the edge
    it hit."""
    if base == 0 and exponent < 0:
        raise DomainError(f"0.0 ** {exponent!r} in '**': zero to a negative power is undefined",
                          "", "**", (base, exponent))
    if base < 0 and exponent != int(exponent):
        raise DomainError(f"{base!r} ** {exponent!r} in '**': a negative base to a non-integer "
                          "power is not real", "use abs() or an integer exponent", "**",
                          (base, exponent))
    try:
        out = base ** exponent
    except OverflowError:
        raise FloatOverflowError(f"{base!r} ** {exponent!r} overflows a float",
                                 "rescale the inputs", "**", (base, exponent)) from None
    if out - out:
        refuse_overflow("**", base, exponent)
    return out


def power_slope(base: float, exponent: float) -> float:
    """d(base ** exponent)/d(base), including the edges at base 0.

    A slope too steep for a float (1e-200 ** -1 at its base) is an infinity here, as the
    slope of 1 / x is; backward refuses it, naming the op, and the forward value stands.
    """
    if exponent == 0:
        return 0.0
    if base == 0 and exponent < 1:
        return INF  # e.g. x ** 0.5 at 0: a vertical tangent
    try:
        return exponent * base ** (exponent - 1)
    except OverflowError:
        negative = (exponent < 0) != (base < 0 and int(exponent - 1) % 2 == 1)
        return -INF if negative else INF
