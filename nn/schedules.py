"""Learning-rate schedules that know the run's length: linear, cosine and step.

A schedule is an optimizer's `lr`: `SGD(model.parameters(), lr=linear(0.1, 0.01))`. The
optimizer calls it as `schedule(step)` with its count of completed steps (`optimizer.steps`:
0 for its first step, 1 for the next, ...), as it calls a `lambda step: ...`.

fit tells the schedule its run before training: the number of steps (epochs x batches per
epoch) and the optimizer's count when the run begins. The run's first step then uses `start`
and its last step `end`, exactly, for any number of epochs; a run of one step uses `start`.
Steps after the run keep `end`. Outside fit, give the length yourself with `total_steps=`
(then the optimizer's step 0 is the first); linear and cosine used without a length raise
TotalStepsMissing. fit sets the length of its own run, replacing a `total_steps=` given.
"""
from __future__ import annotations

import math
from typing import Any

from nn._checks import check_int, check_number

__all__ = ["Schedule", "TotalStepsMissing", "linear", "cosine", "step"]


class TotalStepsMissing(ValueError):
    """A schedule that goes from `start` to `end` was asked for a rate before it was told how
    many steps the run has: give `total_steps=` or train with fit, which sets it."""


class Schedule:
    """A learning rate as a function of the optimizer's step count, over a run of
    `total_steps` steps that begins at the optimizer's step `first_step`."""

    needs_total = True  # False where the rate does not depend on the run's length

    def __init__(self, name: str, start: float, total_steps: int | None) -> None:
        self.name = name
        self.start = check_number(start, f"{name}: start", 0.0)
        self.total_steps: int | None = None
        self.first_step = 0
        if total_steps is not None:
            self.begin_run(check_int(total_steps, f"{name}: total_steps", 1))

    def begin_run(self, total_steps: int, first_step: int = 0) -> None:
        """Span a run of `total_steps` steps whose first step is the optimizer's step
        `first_step`; fit calls this before training."""
        self.total_steps = check_int(total_steps, f"{self.name}: total_steps", 1)
        self.first_step = check_int(first_step, f"{self.name}: first_step", 0)

    def __call__(self, step: int) -> float:
        """The rate for the optimizer's step `step` (its count of completed steps)."""
        step = check_int(step, f"{self.name} schedule: step", 0)
        if self.total_steps is None and self.needs_total:
            raise TotalStepsMissing(
                f"{self!r} does not know how many steps the run has: train with fit, which "
                f"tells it, or give the length, e.g. {self.name}(..., total_steps=1000)")
        # the step's place in the run: 0 for its first step, and the first or last step
        # for a step before or after the run
        done = max(step - self.first_step, 0)
        if self.total_steps is not None:
            done = min(done, self.total_steps - 1)
        return self._rate(done)

    def _rate(self, done: int) -> float:
        """The rate after `done` steps of the run."""
        raise NotImplementedError

    def _fraction(self, done: int) -> float:
        """How far the run has gone: 0.0 at its first step, 1.0 at its last."""
        last = (self.total_steps or 1) - 1
        return done / last if last else 0.0

    def __repr__(self) -> str:
        arguments = ", ".join(f"{name}={value!r}" for name, value in self._arguments()
                              if value is not None)
        return f"{self.name}({arguments})"

    def _arguments(self) -> list[tuple[str, Any]]:
        return [("start", self.start), ("total_steps", self.total_steps)]


class _Linear(Schedule):
    def __init__(self, start: float, end: float, total_steps: int | None,
                 name: str = "linear") -> None:
        super().__init__(name, start, total_steps)
        self.end = check_number(end, f"{name}: end", 0.0)

    def _rate(self, done: int) -> float:
        t = self._fraction(done)
        # weights rather than start + (end - start) * t: exactly start at 0 and end at 1
        return self.start * (1.0 - t) + self.end * t

    def _arguments(self) -> list[tuple[str, Any]]:
        return [("start", self.start), ("end", self.end), ("total_steps", self.total_steps)]


class _Cosine(_Linear):
    def _rate(self, done: int) -> float:
        t = self._fraction(done)
        # half a cosine from 1 to 0; cos(pi) is exactly -1, so the last step gives end
        weight = 0.5 * (1.0 + math.cos(math.pi * t))
        return self.start * weight + self.end * (1.0 - weight)


class _Step(Schedule):
    needs_total = False

    def __init__(self, start: float, gamma: float, every: int,
                 total_steps: int | None) -> None:
        super().__init__("step", start, total_steps)
        self.gamma = check_number(gamma, "step: gamma", 0.0)
        self.every = check_int(every, "step: every", 1)

    def _rate(self, done: int) -> float:
        return self.start * self.gamma ** (done // self.every)

    def _arguments(self) -> list[tuple[str, Any]]:
        return [("start", self.start), ("gamma", self.gamma), ("every", self.every),
                ("total_steps", self.total_steps)]


def linear(start: float, end: float, *, total_steps: int | None = None) -> Schedule:
    """The rate going in a straight line from `start` at the run's first step to `end` at
    its last."""
    return _Linear(start, end, total_steps)


def cosine(start: float, end: float, *, total_steps: int | None = None) -> Schedule:
    """The rate going from `start` at the run's first step to `end` at its last along half a
    cosine (SGDR's annealing, PyTorch's CosineAnnealingLR with T_max the run): slow at both
    ends."""
    return _Cosine(start, end, total_steps, "cosine")


def step(start: float, gamma: float, every: int, *, total_steps: int | None = None) -> Schedule:
    """`start`, multiplied by `gamma` after every `every` steps of the run (PyTorch's StepLR
    counted in steps); it needs no run length."""
    return _Step(start, gamma, every, total_steps)
