"""The data fit and accuracy take: lists, tuples or numpy arrays (any numeric dtype) of
samples, each a number or a flat sequence of numbers, turned into plain Python lists.

numpy is never imported: an array or numpy scalar is recognised by its `tolist()`, which
gives Python ints and floats with the same values, so training on an array is
bit-identical to training on the same data as lists.
"""
from __future__ import annotations

import math
from numbers import Real
from operator import index
from typing import Any

from autograd_mini import Value


def as_samples(data: Any, name: str, caller: str = "fit") -> list:
    """`data` as a list of samples (numbers, Values or lists of them); TypeError for
    non-numeric input, ValueError for NaN, infinity or samples of different lengths, each
    naming `caller` and the place, e.g. "fit: X[3][1]"."""
    if hasattr(data, "tolist") and not isinstance(data, (list, tuple)):
        data = data.tolist()  # a numpy array: nested lists of Python numbers
    if not _is_sequence(data):
        raise TypeError(f"{caller}: {name} must be a list (or array) of samples, got "
                        f"{type(data).__name__} {_short(data)}")
    samples = [_sample(item, f"{caller}: {name}[{i}]") for i, item in enumerate(data)]
    _check_rectangular(samples, f"{caller}: {name}")
    return samples


def as_count(value: Any) -> Any:
    """An integer of any integer type (numpy's too) as an int; anything else unchanged, for
    the caller's check to refuse by name."""
    if isinstance(value, bool) or isinstance(value, int) or not hasattr(value, "__index__"):
        return value
    return index(value)


def _sample(item: Any, where: str) -> Any:
    if _is_sequence(item):
        return [_number(x, f"{where}[{j}]") for j, x in enumerate(item)]
    return _number(item, where)


def _number(x: Any, where: str) -> Any:
    """x itself for a Python number or a Value (so lists train exactly as before); a numpy
    scalar as its Python number."""
    if isinstance(x, Value):
        return x
    if type(x) not in (int, float, bool) and hasattr(x, "tolist"):
        x = x.tolist()  # numpy float32, int64, ...: its exact value as a Python number
    if not isinstance(x, Real):
        nested = " (samples must be flat: a number or a list of numbers)" if _is_sequence(x) \
            else ""
        raise TypeError(f"{where} is {type(x).__name__} {_short(x)}, not a number"
                        f"{nested}")
    if not _is_finite(x):
        raise ValueError(f"{where} is {x!r}; the data must be finite numbers (drop or "
                         f"impute the sample)")
    return x


def _is_finite(x: Real) -> bool:
    try:
        return math.isfinite(x)
    except OverflowError:  # an int beyond a float's range: the engine names it when used
        return True


def _is_sequence(x: Any) -> bool:
    return (hasattr(x, "__len__") and hasattr(x, "__iter__")
            and not isinstance(x, (str, bytes, dict, set, frozenset)))


def _check_rectangular(samples: list, where: str) -> None:
    """Every sample a number, or every sample a list of one length."""
    if not samples:
        return
    first = _width(samples[0])
    for i, sample in enumerate(samples):
        width = _width(sample)
        if width != first:
            name = where.split(": ")[-1]
            raise ValueError(f"{where} is ragged: {name}[0] is {_describe(first)} but "
                             f"{name}[{i}] is {_describe(width)}; every sample needs the "
                             f"same shape")


def _width(sample: Any) -> int | None:
    return len(sample) if isinstance(sample, list) else None


def _describe(width: int | None) -> str:
    return "a number" if width is None else f"a list of {width}"


def _short(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."
