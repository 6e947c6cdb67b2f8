"""Benchmark autograd_mini against a flat-list tape and PyPI micrograd, in one run.

    python benchmarks/run.py            # full: chains of 500 / 10k / 1M nodes, 100k products, MLP
    python benchmarks/run.py --quick    # smaller sizes and fewer repeats, well under a minute

Times are medians over repeats with the garbage collector enabled, as a user runs;
"GC %" is the share of forward + backward spent inside collections (gc.callbacks).
Bytes per node: tracemalloc traces one build + backward of each workload; "held" is
the traced memory still allocated afterwards (the graph, its values and gradients,
kept alive), "peak" the most at any moment; both divided by the node count.
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

from benchmarks import workloads  # noqa: E402
from benchmarks.impls import Graph, TapeImpl, all_impls, unchecked  # noqa: E402

_gc_seconds = [0.0]
_gc_started = [0.0]


def _on_gc(phase: str, info: dict) -> None:
    if phase == "start":
        _gc_started[0] = time.perf_counter()
    else:
        _gc_seconds[0] += time.perf_counter() - _gc_started[0]


class Row:
    """One implementation's measurements on one workload."""

    def __init__(self, impl: str, nodes: int) -> None:
        self.impl, self.nodes = impl, nodes
        self.forward = self.backward = self.gc_share = self.free = float("nan")
        self.held = self.peak = float("nan")
        self.note = ""

    @property
    def total(self) -> float:
        return self.forward + self.backward


def time_workload(impl: Any, build: Callable[[], Graph], nodes: int, repeats: int) -> Row:
    """Median forward, backward and free time per node over `repeats` fresh graphs."""
    row = Row(impl.name, nodes)
    forward, backward, gc_share, free = [], [], [], []
    default_limit = limit = sys.getrecursionlimit()
    while len(forward) < repeats:
        gc.collect()
        gc_before = _gc_seconds[0]
        t0 = time.perf_counter()
        graph = build()
        t1 = time.perf_counter()
        sys.setrecursionlimit(limit)
        try:
            impl.backward(graph)
        except RecursionError:  # micrograd's recursive topological sort
            row.note = (f"RecursionError at the default limit ({default_limit});"
                        " timed with a raised limit")
            limit = nodes + 1000
            del graph
            continue  # not timed: build afresh
        finally:
            sys.setrecursionlimit(default_limit)
        t2 = time.perf_counter()
        gc_share.append((_gc_seconds[0] - gc_before) / (t2 - t0))
        # Free time: dropping the graph plus the collection that reclaims any cycles,
        # minus an idle collection (the cost of scanning everything else alive).
        t3 = time.perf_counter()
        del graph
        gc.collect()
        t4 = time.perf_counter()
        gc.collect()
        t5 = time.perf_counter()
        forward.append((t1 - t0) / nodes * 1e9)
        backward.append((t2 - t1) / nodes * 1e9)
        free.append(max(0.0, (t4 - t3) - (t5 - t4)) / nodes * 1e9)
    row.forward, row.backward = statistics.median(forward), statistics.median(backward)
    row.gc_share, row.free = statistics.median(gc_share), statistics.median(free)
    return row


def measure_memory(impl: Any, build: Callable[[], Graph], row: Row, nodes: int | None = None) -> None:
    """Traced bytes per node held after build + backward, and at the peak."""
    nodes = nodes or row.nodes
    gc.collect()
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, nodes + 1000))
    tracemalloc.start()
    try:
        graph = build()
        impl.backward(graph)
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        sys.setrecursionlimit(limit)
    row.held, row.peak = held / nodes, peak / nodes
    del graph
    gc.collect()


def _fmt(x: float, digits: int = 0) -> str:
    return "-" if x != x else f"{x:,.{digits}f}"


