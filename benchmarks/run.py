"""Benchmark autograd_mini, eager and compiled, against a flat-list tape and PyPI micrograd.

    python benchmarks/run.py            # full: chains of 500 / 10k / 1M nodes, 100k products,
                                        # micrograd's demo step, Mazur 10,000 iterations,
                                        # nn: fit's compile, the demo's training, predict
    python benchmarks/run.py --quick    # smaller sizes and fewer repeats, about a minute

Every implementation runs in the same process, in interleaved rounds (round 1 of each,
then round 2 of each, ...), and each time is the median over the rounds: the machine's
load drifts, and interleaving spreads the drift over all of them alike. The garbage
collector stays enabled, as a user runs; "GC %" is the share of forward + backward spent
inside collections (gc.callbacks). "compiled" is autograd_mini.compile_graph: the graph is
captured once (its compile time is printed below each table) and every round replays it
(fwd = forward(), bwd = backward()); the others build their graph in every round.
Bytes per node: tracemalloc traces one build + backward of each workload (for "compiled",
compile + forward + backward); "held" is what stays allocated afterwards, "peak" the most
at any moment, both divided by the node count.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import nn_rows, workloads  # noqa: E402
from benchmarks.impls import CompiledImpl, Graph, TapeImpl, all_impls, unchecked  # noqa: E402

_gc_seconds = [0.0]
_gc_started = [0.0]
NAN = float("nan")


def _on_gc(phase: str, info: dict) -> None:
    if phase == "start":
        _gc_started[0] = time.perf_counter()
    else:
        _gc_seconds[0] += time.perf_counter() - _gc_started[0]


class Row:
    """One implementation's measurements on one workload (ns per node, medians)."""

    def __init__(self, impl: str, nodes: int) -> None:
        self.impl, self.nodes = impl, nodes
        self.forward = self.backward = self.gc_share = self.free = NAN
        self.held = self.peak = NAN
        self.samples: list[tuple[float, float, float, float]] = []
        self.note = ""

    @property
    def total(self) -> float:
        return self.forward + self.backward

    def settle(self) -> None:
        """Medians of the rounds' samples."""
        if self.samples:
            self.forward, self.backward, self.gc_share, self.free = (
                statistics.median(column) for column in zip(*self.samples))


class EagerTrial:
    """Build the graph and backpropagate, fresh in every round."""

    def __init__(self, impl: Any, build: Callable[[], Graph], row: Row) -> None:
        self.impl, self.build, self.row = impl, build, row
        self.limit = sys.getrecursionlimit()

    def __call__(self) -> None:
        gc.collect()
        gc_before = _gc_seconds[0]
        t0 = time.perf_counter()
        graph = self.build()
        t1 = time.perf_counter()
        default = sys.getrecursionlimit()
        sys.setrecursionlimit(self.limit)
        try:
            self.impl.backward(graph)
        except RecursionError:  # micrograd's recursive topological sort
            self.row.note = (f"RecursionError at the default limit ({default});"
                             " timed with a raised limit")
            self.limit = self.row.nodes + 1000
            del graph
            return self()  # not timed: built afresh
        finally:
            sys.setrecursionlimit(default)
        t2 = time.perf_counter()
        gc_share = (_gc_seconds[0] - gc_before) / (t2 - t0)
        # Free time: dropping the graph plus the collection that reclaims any cycles,
        # minus an idle collection (the cost of scanning everything else alive).
        t3 = time.perf_counter()
        del graph
        gc.collect()
        t4 = time.perf_counter()
        gc.collect()
        t5 = time.perf_counter()
        per_node = 1e9 / self.row.nodes
        self.row.samples.append(((t1 - t0) * per_node, (t2 - t1) * per_node, gc_share,
                                 max(0.0, (t4 - t3) - (t5 - t4)) * per_node))


class CompiledTrial:
    """Replay a graph compiled once: forward() then backward()."""

    def __init__(self, impl: CompiledImpl, build: Callable[[], Graph], row: Row) -> None:
        self.impl, self.build, self.row = impl, build, row
        self.graph = impl.compile(build())
        self.compile_seconds = impl.compile_seconds

    def __call__(self) -> None:
        gc.collect()
        gc_before = _gc_seconds[0]
        t0 = time.perf_counter()
        self.impl.forward(self.graph)
        t1 = time.perf_counter()
        self.impl.backward(self.graph)
        t2 = time.perf_counter()
        per_node = 1e9 / self.row.nodes
        self.row.samples.append(((t1 - t0) * per_node, (t2 - t1) * per_node,
                                 (_gc_seconds[0] - gc_before) / (t2 - t0), NAN))


