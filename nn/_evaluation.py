"""What fit and accuracy compute from a model's outputs without training: whether a
prediction is right (the rule of nn/training.py's docstring), the fraction right, the mean
loss, the loss on validation data, and the check that a loss returned something fit can use.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Sequence

from autograd_mini import FloatOverflowError, Value, no_grad
from nn._checks import short_repr
from nn._fit_arguments import resolve_loss
from nn._training_data import as_samples
from nn.losses import binary_cross_entropy, binary_cross_entropy_with_logits, hinge_loss

Loss = Callable[[Any, Any], Any]

# Where a one-output model's score splits the classes, for the losses that fix it.
SCORE_THRESHOLDS: dict[Callable[..., Any], float] = {
    hinge_loss: 0.0, binary_cross_entropy_with_logits: 0.0, binary_cross_entropy: 0.5}


def correctness_rule(loss: Loss | str, y: Sequence) -> Callable[[Any, Any], bool | None]:
    """A function (prediction data, target) -> bool for this loss (a function or its name)
    and these labels; it gives None where there is no right answer (regression)."""
    y = as_samples(y, "y", "correctness_rule")
    threshold = SCORE_THRESHOLDS.get(resolve_loss(loss, "correctness_rule"))
    scalar_labels = [t for t in y if isinstance(t, (int, float))]
    label_cut = 0.0 if scalar_labels and min(scalar_labels) < 0 else 0.5
    if threshold is None and scalar_labels:
        labels = set(scalar_labels)
        threshold = 0.0 if labels <= {-1, 1} else 0.5 if labels <= {0, 1} else None

    def is_correct(prediction: Any, target: Any) -> bool | None:
        if isinstance(prediction, list):
            if isinstance(target, int):
                return argmax(prediction) == target
            if sorted(target) != [0] * (len(target) - 1) + [1]:
                return None  # a list target that is not one-hot: regression
            return argmax(prediction) == argmax(target)
        if threshold is None:
            return None
        return (prediction > threshold) == (target > label_cut)

    return is_correct


def fraction(is_correct: Callable[[Any, Any], bool | None], predictions: list,
             targets: list) -> float | None:
    """The fraction of right predictions; a None prediction (one that overflowed) is wrong."""
    verdicts = [False if p is None else is_correct(p, t) for p, t in zip(predictions, targets)]
    if None in verdicts:
        return None
    return sum(map(bool, verdicts)) / len(verdicts)


def argmax(values: Sequence) -> int:
    """The place of the largest of `values` (Values or numbers)."""
    values = [v.data if isinstance(v, Value) else v for v in values]
    return max(range(len(values)), key=values.__getitem__)


def as_data(prediction: Any) -> Any:
    """A prediction's numbers: a Value's data, a list's items' data."""
    if isinstance(prediction, Value):
        return prediction.data
    if isinstance(prediction, list):
        return [as_data(p) for p in prediction]
    return prediction


def mean_loss(batch_losses: list[tuple[float, int]], n: int) -> float:
    """The epoch's mean loss over samples; by fractions when the sum of finite batch losses
    overflows, since their mean is finite."""
    total = 0.0
    for batch_loss, size in batch_losses:
        total += batch_loss * size
    if -math.inf < total < math.inf:
        return total / n
    return sum(batch_loss * (size / n) for batch_loss, size in batch_losses)


def validate(model: Callable, loss: Loss, X_val: list, y_val: list,
             is_correct: Callable[[Any, Any], bool | None]) -> tuple[float, float | None]:
    """The mean loss and the accuracy on the validation data, without recording a graph; a
    sample whose forward pass overflows counts as an infinite loss and a wrong answer."""
    losses: list[float] = []
    predictions: list[Any] = []
    with no_grad():
        for i, (x, target) in enumerate(zip(X_val, y_val)):
            try:
                prediction = model(x)
                result = loss(prediction, target)
                checked_losses([result], loss, "validation_data[0]", [i])
            except FloatOverflowError:
                losses.append(math.inf)
                predictions.append(None)
                continue
            losses.append(as_data(result))
            predictions.append(as_data(prediction))
    return (mean_loss([(sample_loss, 1) for sample_loss in losses], len(losses)),
            fraction(is_correct, predictions, y_val))


def checked_losses(losses: list, loss: Loss, data: str, indices: Sequence[int]) -> list:
    """`losses`, the loss's results for the samples `data`[i] for i in `indices`, if each is
    a Value or a plain number (a constant, as max(0, margin) can give); else a TypeError
    naming the loss."""
    for result, i in zip(losses, indices):
        if not (isinstance(result, Value) or result.__class__ in (int, float)):
            raise TypeError(f"fit: the loss {callable_name(loss)} returned "
                            f"{type(result).__name__} {short_repr(result)} for {data}[{i}]; a "
                            f"loss must return a Value (one number), computed from the "
                            f"prediction")
    return losses


def callable_name(function: Any) -> str:
    """A function's name for a message: its qualified name, else its short repr."""
    name = getattr(function, "__qualname__", None)
    return name if isinstance(name, str) else short_repr(function)
