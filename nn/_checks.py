"""Argument checks shared by the nn modules."""
from __future__ import annotations

from typing import Any


def check_int(value: Any, what: str, least: int) -> int:
    """Return `value` if it is an int (not a bool) >= `least`, else raise a ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"{what} must be an int >= {least}, got {value!r}")
    return value