def measure_memory(impl: Any, build: Callable[[], Graph], row: Row,
                   nodes: int | None = None) -> None:
    """Traced bytes per node held after build + backward, and at the peak."""
    nodes = nodes or row.nodes
    gc.collect()
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, nodes + 1000))
    eager = build() if isinstance(impl, CompiledImpl) else None  # compiled: not traced
    tracemalloc.start()
    try:
        if eager is None:
            graph = build()
        else:
            graph = impl.compile(eager)
            impl.forward(graph)
        impl.backward(graph)
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        sys.setrecursionlimit(limit)
    row.held, row.peak = held / nodes, peak / nodes
    del graph, eager
    gc.collect()


def _fmt(x: float, digits: int = 0) -> str:
    return "-" if x != x else f"{x:,.{digits}f}"


def _ratios(seconds: float, micrograd: float | None, tape: float | None) -> tuple[str, str]:
    if seconds != seconds:  # not measured
        return "-", "-"
    speedup = f"{micrograd / seconds:.1f}x faster" if micrograd else "-"
    slowdown = f"{seconds / tape:.2f}x" if tape else "-"
    return speedup, slowdown


def print_table(title: str, rows: list[Row], compile_note: str = "") -> None:
    """One workload's rows with ratios to micrograd and to the tape."""
    by_name = {row.impl: row for row in rows}
    mg, tape = by_name.get("micrograd"), by_name.get("flat tape")
    print(f"\n{title}")
    print(f"  {'implementation':<16} {'nodes':>10} {'fwd':>7} {'bwd':>7} {'total':>7} {'GC %':>5}"
          f" {'vs micrograd':>13} {'vs tape':>8} {'free':>6} {'B/node':>7} {'peak':>6}")
    mg_total = mg.total if mg and mg.total == mg.total else None
    for row in rows:
        speedup, slowdown = _ratios(row.total, mg_total, tape and tape.total)
        print(f"  {row.impl:<16} {row.nodes:>10,} {_fmt(row.forward):>7} {_fmt(row.backward):>7}"
              f" {_fmt(row.total):>7} {_fmt(100 * row.gc_share):>5} {speedup:>13}"
              f" {slowdown:>8} {_fmt(row.free):>6} {_fmt(row.held):>7} {_fmt(row.peak):>6}")
        if row.note:
            print(f"  {'':<16} ^ {row.note}")
    ours, bare = by_name.get("autograd_mini"), by_name.get("  no inf check")
    if ours and bare:
        print(f"  non-finite gradient check: {_fmt(100 * (ours.backward / bare.backward - 1), 1)}%"
              " of backward time")
    if compile_note:
        print(f"  {compile_note}")


def _compile_note(seconds: float, nodes: int) -> str:
    return (f"compile_graph: {seconds:.2f} s for {nodes:,} nodes ({1e6 * seconds / nodes:.1f} us"
            f" per node), once")


def run_graph_workload(impls: list[Any], title: str, nodes: int, builder: Callable,
                       repeats: int, skip_micrograd: bool, memory: bool) -> None:
    """Time one chain or wide-sum workload on every implementation, interleaved."""
    rows, trials, compile_note = [], [], ""
    for impl in impls:
        row = Row(impl.name, nodes)
        rows.append(row)
        if impl.name == "micrograd" and skip_micrograd:
            row.note = "skipped: recursive backward (RecursionError from ~1,000 nodes)"
            continue
        if isinstance(impl, CompiledImpl):
            trial = CompiledTrial(impl, builder(impl), row)
            compile_note = _compile_note(trial.compile_seconds, nodes)
        else:
            trial = EagerTrial(impl, builder(impl), row)
        trials.append(trial)
    for _ in range(repeats):
        for trial in trials:
            trial()
    for trial in trials:
        trial.row.settle()
        if memory:
            _memory(trial, title, nodes)
        if isinstance(trial, CompiledTrial):
            del trial.graph
    print_table(title, rows, compile_note)


