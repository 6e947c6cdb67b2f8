"""fit: mini-batch training with a live progress bar, and accuracy as fit reports it.

Accuracy is decided from what the model returns. A list of outputs is right when its
argmax is the target (a class index, or the place of the 1 in a one-hot list; other
list targets are regression). One output is a
score cut at a threshold: 0 for hinge_loss and binary_cross_entropy_with_logits, 0.5 for
binary_cross_entropy; for any other loss, 0 when the labels are -1/+1 and 0.5 when they
are 0/1. Other targets (regression) have no accuracy: None.
"""
from __future__ import annotations

import gc
import os
import random
import sys
import warnings
from functools import reduce
from operator import add
from typing import Any, Callable, Iterable, Sequence

from autograd_mini import Value, no_grad
from nn._checks import check_int
from nn.losses import binary_cross_entropy, binary_cross_entropy_with_logits, hinge_loss, mse_loss
from nn.optim import SGD, Optimizer

Loss = Callable[[Any, Any], Value]
Metric = Callable[[list, list], float]
Callback = Callable[[dict], Any]

# Where a one-output model's score splits the classes, for the losses that fix it.
SCORE_THRESHOLDS = {hinge_loss: 0.0, binary_cross_entropy_with_logits: 0.0,
                    binary_cross_entropy: 0.5}


def fit(model: Callable, X: Sequence, y: Sequence, loss: Loss = mse_loss,
        optimizer: Optimizer | None = None, epochs: int = 100, batch_size: int | None = None,
        shuffle_seed: int | None = 0, metrics: dict[str, Metric] | None = None,
        callbacks: Iterable[Callback] = (), progress: bool | None = None) -> list[dict]:
    """Train `model` on (X, y) by `optimizer` (default SGD, lr 0.1) and return the history:
    one dict per epoch with "epoch", "loss" (mean over the epoch) and "accuracy".

    batch_size None means full batch; mini-batches are reshuffled each epoch from
    `shuffle_seed` (None keeps the order). `metrics` maps names to functions of the
    epoch's (predictions, targets), added to each record. Each callback gets the record
    after every epoch and stops training by returning True. `progress`: None shows the
    bar only in a terminal or notebook, True always, False never. Ctrl-C stops training
    after the current step and returns the history so far; the model keeps its parameters.
    """
    n = _check_data(X, y)
    batch_size = n if batch_size is None else check_int(batch_size, "fit: batch_size", 1)
    check_int(epochs, "fit: epochs", 0)
    if optimizer is None:
        optimizer = SGD(model.parameters(), lr=0.1)
    is_correct = correctness_rule(loss, y)
    shuffler = random.Random(shuffle_seed) if shuffle_seed is not None and batch_size < n else None
    order = list(range(n))
    history: list[dict] = []
    bar = _progress_bar(epochs, progress)
    # The engine's graphs hold no reference cycles, so reference counting frees them;
    # the cyclic collector would only rescan the nodes of every step (about 40% of it).
    collector_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for epoch in range(1, epochs + 1):
            if shuffler:
                shuffler.shuffle(order)
            targets = [y[i] for i in order]
            predictions, total_loss = [], 0.0
            for start in range(0, n, batch_size):
                batch = order[start:start + batch_size]
                batch_predictions, batch_loss = _train_step(model, X, y, batch, loss, optimizer)
                predictions += batch_predictions
                total_loss += batch_loss * len(batch)
            record = {"epoch": epoch, "loss": total_loss / n,
                      "accuracy": _fraction(is_correct, predictions, targets)}
            for name, metric in (metrics or {}).items():
                record[name] = metric(predictions, targets)
            history.append(record)
            bar.set_postfix_str(_summary(record), refresh=False)
            bar.update(1)
            if any([callback(record) is True for callback in callbacks]):
                break
    except KeyboardInterrupt:
        bar.close()  # first, so that the message goes below the bar
        print(f"fit: stopped by Ctrl-C after {len(history)} of {epochs} epochs; the model "
              f"keeps its current parameters", file=sys.stderr)
    finally:
        if collector_was_enabled:
            gc.enable()
        bar.close()
    return history