def print_table(title: str, rows: list[Row]) -> None:
    """One workload's rows with ratios to micrograd and to the tape."""
    by_name = {row.impl: row for row in rows}
    mg, tape = by_name.get("micrograd"), by_name.get("flat tape")
    print(f"\n{title}")
    print(f"  {'implementation':<16} {'nodes':>10} {'fwd':>7} {'bwd':>7} {'total':>7} {'GC %':>5}"
          f" {'vs micrograd':>12} {'vs tape':>8} {'free':>6} {'B/node':>7} {'peak':>6}")
    for row in rows:
        speedup = mg.total / row.total if mg else float("nan")
        slowdown = row.total / tape.total if tape else float("nan")
        print(f"  {row.impl:<16} {row.nodes:>10,} {_fmt(row.forward):>7} {_fmt(row.backward):>7}"
              f" {_fmt(row.total):>7} {_fmt(100 * row.gc_share):>5}"
              f" {_fmt(speedup, 1) + 'x faster' if speedup == speedup else '-':>12}"
              f" {_fmt(slowdown, 2) + 'x' if slowdown == slowdown else '-':>8}"
              f" {_fmt(row.free):>6} {_fmt(row.held):>7} {_fmt(row.peak):>6}")
        if row.note:
            print(f"  {'':<16} ^ {row.note}")
    ours, bare = by_name.get("autograd_mini"), by_name.get("  no inf check")
    if ours and bare:
        print(f"  non-finite gradient check: {_fmt(100 * (ours.backward / bare.backward - 1), 1)}%"
              " of backward time")


def run_mlp(impls: list[Any], steps: int, points: int = 100) -> None:
    """Time full-batch training steps of micrograd's moons demo on each implementation."""
    X, y = workloads.make_moons(points)
    params = workloads.mlp_initial_params()
    results = []
    for impl in impls:
        reason = impl.reason or getattr(impl, "mlp_reason", "")
        if reason:
            results.append((impl.name, None, reason))
            continue
        run = impl.mlp(params, X, y)
        nodes = run.nodes()
        gc.collect()
        first_loss = run.step()  # warm-up; also shows that all do the same computation
        times, gc_share = [], []
        for _ in range(steps):
            gc_before = _gc_seconds[0]
            t0 = time.perf_counter()
            run.step()  # the previous step's graph is freed inside, as in a training loop
            elapsed = time.perf_counter() - t0
            times.append(elapsed)
            gc_share.append((_gc_seconds[0] - gc_before) / elapsed)
        results.append((impl.name, (nodes, statistics.median(times), statistics.median(gc_share),
                                    first_loss), ""))
    timings = {name: r for name, r, _ in results if r}
    mg, tape = timings.get("micrograd"), timings.get("flat tape")
    print(f"\nMLP 2-16-16-1 on {points} moons points, one full-batch step"
          f" (forward, loss, zero_grad, backward, SGD); median of {steps} steps")
    print(f"  {'implementation':<16} {'nodes':>8} {'ms/step':>8} {'GC %':>5} {'vs micrograd':>12}"
          f" {'vs tape':>8} {'first loss':>12}")
    for name, r, reason in results:
        if r is None:
            print(f"  {name:<16} {reason}")
            continue
        nodes, seconds, share, loss = r
        speedup = f"{mg[1] / seconds:.1f}x faster" if mg else "-"
        slowdown = f"{seconds / tape[1]:.2f}x" if tape else "-"
        print(f"  {name:<16} {nodes:>8,} {1e3 * seconds:>8.1f} {100 * share:>5.0f} {speedup:>12}"
              f" {slowdown:>8} {loss:>12.9f}")
    ours, bare = timings.get("autograd_mini"), timings.get("  no inf check")
    if ours and bare:
        print(f"  non-finite gradient check: {100 * (ours[1] / bare[1] - 1):.1f}% of the step"
              " (forward, backward and update)")


