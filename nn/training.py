"""fit: mini-batch training with a live progress bar, and accuracy as fit reports it.

Accuracy is decided from what the model returns. A list of outputs is right when its
argmax is the target (a class index, or the place of the 1 in a one-hot list; other
list targets are regression). One output is a
score cut at a threshold: 0 for hinge_loss and binary_cross_entropy_with_logits, 0.5 for
binary_cross_entropy; for any other loss, 0 when the labels are -1/+1 and 0.5 when they
are 0/1. Other targets (regression) have no accuracy: None.

X and y may be lists or numpy arrays (of any numeric dtype); fit converts them to lists
first, so both train bit-identically. When training diverges (a loss that is not finite,
a forward pass that overflows, a NaN or infinite gradient or update), fit raises
TrainingDiverged, a ValueError carrying the finished epochs' history, with the parameters
as they were before the step that diverged (TrainingStopped, its base, for a learning-rate
schedule's bad value).
"""
from __future__ import annotations

import gc
import math
import random
import sys
from collections.abc import Mapping
from functools import reduce
from operator import add
from typing import Any, Callable, Iterable, Sequence

from autograd_mini import FloatOverflowError, NonFiniteGradientError, Value
from nn._bulk import data_of
from nn._checks import (as_list, check_callable, check_flag, check_instance, check_int,
                         check_seed, plain, short_repr)
from nn._compiled import EagerSteps, StepRunner, step_difference, step_runner
from nn.modules import declares_static_graph
from nn._evaluation import (SCORE_THRESHOLDS, as_data, callable_name, checked_losses,
                            correctness_rule, fraction, mean_loss, validate)
from nn._fit_arguments import (begin_schedule_run, check_validation_data,
                               explain_extra_positionals, resolve_loss, resolve_optimizer,
                               swap_hint)
from nn._progress import progress_bar as _progress_bar
from nn._training_data import as_samples
from nn.losses import mse_loss
from nn.optim import LearningRate, LearningRateError, NonFiniteUpdate, Optimizer
from nn.prediction import predict

__all__ = ["fit", "accuracy", "correctness_rule", "SCORE_THRESHOLDS", "TrainingStopped",
           "TrainingDiverged", "CompileMismatch"]

Loss = Callable[[Any, Any], Value]
Metric = Callable[[list, list], float]
Callback = Callable[[dict], Any]


class TrainingStopped(ValueError):
    """fit stopped by an error in the step at `epoch`, `step` (both from 1), e.g. a learning
    rate schedule's bad value; `history` holds the records of the epochs finished before,
    the parameters are as they were before that step, and the error is `__cause__`."""

    def __init__(self, message: str, history: list[dict], epoch: int, step: int) -> None:
        super().__init__(message)
        self.history, self.epoch, self.step = history, epoch, step


class TrainingDiverged(TrainingStopped):
    """fit stopped because training diverged: a loss, gradient or update that is not finite,
    or a forward pass that overflowed, at `epoch`, `step`; see TrainingStopped."""


class CompileMismatch(TrainingStopped):
    """fit(compile=N) found a compiled step that differs from the same step run eagerly,
    at `epoch`, `step`: the model's graph depends on the data. See TrainingStopped."""


class _Mismatch(ValueError):
    """Raised inside a step's closure: its compiled computation differs from the eager one."""


