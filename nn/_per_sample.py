"""fit's slow path: a batch replayed one sample at a time, by a program of one sample
compiled with compile_graph, whose runs raise eager's errors.

fit takes this path for a batch whose batched program (nn/_compiled.py) met a NaN, an
infinity or an op's error, so that the step fails (or goes on) exactly as eager's would;
and for a step whose loss reads a sample's outputs in an order that the batched program
was not compiled for.

Each sample's backward pass is seeded by its output leaves' gradients and adds into the
parameters' .grad, in the order eager's backward meets the samples (passes_of). A
parameter that one sample reads twice (a shared weight) has its running sum carried in
as the seed of a node `parameter + 0.0` whose term comes first, so that its sums are
eager's too.
"""
from __future__ import annotations

from typing import cast

from autograd_mini import Value, compile_graph, topological_order
from nn._capture import Capture

__all__ = ["Programs", "PerSampleReplay", "Passes", "passes_of"]

# (sample, order of its outputs) for each sample the loss reads, in eager's order
Passes = list[tuple[int, tuple[int, ...]]]


class _Program:
    """A capture compiled with its outputs in `order`, then the carry nodes."""

    def __init__(self, capture: Capture, order: tuple[int, ...]) -> None:
        outputs = [capture.outputs[k] for k in order] + capture.carries
        self.graph = compile_graph(outputs, capture.inputs, placeholders=capture.placeholders)
        self.holds: tuple[PerSampleReplay, int] | None = None  # whose forward pass it holds


class Programs:
    """A capture's programs of one sample, by the order of their outputs (compiled on
    first use)."""

    def __init__(self, capture: Capture) -> None:
        self.capture = capture
        self.by_order: dict[tuple[int, ...], _Program] = {}

    def __call__(self, order: tuple[int, ...]) -> _Program:
        if order not in self.by_order:
            self.by_order[order] = _Program(self.capture, order)
        return self.by_order[order]


class PerSampleReplay:
    """One batch, replayed a sample at a time."""

    def __init__(self, programs: Programs, rows: list[list[float]],
                 leaves: list[list[Value]] | None = None) -> None:
        self.programs, self.capture, self.rows = programs, programs.capture, rows
        self.leaves: list[list[Value]] = leaves or []  # per sample, in the model's order

    def forward(self, order: tuple[int, ...]) -> list:
        """The batch's outputs, as fresh leaves shaped as the model returns them; a program
        compiled with its outputs in `order` runs them (eager's error if one fails)."""
        capture, program = self.capture, self.programs(order)
        predictions = []
        for row in self.rows:
            capture.load(row)
            leaves = capture.leaves(cast(list, program.graph.forward()), order,
                                    allow_nonfinite=True)
            self.leaves.append(leaves)
            predictions.append(capture.shaped(leaves))
        program.holds = (self, len(self.rows) - 1)
        return predictions

    def backward(self, passes: Passes) -> None:
        """Each sample's backward pass, seeded by its leaves' gradients, in eager's order;
        on an error every .grad is as it was."""
        capture = self.capture
        if len(passes) < 2 and not capture.carried:
            for s, order in passes:  # one pass: compile_graph's own, atomic, is eager's
                self._run(s, order, [])
            return
        inputs = capture.inputs
        before = [p.grad for p in inputs]
        # eager sets nonzero gradients aside, sums from zero, and adds them back after
        aside = [(p, g) for p, g in zip(inputs, before) if g is not None and g != 0.0]
        try:
            for p, _ in aside:
                p.grad = None
            for s, order in passes:
                self._run(s, order, [_take_grad(p) for p in capture.carried])
            for p, g in aside:
                added = p.grad  # (None: the loss reads no output, and eager adds nothing)
                p.grad = g if added is None else g + added
        except BaseException:
            for p, grad in zip(inputs, before):
                p.grad = grad
            raise

    def _run(self, s: int, order: tuple[int, ...], carry_seeds: list[float]) -> None:
        program = self.programs(order)
        seeds = [cast(float, self.leaves[s][k].grad) for k in order] + carry_seeds
        if program.holds == (self, s):
            program.graph.backward(seeds)
        else:
            self.capture.load(self.rows[s])
            program.graph.run(seeds)
        program.holds = (self, s)


def passes_of(batch_loss: Value, leaves: list[list[Value]]) -> Passes:
    """(sample, order of its outputs) for each sample the loss reads, in the order eager's
    backward reaches their graphs: the sample it meets last in topological order first,
    its outputs in the order the loss meets them (then those it does not read). (Eager's
    backward of reduce(add, losses) / n meets sample 1's subgraph first, so it visits the
    samples' nodes last sample first.)"""
    where = {leaf: (s, k) for s, outputs in enumerate(leaves) for k, leaf in enumerate(outputs)}
    met: dict[int, list[int]] = {}  # in the order first met
    for node in topological_order(batch_loss):
        if node in where:
            s, k = where[node]
            met.setdefault(s, []).append(k)
    passes = []
    for s, order in reversed(met.items()):
        unread = sorted(set(range(len(leaves[s]))).difference(order))
        passes.append((s, tuple(order + unread)))
    return passes


def _take_grad(p: Value) -> float:
    """p's running gradient, as a carry node's seed; p's .grad restarts from nothing."""
    grad = p.grad
    p.grad = None
    return 0.0 if grad is None else cast(float, grad)