def main(argv: list[str] | None = None) -> None:
    """Run the benchmarks and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, to test the runner")
    parser.add_argument("--repeats", type=int, help="repeats per workload (median taken)")
    parser.add_argument("--only", default="chain,wide,mlp", help="comma-separated workloads")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc pass")
    parser.add_argument("--impls", default="autograd_mini,tape,micrograd",
                        help="comma-separated subset of autograd_mini,tape,micrograd")
    parser.add_argument("--no-check-row", action="store_true",
                        help="skip the row timing autograd_mini without its non-finite check")
    parser.add_argument("--gc-threshold", type=int, metavar="N",
                        help="diagnostic: gc.set_threshold(N) for the run (what GC costs)")
    args = parser.parse_args(argv)
    chains = [500, 10_000, 100_000] if args.quick else [500, 10_000, 1_000_000]
    pairs = 20_000 if args.quick else 100_000
    repeats = args.repeats or (3 if args.quick else 5)
    mlp_steps = 2 if args.quick else 5
    points = 100
    if args.smoke:
        chains, pairs, repeats, mlp_steps, points = [30, 1_500], 300, 1, 1, 10
    only = set(args.only.split(","))

    if args.gc_threshold is not None:
        gc.set_threshold(args.gc_threshold, *gc.get_threshold()[1:])
    wanted = set(args.impls.replace("flat tape", "tape").split(","))
    impls = [impl for impl in all_impls() if impl.name.replace("flat tape", "tape") in wanted]
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs,"
          f" {platform.system()}; gc thresholds {gc.get_threshold()}; {repeats} repeats")
    for impl in impls:
        if impl.reason:
            print(f"  {impl.name}: {impl.reason}")
    impls = [impl for impl in impls if impl.available]
    if impls and impls[0].name == "autograd_mini" and not args.no_check_row:
        impls.insert(1, unchecked(impls[0]))  # the row under ours: what its inf check costs
    print("Per node in ns: fwd (build, including the leaves), bwd (backward), total = fwd + bwd;"
          "\n'vs micrograd' = micrograd's total / this total; 'vs tape' = this total / the"
          " tape's;\nfree = dropping the graph (refcounts + collecting cycles);"
          " B/node, peak = tracemalloc bytes per node.")
    gc.callbacks.append(_on_gc)
    started = time.perf_counter()

    cases = []
    if "chain" in only:
        for size in chains:
            steps = workloads.chain_steps(size)
            cases.append((f"tanh chain, {steps:,} steps of h = tanh(h*0.5 + 0.1)", 3 * steps + 1,
                          lambda impl, steps=steps: (lambda: impl.chain(steps)), size > 100_000))
    if "wide" in only:
        xs, ys = workloads.wide_inputs(pairs)
        cases.append((f"wide sum of {pairs:,} products a_i*b_i (pairwise)", 4 * pairs - 1,
                      lambda impl: (lambda: impl.wide(xs, ys)), False))
    for title, nodes, builder, too_deep_for_micrograd in cases:
        rows = []
        for impl in impls:
            if impl.name == "micrograd" and too_deep_for_micrograd:
                row = Row(impl.name, nodes)
                row.note = "skipped: recursive backward (RecursionError from ~1,000 nodes)"
                rows.append(row)
                continue
            row = time_workload(impl, builder(impl), nodes, repeats)
            if args.no_memory:
                pass
            elif impl.name == "micrograd" and title.startswith("tanh") and nodes > 3_000:
                # tracemalloc walks the whole stack at every allocation, which makes
                # micrograd's recursive backward quadratic; its bytes/node are flat in size.
                steps = workloads.chain_steps(3_000)
                measure_memory(impl, lambda: impl.chain(steps), row, 3 * steps + 1)
                row.note += ("; " if row.note else "") + "bytes/node measured on a 3,000-node chain"
            else:
                measure_memory(impl, builder(impl), row)
            rows.append(row)
        print_table(title, rows)
    if "mlp" in only:
        run_mlp([*impls, TapeImpl(fused=True)] if "tape" in wanted else impls, mlp_steps, points)
    gc.callbacks.remove(_on_gc)
    print(f"\n(total run time {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
