"""nn's own rows: fit's compile time against its eager steps, the demo's training, and
model.predict against calling the model under no_grad(), each timed in one run.

- fit on micrograd's moons workload (workloads.py: the MLP 2-16-16-1, ReLU, 100 points,
  full batch), with the hinge loss and SGD: per mode, a run of 1 + K epochs on a fresh
  model, timed after each epoch (one step) by a callback; a step is the median of the
  last K, and the compile time what the first epoch spent beyond a step. Compiled, fit
  compiles one sample's code, run in a loop over the batch (compile_batched), so the
  compile time does not grow with the batch.
- the demo's training: `autograd-mini demo`'s fit (200 moons points, batches of 10, 30
  epochs, SGD with momentum and a decaying rate, hinge loss) and its accuracy().
- predict: the demo's MLP (tanh) on a grid of points: no_grad() calls, a first predict
  (which compiles) and a second one (which reuses the program), on a fresh model each round.

Rounds are interleaved across modes and each time is the median over the rounds.
"""
from __future__ import annotations

import gc
import math
import statistics
import time
from typing import Any, Callable

from benchmarks import workloads


def _median_rounds(rounds: int, modes: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Each mode's result per round (modes interleaved), as lists."""
    found: dict[str, list] = {name: [] for name in modes}
    for _ in range(rounds):
        for name, run in modes.items():
            gc.collect()
            found[name].append(run())
    return found


def run_fit_compile(rounds: int, points: int, extra_epochs: int = 5) -> None:
    """fit's compile time and step time, eager and compiled, on micrograd's workload."""
    from benchmarks.impls import all_impls
    from nn import SGD, fit, hinge_loss

    X, y = workloads.make_moons(points)
    params = workloads.mlp_initial_params()
    make_model = all_impls()[0].make_model  # autograd_mini's, as the MLP table's

    def mode(compile: bool) -> Callable[[], tuple[float, float]]:
        def run() -> tuple[float, float]:
            model = make_model(params)
            ends: list[float] = []  # after each epoch (one step each), from a callback
            started = time.perf_counter()
            fit(model, X, y, loss=hinge_loss, optimizer=SGD(model.parameters(), lr=0.05),
                epochs=1 + extra_epochs, progress=False, compile=compile,
                callbacks=[lambda record: ends.append(time.perf_counter())])
            step = statistics.median(b - a for a, b in zip(ends, ends[1:]))
            return max(0.0, ends[0] - started - step), step
        return run

    found = _median_rounds(rounds, {"eager": mode(False), "compiled": mode(True)})
    compile_s = {name: statistics.median(r[0] for r in runs) for name, runs in found.items()}
    step_s = {name: statistics.median(r[1] for r in runs) for name, runs in found.items()}
    eager_step = step_s["eager"]
    print(f"\nnn.fit on micrograd's moons workload: MLP 2-16-16-1 (ReLU), {points} points, full"
          f" batch, hinge loss, SGD; median of {rounds} interleaved rounds")
    print(f"  {'mode':<24} {'compile ms':>10} {'ms/step':>8} {'compile in eager steps':>23}"
          f" {'step vs eager':>14}")
    for name in found:
        compile_text = "-" if name == "eager" else f"{1e3 * compile_s[name]:.1f}"
        steps_text = "-" if name == "eager" else f"{compile_s[name] / eager_step:.2f}"
        print(f"  {name:<24} {compile_text:>10} {1e3 * step_s[name]:>8.2f} {steps_text:>23}"
              f" {eager_step / step_s[name]:>13.1f}x")
    print("  target: compile at most 2 eager steps")


def run_demo_training(rounds: int, samples: int = 200, epochs: int = 30) -> None:
    """The demo's training phase (fit, then accuracy), eager and compiled."""
    from nn import MLP, SGD, fit, hinge_loss
    from nn.datasets import make_moons
    from nn.training import accuracy

    X, y = make_moons(samples, noise=0.1, seed=0)
    batch = 10
    steps = epochs * math.ceil(samples / batch)

    def mode(compile: bool | None) -> Callable[[], float]:
        def run() -> float:
            model = MLP(2, [16, 16, 1], seed=0)
            optimizer = SGD(model.parameters(), lr=lambda step: 0.1 - 0.09 * step / steps,
                            momentum=0.9)
            started = time.perf_counter()
            fit(model, X, y, loss=hinge_loss, optimizer=optimizer, epochs=epochs,
                batch_size=batch, shuffle_seed=0, progress=False, compile=compile)
            accuracy(model, X, y, loss=hinge_loss)
            return time.perf_counter() - started
        return run

    found = _median_rounds(rounds, {"eager": mode(False), "compiled (the default)": mode(None)})
    seconds = {name: statistics.median(times) for name, times in found.items()}
    print(f"\nautograd-mini demo's training: MLP 2-16-16-1 (tanh) on {samples} moons points,"
          f" {epochs} epochs of batches of {batch} ({steps} steps), then accuracy();"
          f" median of {rounds} interleaved rounds")
    print(f"  {'mode':<24} {'seconds':>8} {'vs eager':>9}")
    for name, s in seconds.items():
        print(f"  {name:<24} {s:>8.3f} {seconds['eager'] / s:>8.1f}x")
    print(f"  target: {2 * SPEED_WHEN_SET:.1f}x eager, twice the {SPEED_WHEN_SET}x that fit reached when the"
          f" target was set (commit 7cf464b: 0.45 s against eager's 1.98 s, run alternately)")


# The demo's training compiled, as a multiple of eager, with the code of commit 7cf464b
# (fit compiled a program per batch size), measured alternating with eager on a quiet
# 2-core machine: 0.450 s against 1.978 s.
SPEED_WHEN_SET = 4.4


def run_predict(rounds: int, points: int = 10_000) -> None:
    """model.predict against the model called under no_grad(), on `points` inputs."""
    from autograd_mini import no_grad
    from nn import MLP

    side = max(2, round(math.sqrt(points)))
    X = [[-1.5 + 4.0 * i / (side - 1), -1.0 + 2.5 * j / (side - 1)]
         for i in range(side) for j in range(side)]
    models: list = []

    def under_no_grad() -> float:
        model = MLP(2, [16, 16, 1], seed=0)
        started = time.perf_counter()
        with no_grad():
            [model(x).data for x in X]
        return time.perf_counter() - started

    def first_predict() -> float:
        models[:] = [MLP(2, [16, 16, 1], seed=0)]
        started = time.perf_counter()
        models[0].predict(X)
        return time.perf_counter() - started

    def second_predict() -> float:
        started = time.perf_counter()
        models[0].predict(X)
        return time.perf_counter() - started

    found = _median_rounds(rounds, {"model(x) under no_grad()": under_no_grad,
                                    "predict, first (compiles)": first_predict,
                                    "predict, again": second_predict})
    seconds = {name: statistics.median(times) for name, times in found.items()}
    base = seconds["model(x) under no_grad()"]
    print(f"\nmodel.predict(X): the demo's MLP 2-16-16-1 (tanh) on {len(X):,} points; median of"
          f" {rounds} interleaved rounds (target: at least 10x no_grad)")
    print(f"  {'mode':<26} {'seconds':>8} {'us/point':>9} {'vs no_grad':>11}")
    for name, s in seconds.items():
        print(f"  {name:<26} {s:>8.3f} {1e6 * s / len(X):>9.1f} {base / s:>10.1f}x")
