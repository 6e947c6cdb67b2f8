"""Argument checks shared by the nn modules, and the one place where numpy-like input
(anything with `tolist()`) becomes plain Python lists and numbers.

numpy is never imported: arrays and numpy scalars are recognised by duck typing
(`tolist()`, `numbers.Real`, `__index__`, `__len__`/`__iter__`), and converting them with
`tolist()` gives exactly the Python numbers a list of the same data holds, so results
are bit-identical to those on lists.
"""
from __future__ import annotations

import math
import reprlib
import sys
from collections.abc import Mapping, Set
from numbers import Real
from operator import index
from typing import Any

_LARGEST_FLOAT = sys.float_info.max


def plain(x: Any) -> Any:
    """`x`, or for a numpy-like array or scalar its `tolist()`: nested lists, Python numbers."""
    to_list = getattr(x, "tolist", None)
    return x if to_list is None else to_list()


def check_int(value: Any, what: str, least: int) -> int:
    """`value` as an int if it is an integer >= `least` (a numpy integer too, never a bool);
    else a ValueError naming it (a TypeError for a non-number)."""
    value = plain(value)
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        if not isinstance(value, (Real, bool)):
            raise TypeError(f"{what} must be an int >= {least}, got {_describe(value)}")
        raise ValueError(f"{what} must be an int >= {least}, got {value!r}")
    value = index(value)
    if value < least or value > _LARGEST_FLOAT:  # a count past a float's range means nothing
        raise ValueError(f"{what} must be an int >= {least}, got {short_repr(value)}")
    return value


def check_seed(seed: Any, what: str) -> int | None:
    """`seed` as an int (a numpy integer too) or None; a ValueError naming it for a bool or a
    float, a TypeError for a non-number."""
    seed = plain(seed)
    if seed is None:
        return None
    if isinstance(seed, bool) or not hasattr(seed, "__index__"):
        error = ValueError if isinstance(seed, Real) else TypeError
        raise error(f"{what} must be an int or None, got {_describe(seed)}")
    return index(seed)


def check_real(value: Any, what: str, *, least: float | None = None,
               bools: bool = False) -> int | float:
    """`value` (a Python or numpy real number) as a finite int or float, >= `least` if given.
    A bool is read as 0/1 when `bools`, else refused. ValueError naming `what` for a bad
    number, TypeError for a non-number."""
    value = plain(value)
    if isinstance(value, bool):
        if not bools:
            raise ValueError(f"{what} must be a number, not the bool {value!r}")
        return int(value)
    number = _as_python_real(value, what)
    if not -_LARGEST_FLOAT <= number <= _LARGEST_FLOAT:
        size = " (too large for a float)" if isinstance(number, int) else ""
        raise ValueError(f"{what} must be finite{size}, got {short_repr(number)}")
    if least is not None and number < least:
        raise ValueError(f"{what} must be >= {least}, got {number!r}")
    return number


def as_list(x: Any, what: str, expected: str) -> list:
    """The items of a plain sequence `x` (already through `plain`) as a list; a TypeError
    naming `what` and saying what was `expected` for a string, a mapping or a set (which
    has no order), or a non-sequence."""
    if isinstance(x, (str, bytes, bytearray)):
        raise TypeError(f"{what} must be {expected}, got the string {x!r}")
    if isinstance(x, (Mapping, Set)):
        raise TypeError(f"{what} must be {expected}, got a {type(x).__name__}, which has no "
                        f"fixed order; pass a list")
    if not (hasattr(x, "__len__") and hasattr(x, "__iter__")):
        raise TypeError(f"{what} must be {expected}, got {_describe(x)}")
    return list(x)


def is_number(x: Any) -> bool:
    """True for a plain real number or bool (what `plain` gives for a numpy scalar)."""
    return isinstance(x, (Real, bool))


def _as_python_real(value: Any, what: str) -> int | float:
    if value.__class__ is float or value.__class__ is int:
        return value
    if not isinstance(value, Real):
        raise TypeError(f"{what} must be a real number, got {_describe(value)}")
    if hasattr(value, "__index__"):
        return index(value)
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"{what}: {short_repr(value)} is too large for a float") from None


def _describe(x: Any) -> str:
    return f"{type(x).__name__} {short_repr(x)}"


# Ints longer than this are described by size: repr would be long, and above 4300
# digits (or a user's lower sys.set_int_max_str_digits, at least 640) it raises.
_MAX_SHOWN_INT_BITS = 2000


class _ShortRepr(reprlib.Repr):
    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > _MAX_SHOWN_INT_BITS:
            return f"<an int of about {digits(x)} digits>"
        return super().repr_int(x, level)


_SHORT = _ShortRepr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict = 3, 6, 6
_SHORT.maxstring, _SHORT.maxlong, _SHORT.maxother = 60, 40, 60


def short_repr(x: Any) -> str:
    """repr(x), shortened: bounded in length and depth, and safe for ints of any size."""
    return _SHORT.repr(x)


def digits(x: int) -> int:
    # log10 works on ints of any size, where str(x) may raise or take quadratic time
    return int(math.log10(abs(x))) + 1
