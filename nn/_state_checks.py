"""Checks for parameter values coming from a state dict or a model file, and short, safe
descriptions of whatever was found there instead.

A state dict may come from a hostile file: a value may be an integer with hundreds of
digits, a list nested a thousand deep or a million long. Error messages describe such
values with `short_repr`, which neither recurses without bound, nor builds a huge
string, nor trips Python's limit on int-to-string conversion.
"""
from __future__ import annotations

import math
from numbers import Real
from typing import Any

from nn._checks import digits, plain, short_repr

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
                         f"about {digits(int(data))} digits, too large for a float") from None
    if not math.isfinite(number):
        raise ValueError(f"load_state_dict: {where} must be a finite number, got {number!r}")
    return number
