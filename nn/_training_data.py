"""The data fit and accuracy take: lists, tuples or numpy arrays (any numeric dtype) of
samples, each a number or a flat sequence of numbers, turned into plain Python lists.

numpy is never imported: an array or numpy scalar is recognised by its `tolist()`, which
gives Python ints and floats with the same values, so training on an array is
bit-identical to training on the same data as lists.
"""
from __future__ import annotations

from typing import Any

from autograd_mini import Value
from nn._checks import as_list, check_sample_number, is_sequence, plain


def as_samples(data: Any, name: str, caller: str = "fit") -> list:
    """`data` as a list of samples (numbers, Values or lists of them); TypeError for
    non-numeric input, ValueError for NaN, infinity or samples of different lengths, each
    naming `caller` and the place, e.g. "fit: X[3][1]"."""
    if not isinstance(data, (list, tuple)):
        data = plain(data)  # a numpy array: nested lists of Python numbers
    data = as_list(data, f"{caller}: {name}", "a list (or array) of samples")
    samples = [_sample(item, f"{caller}: {name}[{i}]") for i, item in enumerate(data)]
    _check_rectangular(samples, f"{caller}: {name}")
    return samples


def _sample(item: Any, where: str) -> Any:
    if is_sequence(item):
        return [_number(x, f"{where}[{j}]") for j, x in enumerate(item)]
    return _number(item, where)


def _number(x: Any, where: str) -> Any:
    """x itself for a Python number or a Value (so lists train exactly as before); a numpy
    scalar as its Python number."""
    return x if isinstance(x, Value) else check_sample_number(x, where)


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
