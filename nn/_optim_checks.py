"""Checks for the optimizers' hyperparameters at construction.

The rules are PyTorch's (lr >= 0, momentum >= 0, 0 <= beta < 1, eps >= 0, 0 < etaminus < 1
< etaplus, Nesterov needs momentum > 0 and dampening 0), plus: every number is finite, and a
bool is not a number. A wrong type is a TypeError, a wrong value a ValueError; each names
the optimizer and the argument.
"""
from __future__ import annotations

import math
from numbers import Real
from operator import index
from typing import Any, Callable


def number(value: Any, owner: str, name: str, least: float = 0.0, *,
           above: bool = False, below: float | None = None, most: float | None = None) -> float:
    """`value` as a finite float >= least (> least if `above`), < below and <= most when
    given; TypeError for a non-number or a bool, ValueError naming owner and name else."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{owner}: {name} must be a number, got {type(value).__name__} "
                        f"{value!r}")
    try:
        result = float(value)
    except OverflowError:  # an int beyond a float's range
        result = math.inf
    low_ok = result > least if above else result >= least
    if not (math.isfinite(result) and low_ok and (below is None or result < below)
            and (most is None or result <= most)):
        raise ValueError(f"{owner}: {name} must be a finite number "
                         f"{_range_text(least, above, below, most)}, got {value!r}")
    return result


def _range_text(least: float, above: bool, below: float | None, most: float | None) -> str:
    opening = "(" if above else "["
    if below is not None:
        return f"in {opening}{least:g}, {below:g})"
    if most is not None:
        return f"in {opening}{least:g}, {most:g}]"
    return f"{'>' if above else '>='} {least:g}"


def flag(value: Any, owner: str, name: str) -> bool:
    """`value` as a bool; True/False (numpy's too) only, since a string like "False" is truthy."""
    if isinstance(value, bool) or getattr(getattr(value, "dtype", None), "kind", "") == "b":
        return bool(value)
    raise TypeError(f"{owner}: {name} must be True or False, got {type(value).__name__} "
                    f"{value!r}")


def count(value: Any, owner: str, name: str, least: int) -> int:
    """`value` as an int >= least; an integer type (numpy's too), not a bool or a float."""
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TypeError(f"{owner}: {name} must be an int, got {type(value).__name__} {value!r}")
    result = index(value)
    if result < least:
        raise ValueError(f"{owner}: {name} must be an int >= {least}, got {value!r}")
    return result


def pair(value: Any, owner: str, name: str, meaning: str) -> tuple[Any, Any]:
    """`value` as two items, e.g. betas=(0.9, 0.999); `meaning` names them for the message."""
    try:
        items = tuple(value)
    except TypeError:
        raise TypeError(f"{owner}: {name} must be a pair {meaning}, got "
                        f"{type(value).__name__} {value!r}") from None
    if len(items) != 2:
        raise ValueError(f"{owner}: {name} must be a pair {meaning}, got {len(items)} "
                         f"items {value!r}")
    return items


def learning_rate(lr: Any, owner: str, above_zero: bool = False) -> float | Callable:
    """A fixed rate (a finite number >= 0, or > 0) as a float, or a schedule unchanged."""
    return lr if callable(lr) else number(lr, owner, "lr", above=above_zero)