def _memory(trial: Any, title: str, nodes: int) -> None:
    impl, row = trial.impl, trial.row
    if impl.name == "micrograd" and title.startswith("tanh") and nodes > 3_000:
        # tracemalloc walks the whole stack at every allocation, which makes
        # micrograd's recursive backward quadratic; its bytes/node are flat in size.
        steps = workloads.chain_steps(3_000)
        measure_memory(impl, lambda: impl.chain(steps), row, 3 * steps + 1)
        row.note += ("; " if row.note else "") + "bytes/node measured on a 3,000-node chain"
    else:
        measure_memory(impl, trial.build, row)


def run_mlp(impls: list[Any], rounds: int, points: int = 100, steps: int = 2) -> None:
    """Time full-batch training steps of micrograd's moons demo. Rounds are interleaved
    across implementations; within a round, after a collection and an untimed step, each
    times `steps` steps in a row, so that each pays for its own garbage (micrograd's graphs
    are cycles) as in a training loop, and for no one else's."""
    X, y = workloads.make_moons(points)
    params = workloads.mlp_initial_params()
    runs, results, reasons, compile_note = {}, {}, {}, ""
    for impl in impls:
        reason = impl.reason or getattr(impl, "mlp_reason", "")
        if reason:
            reasons[impl.name] = reason
            continue
        run = runs[impl.name] = impl.mlp(params, X, y)
        if isinstance(impl, CompiledImpl):
            compile_note = _compile_note(impl.compile_seconds, run.nodes())
        results[impl.name] = {"nodes": run.nodes(), "first": run.step(), "times": [], "gc": []}
    for _ in range(rounds):
        for name, run in runs.items():
            gc.collect()
            run.step()
            for _ in range(steps):
                gc_before = _gc_seconds[0]
                t0 = time.perf_counter()
                run.step()
                elapsed = time.perf_counter() - t0
                results[name]["times"].append(elapsed)
                results[name]["gc"].append((_gc_seconds[0] - gc_before) / elapsed)
    median = {name: statistics.median(r["times"]) for name, r in results.items()}
    print(f"\nMLP 2-16-16-1 on {points} moons points, one full-batch step (forward, loss,"
          f" zero_grad, backward, SGD); median of {rounds} interleaved rounds of {steps} steps")
    print(f"  {'implementation':<16} {'nodes':>8} {'ms/step':>8} {'GC %':>5} {'vs micrograd':>13}"
          f" {'vs tape':>8} {'first loss':>12}")
    for impl in impls:
        if impl.name in reasons:
            print(f"  {impl.name:<16} {reasons[impl.name]}")
        elif impl.name in results:
            r, seconds = results[impl.name], median[impl.name]
            speedup, slowdown = _ratios(seconds, median.get("micrograd"), median.get("flat tape"))
            print(f"  {impl.name:<16} {r['nodes']:>8,} {1e3 * seconds:>8.2f}"
                  f" {100 * statistics.median(r['gc']):>5.0f} {speedup:>13} {slowdown:>8}"
                  f" {r['first']:>12.9f}")
    if "autograd_mini" in median and "  no inf check" in median:
        print(f"  non-finite gradient check: "
              f"{100 * (median['autograd_mini'] / median['  no inf check'] - 1):.1f}% of the step")
    if compile_note:
        print(f"  {compile_note}")


def run_mazur(impls: list[Any], rounds: int, iterations: int) -> None:
    """Time Mazur's 2-2-2 network trained for `iterations` iterations, interleaved."""
    impls = [impl for impl in impls if hasattr(impl, "mazur") and not impl.reason
             and impl.name != "  no inf check"]  # it would run autograd_mini's code again
    times: dict[str, list[float]] = {impl.name: [] for impl in impls}
    errors = {}
    for _ in range(rounds):
        for impl in impls:
            gc.collect()
            t0 = time.perf_counter()
            errors[impl.name] = impl.mazur(iterations)
            times[impl.name].append(time.perf_counter() - t0)
    median = {name: statistics.median(t) for name, t in times.items()}
    print(f"\nMazur's 2-2-2 sigmoid network, {iterations:,} iterations (forward, error, backward,"
          f" update); median of {rounds} interleaved rounds")
    print(f"  {'implementation':<16} {'seconds':>8} {'us/iter':>8} {'vs micrograd':>13}"
          f" {'vs tape':>8} {'last error':>16}")
    for impl in impls:
        seconds = median[impl.name]
        speedup, slowdown = _ratios(seconds, median.get("micrograd"), median.get("flat tape"))
        print(f"  {impl.name:<16} {seconds:>8.3f} {1e6 * seconds / iterations:>8.1f}"
              f" {speedup:>13} {slowdown:>8} {errors[impl.name]:>16.10g}")
    if iterations == workloads.MAZUR_ITERATIONS:
        print(f"  (Mazur's published error after 10,000 iterations:"
              f" {workloads.MAZUR_PUBLISHED_ERROR})")