class _Diverging(ValueError):
    """Raised inside a step's closure: a ValueError, so that a line search (which treats one
    as "too far") can recover; `reason` says what stopped being finite."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@explain_extra_positionals
def fit(model: Callable, X: Sequence, y: Sequence, *, loss: Loss | str = mse_loss,
        optimizer: Optimizer | str | None = "sgd", lr: LearningRate | None = None,
        epochs: int = 100, batch_size: int | None = None,
        validation_data: tuple[Sequence, Sequence] | None = None,
        shuffle_seed: int | None = 0, metrics: dict[str, Metric] | None = None,
        callbacks: Iterable[Callback] = (), progress: bool | None = None,
        compile: bool | int | None = None) -> list[dict]:
    """Train `model` on (X, y) by `optimizer` (default SGD, lr 0.1) and return the history:
    one dict per epoch with "epoch", "loss" (mean over the epoch) and "accuracy".

    Everything after `y` is keyword-only. `loss` is a function (prediction, target) -> Value
    or one of the names "mse", "bce", "bce_with_logits", "hinge", "cross_entropy";
    `optimizer` an optimizer object or one of "sgd", "adam", "rprop", "cg", built on
    `model.parameters()` with `lr` (a number or a schedule; by default its class's rate, 0.1
    for "sgd"). An optimizer object keeps its own rate: `lr` with one is a TypeError. A
    schedule of nn.schedules as the rate is told the run's length (epochs x batches per
    epoch) before training, so that it reaches its end rate at the last step.
    `validation_data=(X_val, y_val)` adds "val_loss" and "val_accuracy" to each record,
    computed after the epoch without recording a graph, by the same loss and accuracy rule.

    batch_size None means full batch; mini-batches are reshuffled each epoch from
    `shuffle_seed` (None keeps the order). `metrics` maps names to functions of the
    epoch's (predictions, targets), added to each record. Each callback gets the record
    after every epoch and stops training by returning True. `progress`: None shows the
    bar only in a terminal or notebook, True always, False never. Ctrl-C stops training
    after the current step and returns the history so far; the model keeps its parameters.
    When the loss, a gradient or an update stops being finite, or the forward pass overflows,
    fit raises TrainingDiverged (a ValueError) naming the epoch and step, with the parameters
    as before that step and the finished epochs in its `.history`; a learning-rate schedule
    that returns a bad rate stops it likewise with TrainingStopped, its base class.

    `compile`: True captures the model on one sample, compiled as a loop over a batch's
    rows (autograd_mini.compiler.compile_batched), and runs it at every step: the same
    history as eager, several times faster. The rule, as with jax.jit: the model's graph
    must not depend on the data (no Python `if` on a value). An int N compiles and also runs every N-th step
    eagerly, raising CompileMismatch when the two differ. None (the default) compiles a model
    whose class declares `static_graph = True` in its own body, as nn's MLP, Layer and Neuron
    do (a subclass must declare it again), and runs any other model eagerly.
    """
    X, y = as_samples(X, "X"), as_samples(y, "y")
    n = _check_data(X, y)
    check_callable(model, "fit: model", "a model: a callable such as MLP(2, [8, 1])")
    loss = resolve_loss(loss)
    validation = check_validation_data(validation_data, X, y)
    batch_size = n if batch_size is None else check_int(batch_size, "fit: batch_size", 1)
    epochs = check_int(epochs, "fit: epochs", 0)
    shuffle_seed = check_seed(shuffle_seed, "fit: shuffle_seed")
    metrics, callbacks = _check_hooks(metrics, callbacks)
    progress = check_flag(progress, "fit: progress", optional=True)
    compile = _check_compile(compile)
    if compile is None:  # the default: compiled when the model's class declares it may be
        compile = declares_static_graph(model)
    runner = step_runner(model, X, compile)
    optimizer = resolve_optimizer(optimizer, lr, model)
    begin_schedule_run(optimizer, epochs * -(-n // batch_size))
    is_correct = correctness_rule(loss, y)
    shuffler = random.Random(shuffle_seed) if shuffle_seed is not None and batch_size < n else None
    order = list(range(n))
    history: list[dict] = []
    steps_begun = 0  # over all epochs: every runner.check_every-th step is checked
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
            predictions, batch_losses = [], []
            for step, start in enumerate(range(0, n, batch_size), 1):
                batch = order[start:start + batch_size]
                steps_begun += 1
                check = runner.check_every > 0 and steps_begun % runner.check_every == 0
                try:
                    batch_predictions, batch_loss = _train_step(model, X, y, batch, loss,
                                                                optimizer, runner, check)
                except (_Diverging, NonFiniteUpdate) as error:
                    message = _divergence_message(error, epoch, step, len(batch), optimizer)
                    raise TrainingDiverged(message, history, epoch, step) from (
                        error.__cause__ if isinstance(error, _Diverging) else error)
                except _Mismatch as error:
                    raise CompileMismatch(
                        f"fit(compile={compile!r}): at epoch {epoch}, step {step} (batch of "
                        f"{len(batch)}): {error}", history, epoch, step) from None
                except LearningRateError as error:
                    raise TrainingStopped(
                        f"fit: stopped at epoch {epoch}, step {step} (batch of {len(batch)}): "
                        f"{error}. The parameters are as before that step; the finished "
                        f"epochs are in this error's .history", history, epoch, step) from error
                except (TypeError, ValueError) as error:
                    hint = swap_hint(X, y) if steps_begun == 1 else ""
                    if not hint:
                        raise
                    kind = TypeError if isinstance(error, TypeError) else ValueError
                    raise kind(f"fit: the first step failed: {error}{hint}") from error
                predictions += batch_predictions
                batch_losses.append((batch_loss, len(batch)))
            record = {"epoch": epoch, "loss": mean_loss(batch_losses, n),
                      "accuracy": fraction(is_correct, predictions, targets)}
            if validation is not None:
                record["val_loss"], record["val_accuracy"] = validate(model, loss, *validation,
                                                                       is_correct)
            for name, metric in metrics.items():
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


def accuracy(model: Callable, X: Sequence, y: Sequence,
             loss: Loss | str = mse_loss) -> float | None:
    """Fraction of samples the model gets right (rule of this module's docstring); None for
    regression targets. Runs without recording a graph: by nn.prediction.predict, which
    replays a model declaring a static graph compiled, with the numbers of no_grad()."""
    X, y = as_samples(X, "X", "accuracy"), as_samples(y, "y", "accuracy")
    _check_data(X, y)
    loss = resolve_loss(loss, "accuracy")
    check_callable(model, "accuracy: model", "a model: a callable such as MLP(2, [8, 1])")
    return fraction(correctness_rule(loss, y), predict(model, X), y)


def _train_step(model: Callable, X: Sequence, y: Sequence, batch: list[int], loss: Loss,
                optimizer: Optimizer, runner: StepRunner, check: bool) -> tuple[list, float]:
    """One optimizer step on a batch; the predictions and loss before the step, as data.
    When the step fails by _Diverging, NonFiniteUpdate or LearningRateError, the parameters
    are put back as they were. `runner` computes predictions and gradients (nn/_compiled.py);
    with `check`, the step is also computed eagerly, and _Mismatch raised if they differ."""
    seen: list[tuple[list, float]] = []
    params = list(getattr(optimizer, "params", ()))

    def check_against_eager(predictions: list, loss_data: float) -> None:
        grads = [p.grad for p in params]
        eager_predictions, _, eager_loss = _gradients(EagerSteps(), model, X, y, batch, loss,
                                                      optimizer)
        eager = ([as_data(p) for p in eager_predictions], eager_loss, [p.grad for p in params])
        for p, g in zip(params, grads):  # the step goes on with the runner's gradients
            p.grad = g
        difference = step_difference((predictions, loss_data, grads), eager, params)
        if difference is not None:
            raise _Mismatch(difference)

    def closure() -> Value:
        predictions, batch_loss, loss_data = _gradients(runner, model, X, y, batch, loss,
                                                        optimizer)
        if not seen:  # a line search calls again: keep the first, at the step's start
            seen.append(([as_data(p) for p in predictions], loss_data))
            if check:
                check_against_eager(*seen[0])
        return batch_loss

    # an Optimizer's parameters are Values (checked when it was built): read at C speed
    before = data_of(params) if isinstance(optimizer, Optimizer) else [p.data for p in params]
    try:
        optimizer.step(closure)
    except (_Diverging, NonFiniteUpdate, LearningRateError):
        for p, x in zip(params, before):
            p.data = x
        raise
    return seen[0]


def _gradients(runner: StepRunner, model: Callable, X: Sequence, y: Sequence, batch: list[int],
               loss: Loss, optimizer: Optimizer) -> tuple[list, Value, Any]:
    """The batch's predictions and loss, with the loss's gradients in the parameters."""
    optimizer.zero_grad()
    try:
        predictions = runner.predictions(model, [X[i] for i in batch])
        losses = list(map(loss, predictions, [y[i] for i in batch]))
        batch_loss = reduce(add, checked_losses(losses, loss, "X", batch))
        if len(batch) > 1:
            batch_loss = batch_loss / len(batch)
    except FloatOverflowError as error:  # other errors (a domain, the data) are the caller's
        raise _Diverging("the forward pass overflowed") from error
    if not isinstance(batch_loss, Value):
        raise TypeError(f"fit: the loss {callable_name(loss)} returned plain numbers for the "
                        f"whole batch ({short_repr(losses[0])} for X[{batch[0]}]), so there is "
                        f"nothing to differentiate: a loss must return a Value computed from "
                        f"the prediction, not from its .data")
    loss_data = as_data(batch_loss)
    if not _is_finite(loss_data):
        raise _Diverging(f"the loss became {loss_data!r}")
    try:
        runner.backward(batch_loss)
    except NonFiniteGradientError as error:
        raise _Diverging("a gradient became NaN or infinite") from error
    return predictions, batch_loss, loss_data


def _check_hooks(metrics: Any, callbacks: Any) -> tuple[Mapping, list]:
    """fit's metrics (a mapping of names to functions) and callbacks (a list of functions)."""
    metrics = check_instance({} if metrics is None else metrics, "fit: metrics", Mapping,
                             "a dict of name: function (predictions, targets) -> number")
    callbacks = as_list(callbacks, "fit: callbacks", "a list of functions of the epoch's record")
    hooks = [(f"fit: metrics[{short_repr(name)}]", metric) for name, metric in metrics.items()]
    hooks += [(f"fit: callbacks[{i}]", callback) for i, callback in enumerate(callbacks)]
    for what, hook in hooks:
        check_callable(hook, what, "a function")
    return metrics, callbacks


def _check_compile(compile: Any) -> bool | int | None:
    compile = plain(compile)
    if compile is None or isinstance(compile, bool):
        return compile
    return check_int(compile, "fit: compile (True, False, or check every N steps)", 1)


# The causes of divergence that say what happened (`what`) apart from their advice.
_SAYS_WHAT = (FloatOverflowError, NonFiniteGradientError, NonFiniteUpdate)


def _divergence_message(error: ValueError, epoch: int, step: int, batch: int,
                        optimizer: Optimizer) -> str:
    reason = error.reason if isinstance(error, _Diverging) else "the update was not finite"
    cause = error.__cause__ if isinstance(error, _Diverging) else error
    # what the cause says happened; its own advice is replaced by ours
    detail = f": {cause.what}" if isinstance(cause, _SAYS_WHAT) else ""
    where = (f"fit: {reason} at epoch {epoch}, step {step} (batch of {batch}){detail}. The "
             f"parameters are as before that step")
    if not getattr(optimizer, "steps", 1):
        return (f"{where}. No update had been made yet: rescale the inputs or targets, or "
                f"check the model and the loss")
    return (f"{where}. Lower the learning rate{_current_lr_text(optimizer)} or rescale the "
            f"inputs; the finished epochs are in this error's .history")


def _current_lr_text(optimizer: Optimizer) -> str:
    try:
        return f" (now {optimizer.current_lr():g})"
    except Exception:  # a custom optimizer, or a schedule that fails: say nothing of it
        return ""


def _is_finite(x: Any) -> bool:
    try:
        return math.isfinite(x)
    except (TypeError, OverflowError):  # not a float-like number: let the loss code judge
        return True


def _check_data(X: Sequence, y: Sequence) -> int:
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} samples but y has {len(y)}; give one target "
                         f"per sample")
    if not X:
        raise ValueError("no samples: X and y are empty")
    return len(X)


def _summary(record: dict) -> str:
    text = f"loss={record['loss']:.4g}"
    if record["accuracy"] is not None:
        text += f" acc={record['accuracy']:.1%}"
    if "val_loss" in record:
        text += f" val_loss={record['val_loss']:.4g}"
        if record["val_accuracy"] is not None:
            text += f" val_acc={record['val_accuracy']:.1%}"
    return text
