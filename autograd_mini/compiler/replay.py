"""The slow path of a compiled graph: replay the captured graph with real Values.

The generated code checks nothing per op. When a run might have gone wrong (an
exception, or a NaN or infinity somewhere), the graph is rebuilt op by op with the
engine's own operators from the same numbers, so any error is exactly eager's error,
naming the same op and value; when nothing was wrong after all, its numbers stand.
"""
from __future__ import annotations

from typing import Iterator, Sequence

from autograd_mini.compiler.capture import CONSTANT, INPUT, OP, Plan
from autograd_mini.engine import Value, recording
from autograd_mini.nonfinite import checked_edge, nonfinite_error
from autograd_mini.numeric import NonFiniteGradientError
from autograd_mini.opgen import apply_op

__all__ = ["replay_forward", "replay_backward", "first_nonfinite_gradient"]


def replay_forward(plan: Plan, leaf_data: Sequence[float]) -> list[Value]:
    """Every node of the plan rebuilt as a Value (leaves from `leaf_data` by slot, or the
    constants), in position order; raises whatever eager raises on the way."""
    nodes: list[Value] = []
    labels, constants, slots = plan.labels, plan.constants, plan.leaf_slots
    with recording():  # even inside the caller's no_grad(): the backward needs the graph
        for i, op in enumerate(plan.ops):
            if op is None:
                data = constants[i] if plan.kinds[i] == CONSTANT else leaf_data[slots[i]]
                node = Value(data, allow_nonfinite=True)
            else:
                p2 = plan.parent2[i]
                operands = (nodes[plan.parent1[i]],) if p2 < 0 else (nodes[plan.parent1[i]],
                                                                     nodes[p2])
                node = apply_op(op, operands, constants[i])
            if i in labels:
                node.label = labels[i]
            nodes.append(node)
    return nodes


def replay_backward(plan: Plan, nodes: list[Value], seeds: Sequence[float],
                    start: Sequence[float] = ()) -> list[float]:
    """The float chain rule over the replayed nodes, as Value.backward runs it, from a seed
    per root; returns the gradients of the leaves that want one, in position order.
    Gradients start at 0.0, or the inputs' at `start` (in position order): eager adds into
    the .grads in place when every one is zero."""
    _begin(plan, nodes, seeds, start)
    for i, _, p, local in _steps_backward(plan, nodes, seeds):
        nodes[p]._grad += local if i < 0 else local * nodes[i]._grad
    needs = plan.needs_grad
    return [nodes[i]._grad for i in range(len(nodes)) if plan.kinds[i] != OP and needs[i]]


def first_nonfinite_gradient(plan: Plan, nodes: list[Value],
                             seeds: Sequence[float]) -> NonFiniteGradientError | None:
    """nonfinite.first_nonfinite for several roots: the chain rule again, checking each
    step; the error for the first gradient that is NaN or infinite, or None."""
    _begin(plan, nodes, seeds)
    for i, position, p, local in _steps_backward(plan, nodes, seeds):
        error = checked_edge(nodes[i], position, nodes[p], local) if i >= 0 else \
            _checked_seed(nodes[p], local)
        if error:
            return error
    return None


def _steps_backward(plan: Plan, nodes: list[Value],
                    seeds: Sequence[float]) -> Iterator[tuple[int, int, int, float]]:
    """(node index, operand position, parent index, local gradient) for each edge a
    gradient flows along, in the order Value.backward takes them: nodes from the last
    position to the first, each node's first operand before its second. A list's seed is
    a step (-1, 0, root, seed) where eager's loss would add it (Plan)."""
    needs, kinds, parent1, parent2 = plan.needs_grad, plan.kinds, plan.parent1, plan.parent2
    entering = {} if plan.one_root else plan.seeds_entering()  # one root: set by _begin
    for i in range(len(nodes) - 1, -1, -1):
        for root, k in entering.get(i, ()):
            yield -1, 0, root, seeds[k]
        if kinds[i] != OP or not needs[i]:
            continue
        p = parent1[i]
        if needs[p]:
            yield i, 0, p, nodes[i].local_grad1
        p = parent2[i]
        if p >= 0 and needs[p]:
            yield i, 1, p, nodes[i].local_grad2


def _checked_seed(output: Value, seed: float) -> NonFiniteGradientError | None:
    """output._grad += seed, as the loss's node reading the output adds it, checked: the
    error for a sum that is NaN or infinite (output._grad then unchanged)."""
    total = output._grad + seed
    if total - total:
        return nonfinite_error(output, "accumulate", (output._grad, seed))
    output._grad = total
    return None


def _begin(plan: Plan, nodes: list[Value], seeds: Sequence[float],
           start: Sequence[float] = ()) -> None:
    """As backward begins: every gradient 0.0 (the inputs' from `start`, if given), and a
    root given as a Value set to its seed."""
    for node in nodes:
        node._grad = 0.0
    inputs = [i for i in range(len(nodes)) if plan.kinds[i] == INPUT]
    for i, grad in zip(inputs, start):
        nodes[i]._grad = grad
    if plan.one_root:
        nodes[plan.roots[0]]._grad = seeds[0]
