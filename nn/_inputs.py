"""What a module's call takes as one sample (a list of numbers or Values, a number, a numpy
array), checked as Neuron, Layer, MLP and Linear read it, and the generator their weights
are drawn from."""
from __future__ import annotations

import math
import random
from typing import Any, Sequence, Union

from autograd_mini import Value
from nn._checks import as_list, check_instance, check_real, check_seed, is_number, plain

__all__ = ["Number", "Input", "as_inputs", "weight_rng"]

Number = Union[int, float]
Input = Union[Number, Value, Sequence[Union[Number, Value]]]
_INF = math.inf


def as_inputs(x: Input, nin: int, who: str) -> list[Number | Value]:
    """One sample as a list of `nin` Values or finite numbers; a numpy array or scalar is
    read as the list or number it holds."""
    items = x if x.__class__ is list else _sample_items(x, nin, who)
    if len(items) != nin:
        raise ValueError(f"{who} expects {nin} inputs per sample, got {len(items)}: "
                         f"pass one list of {nin} numbers per call")
    # Finite floats and Values pass as they are, checked inline: through _input_number,
    # a Layer(100 -> 1) call spent a third of its time here.
    return [item if (item.__class__ is float and -_INF < item < _INF) or item.__class__ is Value
            else _input_number(item, f"{who} input[{i}]") for i, item in enumerate(items)]


def _sample_items(x: Any, nin: int, who: str) -> list[Any]:
    x = plain(x)
    if isinstance(x, Value) or (is_number(x) and not isinstance(x, bool)):
        return [x]  # a lone number is a sample of one input
    if is_number(x) or not hasattr(x, "__len__"):
        raise TypeError(f"{who} expects a list of {nin} numbers or Values, "
                        f"got {type(x).__name__}")
    return as_list(x, f"{who} input", f"a list of {nin} numbers or Values")


def _input_number(item: Any, where: str) -> Number | Value:
    if isinstance(item, Value):
        return item
    number = plain(item)
    if isinstance(number, (list, tuple)):
        raise TypeError(f"{where} is a {type(number).__name__}, not a number: call the model "
                        f"once per sample, with a flat list of numbers")
    return check_real(number, where, bools=True)


def weight_rng(seed: int | None, rng: random.Random | None, owner: str) -> random.Random:
    """The generator to draw the weights from: `rng` if given, else one seeded by `seed`."""
    if rng is None:
        return random.Random(check_seed(seed, f"{owner} seed"))
    checked: random.Random = check_instance(rng, f"{owner} rng", random.Random,
                                            "a random.Random")
    return checked