def accuracy(model: Callable, X: Sequence, y: Sequence, loss: Loss = mse_loss) -> float | None:
    """Fraction of samples the model gets right (rule of this module's docstring); None for
    regression targets. Runs without recording a graph."""
    _check_data(X, y)
    with no_grad():
        predictions = [_data(model(x)) for x in X]
    return _fraction(correctness_rule(loss, y), predictions, list(y))


def correctness_rule(loss: Loss, y: Sequence) -> Callable[[Any, Any], bool] | None:
    """A function (prediction data, target) -> bool for this loss and these labels, or None."""
    threshold = SCORE_THRESHOLDS.get(loss)
    scalar_labels = [t for t in y if isinstance(t, (int, float))]
    label_cut = 0.0 if scalar_labels and min(scalar_labels) < 0 else 0.5
    if threshold is None and scalar_labels:
        labels = set(scalar_labels)
        threshold = 0.0 if labels <= {-1, 1} else 0.5 if labels <= {0, 1} else None

    def is_correct(prediction: Any, target: Any) -> bool | None:
        if isinstance(prediction, list):
            if isinstance(target, int):
                return _argmax(prediction) == target
            if sorted(target) != [0] * (len(target) - 1) + [1]:
                return None  # a list target that is not one-hot: regression
            return _argmax(prediction) == _argmax(target)
        if threshold is None:
            return None
        return (prediction > threshold) == (target > label_cut)

    return is_correct


def _train_step(model: Callable, X: Sequence, y: Sequence, batch: list[int], loss: Loss,
                optimizer: Optimizer) -> tuple[list, float]:
    """One optimizer step on a batch; the predictions and loss before the step, as data."""
    seen: list[tuple[list, float]] = []

    def closure() -> Value:
        optimizer.zero_grad()
        predictions = [model(X[i]) for i in batch]
        batch_loss = reduce(add, map(loss, predictions, [y[i] for i in batch]))
        if len(batch) > 1:
            batch_loss = batch_loss / len(batch)
        batch_loss.backward()
        if not seen:  # a line search calls again: keep the first, at the step's start
            seen.append(([_data(p) for p in predictions], batch_loss.data))
        return batch_loss

    optimizer.step(closure)
    return seen[0]


def _check_data(X: Sequence, y: Sequence) -> int:
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} samples but y has {len(y)}; give one target "
                         f"per sample")
    if not X:
        raise ValueError("no samples: X and y are empty")
    return len(X)


def _fraction(is_correct: Callable | None, predictions: list, targets: list) -> float | None:
    verdicts = [is_correct(p, t) for p, t in zip(predictions, targets)]
    if None in verdicts:
        return None
    return sum(verdicts) / len(verdicts)


def _data(prediction: Any) -> Any:
    if isinstance(prediction, Value):
        return prediction.data
    if isinstance(prediction, list):
        return [_data(p) for p in prediction]
    return prediction


def _argmax(values: Sequence) -> int:
    values = [v.data if isinstance(v, Value) else v for v in values]
    return max(range(len(values)), key=values.__getitem__)


def _summary(record: dict) -> str:
    text = f"loss={record['loss']:.4g}"
    if record["accuracy"] is not None:
        text += f" acc={record['accuracy']:.1%}"
    return text


class _NoBar:
    """Stands in for tqdm when the bar is off."""

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        pass

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(epochs: int, progress: bool | None) -> Any:
    show = progress if progress is not None else _stderr_is_terminal() or _in_notebook()
    if not show:
        return _NoBar()
    with warnings.catch_warnings():
        # Without ipywidgets tqdm.auto warns and falls back to the text bar, which
        # works in a notebook too.
        warnings.simplefilter("ignore")
        from tqdm.auto import tqdm
    return tqdm(total=epochs, desc="fit", unit="epoch", file=sys.stderr, **_fallback_size())


def _fallback_size() -> dict:
    """A fixed size when stderr is a terminal that reports 0 x 0 (some CI and container
    ptys): tqdm would otherwise draw an empty bar."""
    try:
        if os.get_terminal_size(sys.stderr.fileno()).columns == 0:
            return {"ncols": 80, "nrows": 24}
    except (OSError, ValueError, AttributeError):  # not a terminal: tqdm copes
        pass
    return {}


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stream
        return False


def _in_notebook() -> bool:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})
