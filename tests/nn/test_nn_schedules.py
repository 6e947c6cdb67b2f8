"""nn.schedules: learning rates that go from `start` at a run's first step to `end` at its
last, exactly, the run's length told by fit (or total_steps=); an optimizer passes its count
of completed steps, 0 for its first."""
from __future__ import annotations

import math

import pytest

from autograd_mini import Value
from nn import MLP, SGD, Adam, Rprop, fit
from nn.datasets import make_moons
from nn.schedules import Schedule, TotalStepsMissing, cosine, linear, step


class RecordingSGD(SGD):
    """SGD that keeps the learning rate of every step it takes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.used = []

    def current_lr(self):
        rate = super().current_lr()
        self.used.append(rate)
        return rate


def rates_of_steps(schedule, steps):
    """The rate an optimizer uses at each of its first `steps` steps: a parameter at 0 with
    gradient 1 moves to -lr exactly."""
    p = Value(0.0)
    optimizer = SGD([p], lr=schedule)
    used = []
    for _ in range(steps):
        p.data, p.grad = 0.0, 1.0
        optimizer.step()
        used.append(-p.data)
    return used


@pytest.mark.parametrize("make", [linear, cosine])
@pytest.mark.parametrize("total", [2, 3, 7, 600])
def test_the_first_step_uses_start_and_the_last_end_exactly(make, total):
    used = rates_of_steps(make(0.1, 0.001, total_steps=total), total)
    assert used[0] == 0.1 and used[-1] == 0.001


def test_linear_goes_in_equal_steps():
    used = rates_of_steps(linear(0.5, 0.1, total_steps=5), 5)
    assert used == pytest.approx([0.5, 0.4, 0.3, 0.2, 0.1], abs=1e-15)


def test_cosine_is_half_a_cosine_from_start_to_end():
    used = rates_of_steps(cosine(1.0, 0.0, total_steps=5), 5)
    # PyTorch's CosineAnnealingLR with T_max=4, eta_min=0: (1 + cos(pi k / 4)) / 2
    assert used == pytest.approx([(1 + math.cos(math.pi * k / 4)) / 2 for k in range(5)],
                                 abs=1e-15)
    assert used[2] == pytest.approx(0.5)


def test_step_multiplies_by_gamma_every_so_many_steps():
    assert rates_of_steps(step(0.8, 0.5, 3), 8) == [0.8] * 3 + [0.4] * 3 + [0.2] * 2


def test_a_rising_schedule_goes_from_start_to_end_too():
    used = rates_of_steps(linear(0.0, 0.3, total_steps=4), 4)
    assert used[0] == 0.0 and used[-1] == 0.3


def test_a_run_of_one_step_uses_start():
    assert rates_of_steps(linear(0.1, 0.01, total_steps=1), 1) == [0.1]


def test_steps_after_the_run_keep_the_end_rate():
    assert rates_of_steps(cosine(0.1, 0.01, total_steps=3), 6)[2:] == [0.01] * 4
    assert rates_of_steps(step(1.0, 0.5, 1, total_steps=2), 4) == [1.0, 0.5, 0.5, 0.5]


@pytest.mark.parametrize("make", [lambda: linear(0.1, 0.01), lambda: cosine(0.1, 0.01)])
def test_a_schedule_without_its_length_says_to_give_it_or_use_fit(make):
    schedule = make()
    with pytest.raises(TotalStepsMissing, match=r"train with fit.*total_steps="):
        schedule(0)
    p = Value(1.0)
    p.grad = 1.0
    optimizer = SGD([p], lr=schedule)
    with pytest.raises(TotalStepsMissing):  # a ValueError; the step is not taken
        optimizer.step()
    assert p.data == 1.0 and optimizer.steps == 0


def test_step_needs_no_length():
    assert step(0.1, 0.5, 10)(25) == 0.1 * 0.5 ** 2


@pytest.mark.parametrize("call, error, argument", [
    (lambda: linear("0.1", 0.01), TypeError, "linear: start"),
    (lambda: linear(0.1, math.nan), ValueError, "linear: end"),
    (lambda: cosine(0.1, -1.0), ValueError, "cosine: end"),
    (lambda: linear(0.1, 0.01, total_steps=0), ValueError, "linear: total_steps"),
    (lambda: linear(0.1, 0.01, total_steps=10.0), TypeError, "linear: total_steps"),
    (lambda: step(0.1, 0.5, 0), ValueError, "step: every"),
    (lambda: step(0.1, None, 2), TypeError, "step: gamma"),
    (lambda: linear(0.1, 0.01, total_steps=5)(-1), ValueError, "linear schedule: step"),
])
def test_a_bad_argument_is_refused_by_name(call, error, argument):
    with pytest.raises(error, match=f"^{argument} "):
        call()


def test_a_schedule_shows_its_arguments():
    assert repr(linear(0.1, 0.01)) == "linear(start=0.1, end=0.01)"
    assert repr(step(0.1, 0.5, 3, total_steps=9)) == (
        "step(start=0.1, gamma=0.5, every=3, total_steps=9)")


def train(schedule, epochs, batch_size, samples=20, optimizer=RecordingSGD):
    X, y = make_moons(samples, noise=0.1, seed=0)
    model = MLP(2, [4, 1], seed=0)
    opt = optimizer(model.parameters(), lr=schedule)
    fit(model, X, y, loss="hinge", optimizer=opt, epochs=epochs, batch_size=batch_size,
        progress=False)
    return opt


@pytest.mark.parametrize("epochs, batch_size, steps", [(1, None, 1), (3, 7, 9), (5, 10, 10)])
def test_fit_tells_the_schedule_the_run_so_that_it_ends_at_end(epochs, batch_size, steps):
    opt = train(linear(0.2, 0.02), epochs, batch_size)
    assert len(opt.used) == steps == opt.lr.total_steps  # epochs x ceil(20 / batch_size)
    assert opt.used[0] == 0.2
    assert opt.used[-1] == (0.02 if steps > 1 else 0.2)


def test_fit_replaces_a_length_given_before():
    opt = train(cosine(0.2, 0.02, total_steps=1000), epochs=2, batch_size=10)
    assert opt.used[0] == 0.2 and opt.used[-1] == 0.02 and len(opt.used) == 4


def test_a_second_fit_with_the_same_optimizer_runs_the_schedule_again():
    X, y = make_moons(20, noise=0.1, seed=0)
    model = MLP(2, [4, 1], seed=0)
    opt = RecordingSGD(model.parameters(), lr=linear(0.2, 0.02))
    for epochs in (2, 3):
        opt.used.clear()
        fit(model, X, y, loss="hinge", optimizer=opt, epochs=epochs, batch_size=10,
            progress=False)
        assert opt.used[0] == 0.2 and opt.used[-1] == 0.02 and len(opt.used) == 2 * epochs
    assert opt.steps == 10


@pytest.mark.parametrize("optimizer", [Adam, Rprop])
def test_fit_tells_a_schedule_given_to_any_optimizer(optimizer):
    class Recording(optimizer):
        def current_lr(self):
            rate = super().current_lr()
            self.__dict__.setdefault("used", []).append(rate)
            return rate

    opt = train(cosine(0.05, 0.001), epochs=3, batch_size=5, optimizer=Recording)
    assert opt.used[0] == 0.05 and opt.used[-1] == 0.001 and len(opt.used) == 12


def test_a_schedule_given_as_fits_lr_with_an_optimizers_name_is_told_the_run():
    X, y = make_moons(20, noise=0.1, seed=0)
    schedule = linear(0.05, 0.005)
    fit(MLP(2, [4, 1], seed=0), X, y, optimizer="adam", lr=schedule, epochs=3, batch_size=10,
        progress=False)
    assert schedule.total_steps == 6 and schedule(5) == 0.005


def test_a_lambda_schedule_still_gets_the_optimizers_step_count():
    seen = []

    def schedule(count):
        seen.append(count)
        return 0.1

    train(schedule, epochs=2, batch_size=10)
    assert seen == [0, 1, 2, 3]


def test_a_schedule_is_a_schedule():
    assert all(isinstance(s, Schedule) for s in (linear(1, 0), cosine(1, 0), step(1, 0.5, 2)))
