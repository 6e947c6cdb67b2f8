"""Checks for parameter values coming from a state dict or a model file, and short, safe
descriptions of whatever was found there instead.

A state dict may come from a hostile file: a value may be an integer with hundreds of
digits, a list nested a thousand deep or a million long. Error messages describe such
values with `short_repr`, which neither recurses without bound, nor builds a huge
string, nor trips Python's limit on int-to-string conversion.
"""
from __future__ import annotations

import math
import reprlib
from numbers import Real
from typing import Any

from nn._checks import plain

# Ints longer than this are described by size: repr would be long, and above 4300
# digits (or a user's lower sys.set_int_max_str_digits, at least 640) it raises.
_MAX_SHOWN_INT_BITS = 2000


class _ShortRepr(reprlib.Repr):
    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > _MAX_SHOWN_INT_BITS:
            return f"<an int of about {_digits(x)} digits>"
        return super().repr_int(x, level)


_SHORT = _ShortRepr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict = 3, 6, 6
_SHORT.maxstring, _SHORT.maxlong, _SHORT.maxother = 60, 40, 60


def short_repr(x: Any) -> str:
    """repr(x), shortened: bounded in length and depth, and safe for ints of any size."""
    return _SHORT.repr(x)


def some_names(names: list, limit: int = 8) -> str:
    """`names` as a list literal, the first `limit` of them and how many more."""
    shown = [short_repr(name) for name in names[:limit]]
    if len(names) > limit:
        shown.append(f"... and {len(names) - limit} more")
    return f"[{', '.join(shown)}]"


def state_number(data: Any, where: str) -> float:
    """`data` (a number, a numpy scalar) as a finite float for the parameter `where`:
    ValueError for a bool, NaN, infinity or an int too large for a float, TypeError
    for a non-number, each naming `where`."""
    data = plain(data)
    if isinstance(data, bool):
        raise ValueError(f"load_state_dict: {where} must be a finite number, not the bool {data}")
    if not isinstance(data, Real):
        raise TypeError(f"load_state_dict: {where} must be a finite number, got "
                        f"{type(data).__name__} {short_repr(data)}")
    try:
        number = float(data)
    except OverflowError:
        raise ValueError(f"load_state_dict: {where} must be a finite number, got an int of "
                         f"about {_digits(int(data))} digits, too large for a float") from None
    if not math.isfinite(number):
        raise ValueError(f"load_state_dict: {where} must be a finite number, got {number!r}")
    return number


def _digits(x: int) -> int:
    # log10 works on ints of any size, where str(x) may raise or take quadratic time
    return int(math.log10(abs(x))) + 1
