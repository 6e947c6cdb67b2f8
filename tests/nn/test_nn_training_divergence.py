"""fit stops at the first step that diverges, with TrainingDiverged naming the epoch and
step, the parameters as before that step and the finished epochs in the error."""
from __future__ import annotations

import gc
import math

import pytest

from autograd_mini import Value
from nn import MLP, SGD, fit, mse_loss
from nn.datasets import make_moons
from nn.training import TrainingDiverged, TrainingStopped
import nn.training


class RecordingSGD(SGD):
    """SGD that remembers the parameters before each step it is asked to take."""

    def __init__(self, *args, **options):
        super().__init__(*args, **options)
        self.before_steps = []

    def step(self, closure=None):
        self.before_steps.append([p.data for p in self.params])
        return super().step(closure)


def diverge(loss=mse_loss, X=None, y=None, lr=1e300, sizes=(8, 1), **options):
    """Train until fit raises TrainingDiverged; the error, the model and the optimizer."""
    if X is None:
        X, y = make_moons(40, noise=0.1, seed=0)
    model = MLP(len(X[0]), list(sizes), seed=0)
    optimizer = RecordingSGD(model.parameters(), lr=lr)
    options = {"epochs": 5, "batch_size": 10, "progress": False, **options}
    with pytest.raises(TrainingDiverged) as caught:
        fit(model, X, y, loss=loss, optimizer=optimizer, **options)
    return caught.value, model, optimizer


def assert_as_before_the_step(model, optimizer):
    data = [p.data for p in model.parameters()]
    assert data == optimizer.before_steps[-1]
    assert all(math.isfinite(x) for x in data)


def test_a_forward_pass_that_overflows_stops_fit_naming_epoch_and_step():
    # lr 1e300: the first step makes the weights ~1e299, whose squares overflow
    error, model, optimizer = diverge(lr=1e300)
    assert isinstance(error, ValueError)
    assert (error.epoch, error.step, error.history) == (1, 2, [])
    assert str(error).startswith("fit: the forward pass overflowed at epoch 1, step 2 (batch "
                                 "of 10): ")
    assert "overflows a float. The parameters are as before that step. Lower the learning " \
           "rate (now 1e+300)" in str(error)
    assert "overflow" in str(error.__cause__)
    assert_as_before_the_step(model, optimizer)


def test_the_history_of_the_finished_epochs_is_kept_in_the_error():
    # lr 1e10 takes three epochs to overflow
    error, model, optimizer = diverge(lr=1e10)
    assert (error.epoch, error.step) == (4, 3)
    assert [record["epoch"] for record in error.history] == [1, 2, 3]
    assert all(math.isfinite(record["loss"]) for record in error.history)
    assert_as_before_the_step(model, optimizer)


def test_a_loss_that_becomes_infinite_stops_fit():
    calls = []

    def loss_that_blows_up(prediction, target):
        calls.append(1)
        if len(calls) == 5:  # the first sample of the second epoch (4 samples, full batch)
            return prediction * 0.0 + Value(math.inf, allow_nonfinite=True)
        return mse_loss(prediction, target)

    X, y = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0]
    error, model, optimizer = diverge(loss_that_blows_up, X, y, lr=0.1, batch_size=None)
    assert (error.epoch, error.step, len(error.history)) == (2, 1, 1)
    assert str(error).startswith("fit: the loss became inf at epoch 2, step 1 (batch of 4). "
                                 "The parameters are as before that step. Lower the learning "
                                 "rate (now 0.1)")
    assert_as_before_the_step(model, optimizer)


def test_a_non_finite_gradient_stops_fit_before_any_update():
    # sqrt at 0 has an infinite slope: the loss is finite, its gradient is not
    def steep_loss(prediction, target):
        return ((prediction - target) * 0.0).sqrt() + mse_loss(prediction, target)

    error, model, optimizer = diverge(steep_loss, lr=0.1)
    assert (error.epoch, error.step, error.history) == (1, 1, [])
    assert "at epoch 1, step 1 (batch of 10)" in str(error)
    assert "No update had been made yet: rescale the inputs or targets" in str(error)
    assert_as_before_the_step(model, optimizer)


def test_an_update_that_would_overflow_stops_fit():
    # one linear unit, input 1e5: gradient about 1e10, times lr 1e300 leaves the floats
    X, y = [[1e5]], [0.0]
    error, model, optimizer = diverge(mse_loss, X, y, lr=1e300, sizes=[1])
    assert (error.epoch, error.step) == (1, 1)
    assert str(error).startswith("fit: the update was not finite at epoch 1, step 1 (batch of "
                                 "1): RecordingSGD.step: the update would make parameter")
    assert_as_before_the_step(model, optimizer)
    assert optimizer.steps == 0


def test_divergence_closes_the_progress_bar_and_restores_the_collector(monkeypatch):
    closed = []

    class SpyBar:
        def set_postfix_str(self, text, refresh=True):
            pass

        def update(self, n=1):
            pass

        def close(self):
            closed.append(True)

    monkeypatch.setattr(nn.training, "_progress_bar", lambda epochs, progress: SpyBar())
    assert gc.isenabled()
    diverge(lr=1e300)
    assert closed and gc.isenabled()


def test_a_mean_loss_whose_sum_overflows_is_still_the_finite_mean():
    # four batches of loss 1e308: the sum overflows, the mean does not
    def huge_loss(prediction, target):
        return prediction * 0.0 + 1e308

    model = MLP(2, [1], seed=0)
    history = fit(model, [[0.0, 1.0]] * 4, [0.0] * 4, loss=huge_loss,
                  optimizer=SGD(model.parameters(), lr=0.1), epochs=1, batch_size=1,
                  progress=False)
    assert history[0]["loss"] == pytest.approx(1e308)


def test_a_schedule_that_turns_negative_stops_fit_keeping_the_history():
    # the demo's decaying rate, run for longer than it was planned: step 5 gets -0.01
    X, y = make_moons(40, noise=0.1, seed=0)
    model = MLP(2, [8, 1], seed=0)
    optimizer = RecordingSGD(model.parameters(), lr=lambda step: 0.1 - 0.11 * step / 5)
    with pytest.raises(TrainingStopped) as caught:
        fit(model, X, y, optimizer=optimizer, epochs=5, batch_size=10, progress=False)
    error = caught.value
    assert not isinstance(error, TrainingDiverged)
    assert (error.epoch, error.step, len(error.history)) == (2, 2, 1)
    assert str(error).startswith("fit: stopped at epoch 2, step 2 (batch of 10): RecordingSGD: "
                                 "the learning-rate schedule returned -0.0100")
    assert_as_before_the_step(model, optimizer)
