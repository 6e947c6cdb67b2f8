"""Many Values' data and gradients at once, read and written at C speed, for the optimizers
and fit, which touch every parameter at every step.

`.data` and `.grad` are properties: reading one costs a Python call, and assigning one also
checks the number (a finite float is taken as it is; anything else is converted, or refused
with an error naming the Value). Over a model's parameters at every step that cost more
than the arithmetic, so these read the slots behind the properties through `map`, and
write them directly only numbers the setters would store unchanged: finite floats, and
zero_grad's 0.0 or None. Anything else still goes through the setters, with their errors.
"""
from __future__ import annotations

from itertools import repeat
from operator import attrgetter
from typing import Any, Sequence

from autograd_mini import Value

__all__ = ["data_of", "raw_gradients_of", "finite_numbers", "finite_floats", "assign_data",
           "assign_finite_gradients", "fill_gradients"]

_read_data = attrgetter("_data")
_read_grad = attrgetter("_grad")
_FLOAT = {float}


def _no_gradient() -> float:
    """What `p.grad = None` stores in the slot (a float that reads back as None)."""
    probe = Value(0.0)
    probe.grad = None
    return _read_grad(probe)


_NO_GRADIENT = _no_gradient()


def data_of(values: Sequence[Value]) -> list[float]:
    """Each Value's .data."""
    return list(map(_read_data, values))


def raw_gradients_of(values: Sequence[Value]) -> list[Any]:
    """Each Value's gradient as its slot holds it: a float, a Value (create_graph), or for
    a grad of None a float subclass that finite_floats refuses."""
    return list(map(_read_grad, values))


def finite_numbers(numbers: Sequence[Any]) -> bool:
    """Whether every item is a finite number, told by their sum at C speed: a sum of
    floats is a float, finite unless an item is NaN or infinite (or they overflow together,
    when this says False and the caller looks at them one by one). A None makes sum raise,
    a Value (a create_graph gradient) makes it a Value: both False."""
    try:
        total = sum(numbers, 0.0)
    except TypeError:
        return False
    return total.__class__ is float and total - total == 0.0


def finite_floats(numbers: Sequence[Any]) -> bool:
    """Whether every item is a finite float, of the class float itself (not a subclass, as
    numpy's float64 or a cleared gradient's marker): what the setters store as it is."""
    return set(map(type, numbers)) == _FLOAT and finite_numbers(numbers)


def assign_data(values: Sequence[Value], numbers: Sequence[Any],
                finite: bool | None = None) -> None:
    """Set each Value's .data to its number, through the setter (which converts or refuses)
    unless every number is a finite float (`finite`: finite_floats(numbers), if the caller
    has told it already)."""
    if finite_floats(numbers) if finite is None else finite:
        any(map(setattr, values, repeat("_data"), numbers))  # setattr returns None: all run
        return
    for value, number in zip(values, numbers):
        value.data = number


def assign_finite_gradients(values: Sequence[Value], grads: Sequence[float]) -> None:
    """Set each Value's .grad to its gradient, finite floats the caller has checked, in one
    C-level loop that neither Ctrl-C nor a trace function stops half way: every .grad
    changes, or none."""
    any(map(setattr, values, repeat("_grad"), grads))


def fill_gradients(values: Sequence[Value], set_to_none: bool) -> None:
    """Set every Value's .grad to 0.0, or to None with set_to_none (as `v.grad = None`)."""
    any(map(setattr, values, repeat("_grad"), repeat(_NO_GRADIENT if set_to_none else 0.0)))