def main(argv: list[str] | None = None) -> None:
    """Run the benchmarks and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, to test the runner")
    parser.add_argument("--repeats", type=int, help="rounds per workload (median taken)")
    parser.add_argument("--only", default="chain,wide,mlp,mazur,fit,demo,predict",
                        help="comma-separated workloads")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc pass")
    parser.add_argument("--impls", default="autograd_mini,compiled,tape,micrograd",
                        help="comma-separated subset of autograd_mini,compiled,tape,micrograd")
    parser.add_argument("--no-check-row", action="store_true",
                        help="skip the row timing autograd_mini without its non-finite check")
    parser.add_argument("--gc-threshold", type=int, metavar="N",
                        help="diagnostic: gc.set_threshold(N) for the run (what GC costs)")
    args = parser.parse_args(argv)
    chains = [500, 10_000, 100_000] if args.quick else [500, 10_000, 1_000_000]
    pairs = 20_000 if args.quick else 100_000
    repeats = args.repeats or (3 if args.quick else 5)
    mlp_rounds = 3 if args.quick else 5
    points, mazur_iterations, mazur_rounds = 100, workloads.MAZUR_ITERATIONS, repeats
    demo_samples, demo_epochs, predict_points = 200, 30, 10_000
    if args.smoke:
        chains, pairs, repeats, mlp_rounds, points = [30, 1_500], 300, 1, 1, 10
        mazur_iterations, mazur_rounds = 20, 1
        demo_samples, demo_epochs, predict_points = 20, 2, 100
    only = set(args.only.split(","))

    if args.gc_threshold is not None:
        gc.set_threshold(args.gc_threshold, *gc.get_threshold()[1:])
    wanted = set(args.impls.replace("flat tape", "tape").split(","))
    impls = [impl for impl in all_impls() if impl.name.replace("flat tape", "tape") in wanted]
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs,"
          f" {platform.system()}; gc thresholds {gc.get_threshold()}; {repeats} rounds")
    for impl in impls:
        if impl.reason:
            print(f"  {impl.name}: {impl.reason}")
    impls = [impl for impl in impls if impl.available]
    if impls and impls[0].name == "autograd_mini":
        if "compiled" in wanted:
            impls.insert(1, CompiledImpl(impls[0]))
        if not args.no_check_row:
            impls.insert(1, unchecked(impls[0]))  # under ours: what its inf check costs
    print("Per node in ns: fwd (build, including the leaves; compiled: forward()), bwd (backward),"
          " total = fwd + bwd;\n'vs micrograd' = micrograd's total / this total; 'vs tape' ="
          " this total / the tape's;\nfree = dropping the graph (refcounts + collecting cycles);"
          " B/node, peak = tracemalloc bytes per node.")
    gc.callbacks.append(_on_gc)
    started = time.perf_counter()

    if "chain" in only:
        for size in chains:
            steps = workloads.chain_steps(size)
            run_graph_workload(impls, f"tanh chain, {steps:,} steps of h = tanh(h*0.5 + 0.1)",
                               3 * steps + 1, lambda impl, steps=steps: (lambda: impl.chain(steps)),
                               repeats, size > 100_000, not args.no_memory)
    if "wide" in only:
        xs, ys = workloads.wide_inputs(pairs)
        run_graph_workload(impls, f"wide sum of {pairs:,} products a_i*b_i (pairwise)",
                           4 * pairs - 1, lambda impl: (lambda: impl.wide(xs, ys)), repeats,
                           False, not args.no_memory)
    if "mlp" in only:
        run_mlp([*impls, TapeImpl(fused=True)] if "tape" in wanted else impls, mlp_rounds, points)
    if "mazur" in only:
        run_mazur(impls, mazur_rounds, mazur_iterations)
    if "fit" in only:
        nn_rows.run_fit_compile(mlp_rounds, points)
    if "demo" in only:
        nn_rows.run_demo_training(mlp_rounds, demo_samples, demo_epochs)
    if "predict" in only:
        nn_rows.run_predict(mlp_rounds, predict_points)
    gc.callbacks.remove(_on_gc)
    print(f"\n(total run time {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
