"""Checks for the optimizers: hyperparameters at construction, learning rates and gradients
at each step, and an update applied only once every new value is known to be finite.

The rules are PyTorch's (lr >= 0, momentum >= 0, 0 <= beta < 1, eps >= 0, 0 < etaminus < 1
< etaplus, Nesterov needs momentum > 0 and dampening 0), plus: every number is finite, and a
bool is not a number. A wrong type is a TypeError, a wrong value a ValueError; each names
the optimizer and the argument.
"""
from __future__ import annotations

import math
from numbers import Real
from operator import index
from typing import Any, Callable, Sequence

from autograd_mini import Value


class NonFiniteUpdate(ValueError):
    """An optimizer step refused because a gradient, an update or the optimizer's state
    would be NaN or infinite; the parameters and the optimizer were left unchanged."""


class LearningRateError(ValueError):
    """The learning rate for a step (a schedule's value, or an lr reassigned since) is not a
    finite number >= 0; the step was not taken."""


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


def rate_at(lr: float | Callable[[int], Any], step: int, owner: str,
            above_zero: bool = False) -> float:
    """The rate for step `step`: lr, or the schedule's value there, checked like lr itself;
    LearningRateError (a ValueError) for a bad value, TypeError for a non-number."""
    if not callable(lr):
        try:
            return number(lr, owner, "lr", above=above_zero)
        except ValueError as error:  # lr was reassigned since the optimizer was built
            raise LearningRateError(str(error)) from None
    rate = lr(step)
    returned = f"{owner}: the learning-rate schedule returned {rate!r} at step {step}"
    if isinstance(rate, bool) or not isinstance(rate, Real):
        raise TypeError(f"{returned}; it must return a number")
    try:
        return number(rate, owner, "lr", above=above_zero)
    except ValueError:
        raise LearningRateError(f"{returned}; it must return a finite number "
                                f"{'>' if above_zero else '>='} 0") from None


def gradients(params: Sequence[Value], owner: str) -> list[float]:
    """Each parameter's .grad as a float (a Value grad from create_graph=True gives its
    data, as PyTorch steps on the grad's value); NonFiniteUpdate for NaN or infinity."""
    grads = []
    for i, p in enumerate(params):
        g = p.grad.data if isinstance(p.grad, Value) else p.grad
        if isinstance(g, bool) or not isinstance(g, Real):
            raise TypeError(f"{owner}.step: parameter {i} has .grad {g!r} "
                            f"({type(g).__name__}); gradients must be numbers")
        g = float(g)
        if not math.isfinite(g):
            raise NonFiniteUpdate(f"{owner}.step: parameter {i} has gradient {g!r}; nothing "
                                  f"was changed. A NaN or infinite gradient means the loss "
                                  f"diverged: lower the learning rate or rescale the inputs")
        grads.append(g)
    return grads


def commit(params: Sequence[Value], new_data: Sequence[float], owner: str, lr: float,
           state: Sequence[Sequence[float]] = ()) -> None:
    """Assign new_data to the parameters, but only if it and the optimizer's new `state`
    lists are all finite; else NonFiniteUpdate, with nothing assigned."""
    for i, x in enumerate(new_data):
        if not -math.inf < x < math.inf:
            raise NonFiniteUpdate(
                f"{owner}.step: the update would make parameter {i} {x!r} (it is "
                f"{params[i].data!r}, lr {lr:g}); nothing was changed. Lower the learning rate")
    for values in state:
        for i, x in enumerate(values):
            if not -math.inf < x < math.inf:
                raise NonFiniteUpdate(
                    f"{owner}.step: the optimizer's state for parameter {i} would become "
                    f"{x!r} (gradient {params[i].grad!r}); nothing was changed. Rescale the "
                    f"loss or the inputs")
    for p, x in zip(params, new_data):
        p.data = x
