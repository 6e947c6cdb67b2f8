"""fit's arguments beyond the training data, checked and resolved: the loss and optimizer
given by name or as objects, `lr`, the validation data, a schedule told its run, and a
clear error for values given by position after `y`."""
from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Callable, ParamSpec, Sequence, TypeVar

from nn._checks import (check_callable, check_choice, check_methods, check_number, check_pair,
                        short_repr)
from nn._training_data import as_samples
from nn.losses import LOSSES
from nn.optim import SGD, Adam, ConjugateGradient, Optimizer, Rprop
from nn.schedules import Schedule

# The names fit takes for its optimizer, as Keras users write them.
OPTIMIZERS: Mapping[str, type[Optimizer]] = MappingProxyType({
    "sgd": SGD, "adam": Adam, "rprop": Rprop, "cg": ConjugateGradient})
# fit's default optimizer is SGD at this rate; "sgd" without lr= is the same. The other
# names take their class's default rate (PyTorch's).
DEFAULT_SGD_LR = 0.1

Loss = Callable[[Any, Any], Any]
P = ParamSpec("P")
R = TypeVar("R")


def explain_extra_positionals(function: Callable[P, R]) -> Callable[P, R]:
    """`function`, whose arguments after the positional ones are keyword-only, raising a
    TypeError that names the keywords extra positional values were likely meant for, where
    Python would only count them ("takes 3 positional arguments but 4 were given")."""
    parameters = inspect.signature(function).parameters.values()
    positional = sum(p.kind is p.POSITIONAL_OR_KEYWORD for p in parameters)
    keywords = [p.name for p in parameters if p.kind is p.KEYWORD_ONLY]

    @functools.wraps(function)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        if len(args) > positional:
            raise TypeError(_extra_positionals_message(args[positional:], keywords))
        return function(*args, **kwargs)

    return checked


def _extra_positionals_message(extra: Sequence[Any], keywords: list[str]) -> str:
    taken: set[str] = set()
    written = []
    for value in extra:
        keyword = _likely_keyword(value, taken) or "<keyword>"
        taken.add(keyword)
        written.append(f"{keyword}={_shown(value)}")
    several = len(extra) > 1
    return (f"fit: model, X and y are its only positional arguments, got {len(extra)} more "
            f"value{'s' if several else ''} after y ({', '.join(map(_shown, extra))}); pass "
            f"{'them' if several else 'it'} by keyword, e.g. fit(model, X, y, "
            f"{', '.join(written)}). fit's keywords: {', '.join(keywords)}")


def _likely_keyword(value: Any, taken: set[str]) -> str | None:
    """The keyword of fit a value given by position was most likely meant for, by its kind."""
    candidates: list[str] = []
    if isinstance(value, str):
        candidates = ["loss"] if value in LOSSES else ["optimizer"] if value in OPTIMIZERS else []
    elif isinstance(value, bool):
        candidates = ["progress"]
    elif isinstance(value, int):
        candidates = ["epochs", "batch_size"]
    elif isinstance(value, (float, Schedule)):
        candidates = ["lr"]
    elif _is_optimizer(value):
        candidates = ["optimizer"]
    elif callable(value):
        candidates = ["loss"]
    elif isinstance(value, tuple) and len(value) == 2:
        candidates = ["validation_data"]
    return next((name for name in candidates if name not in taken), None)


def _shown(value: Any) -> str:
    if _is_optimizer(value):
        return f"{type(value).__name__}(...)"
    name = getattr(value, "__name__", None)
    return name if callable(value) and isinstance(name, str) else short_repr(value)


def _is_optimizer(value: Any) -> bool:
    return callable(getattr(value, "step", None)) and callable(getattr(value, "zero_grad", None))


def resolve_loss(loss: Any, caller: str = "fit") -> Loss:
    """The loss function `loss` names (one of LOSSES), or `loss` itself if it is callable;
    a ValueError for an unknown name and a TypeError for anything else, both listing the
    names."""
    if isinstance(loss, str):
        return LOSSES[check_choice(loss, f"{caller}: loss", list(LOSSES), "loss")]
    return check_callable(loss, f"{caller}: loss", f"a function (prediction, target) -> Value "
                          f"such as mse_loss, or one of the names {', '.join(LOSSES)}")


def resolve_optimizer(optimizer: Any, lr: Any, model: Any) -> Optimizer:
    """The optimizer fit trains with: `optimizer` itself, or one built on the model's
    parameters from its name (None is "sgd") with `lr` (its class's default rate when None;
    0.1 for SGD, fit's default). `lr` with an optimizer object is a TypeError: it has its
    own."""
    if optimizer is None or isinstance(optimizer, str):
        name = "sgd" if optimizer is None else check_choice(
            optimizer, "fit: optimizer", list(OPTIMIZERS), "optimizer")
        kind = OPTIMIZERS[name]
        check_methods(model, "fit: model", ["parameters"],
                      "a Module (with parameters()) when the optimizer is given by name or not "
                      "at all")
        if lr is None and kind is SGD:
            lr = DEFAULT_SGD_LR
        elif lr is not None and not callable(lr):
            lr = check_number(lr, "fit: lr", 0.0, above=kind.lr_above_zero)
        options: dict[str, Any] = {} if lr is None else {"lr": lr}
        return kind(model.parameters(), **options)
    check_methods(optimizer, "fit: optimizer", ["step", "zero_grad"],
                  f"an optimizer such as SGD(model.parameters(), lr=0.1), or one of the names "
                  f"{', '.join(OPTIMIZERS)}")
    if lr is not None:
        kind_name = type(optimizer).__name__
        raise TypeError(f"fit: lr={short_repr(lr)} is for an optimizer given by name, but "
                        f"this optimizer ({kind_name}) has its own learning rate: set it "
                        f"there, e.g. {kind_name}(model.parameters(), lr={short_repr(lr)}), "
                        f"and drop fit's lr=")
    return optimizer


def begin_schedule_run(optimizer: Optimizer, total_steps: int) -> None:
    """Tell the optimizer's learning rate, if it is a Schedule, the run it spans: from the
    optimizer's next step, `total_steps` steps."""
    schedule = getattr(optimizer, "lr", None)
    if isinstance(schedule, Schedule) and total_steps > 0:
        steps = getattr(optimizer, "steps", 0)
        first = steps if isinstance(steps, int) and not isinstance(steps, bool) and steps >= 0 \
            else 0  # an optimizer of the user's own may count otherwise
        schedule.begin_run(total_steps, first_step=first)


def check_validation_data(validation_data: Any, X: list, y: list) -> tuple[list, list] | None:
    """validation_data as (X_val, y_val) lists of samples, checked as X and y are, with one
    target per sample and the shapes of the training samples; None stays None."""
    if validation_data is None:
        return None
    X_val, y_val = check_pair(validation_data, "fit: validation_data", "(X_val, y_val)")
    X_val = as_samples(X_val, "validation_data[0]")
    y_val = as_samples(y_val, "validation_data[1]")
    if len(X_val) != len(y_val):
        raise ValueError(f"fit: validation_data[0] has {len(X_val)} samples but "
                         f"validation_data[1] has {len(y_val)}; give one target per sample")
    if not X_val:
        raise ValueError("fit: validation_data has no samples: give (X_val, y_val) with at "
                         "least one, or validation_data=None")
    swapped = (_shape(X_val[0]) == _shape(y[0]) and _shape(y_val[0]) == _shape(X[0])
               and _shape(X[0]) != _shape(y[0]))
    for i, (given, training, name) in enumerate([(X_val, X, "X"), (y_val, y, "y")]):
        if _shape(given[0]) != _shape(training[0]):
            hint = ("; X_val and y_val look swapped: validation_data is (X_val, y_val), "
                    "the inputs first" if swapped else "")
            raise ValueError(f"fit: validation_data[{i}][0] is {_shape_text(given[0])} but "
                             f"{name}[0] is {_shape_text(training[0])}: validation samples "
                             f"must have the shape of the training samples{hint}")
    return X_val, y_val


def swap_hint(X: list, y: list) -> str:
    """A hint for an error in the first step when X and y look swapped (X holds single
    numbers, y lists of them, as labels and features do); "" otherwise."""
    if X and y and not isinstance(X[0], list) and isinstance(y[0], list):
        return (f". X holds single numbers and y lists of {len(y[0])}: were X and y swapped? "
                f"fit takes fit(model, X, y): the inputs (features) first, then the targets "
                f"(labels)")
    return ""


def _shape(sample: Any) -> int | None:
    return len(sample) if isinstance(sample, list) else None


def _shape_text(sample: Any) -> str:
    return "a number" if not isinstance(sample, list) else f"a list of {len(sample)}"
