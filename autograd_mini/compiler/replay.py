"""The slow path of a compiled graph: replay the captured graph with real Values.

The generated code checks nothing per op. When a run might have gone wrong (an
exception, or a NaN or infinity somewhere), the graph is rebuilt op by op with the
engine's own operators from the same numbers, so any error is exactly eager's error,
naming the same op and value; when nothing was wrong after all, its numbers stand.
"""
from __future__ import annotations

from typing import Iterator, Sequence

from autograd_mini.compiler.capture import CONSTANT, OP, Plan
from autograd_mini.engine import Value, recording
from autograd_mini.nonfinite import checked_edge
from autograd_mini.numeric import NonFiniteGradientError
from autograd_mini.opgen import apply

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
                node = apply(op.key, operands, constants[i])
            if i in labels:
                node.label = labels[i]
            nodes.append(node)
    return nodes


def replay_backward(plan: Plan, nodes: list[Value], seeds: Sequence[float]) -> list[float]:
    """The float chain rule over the replayed nodes, as Value.backward runs it, from a seed
    per root; returns the gradients of the leaves that want one, in position order."""
    _seed(plan, nodes, seeds)
    for i, _, p, local in _edges_backward(plan, nodes):
        nodes[p].grad += local * nodes[i].grad
    needs = plan.needs_grad
    return [nodes[i].grad for i in range(len(nodes)) if plan.kinds[i] != OP and needs[i]]


def first_nonfinite_gradient(plan: Plan, nodes: list[Value],
                             seeds: Sequence[float]) -> NonFiniteGradientError | None:
    """nonfinite.first_nonfinite for several roots: the chain rule again, checking each
    step; the error for the first gradient that is NaN or infinite, or None."""
    _seed(plan, nodes, seeds)
    for i, position, p, local in _edges_backward(plan, nodes):
        error = checked_edge(nodes[i], position, nodes[p], local)
        if error:
            return error
    return None


def _edges_backward(plan: Plan, nodes: list[Value]) -> Iterator[tuple[int, int, int, float]]:
    """(node index, operand position, parent index, local gradient) for each edge a
    gradient flows along, in the order Value.backward takes them: nodes from the last
    position to the first, each node's first operand before its second."""
    needs, kinds, parent1, parent2 = plan.needs_grad, plan.kinds, plan.parent1, plan.parent2
    for i in range(len(nodes) - 1, -1, -1):
        if kinds[i] != OP or not needs[i]:
            continue
        p = parent1[i]
        if needs[p]:
            yield i, 0, p, nodes[i].local_grad1
        p = parent2[i]
        if p >= 0 and needs[p]:
            yield i, 1, p, nodes[i].local_grad2


def _seed(plan: Plan, nodes: list[Value], seeds: Sequence[float]) -> None:
    """As backward does: every gradient 0.0, then root.grad = seed (added, for a root
    given twice)."""
    for node in nodes:
        node.grad = 0.0
    seeded: set[int] = set()
    for root, seed in zip(plan.roots, seeds):
        nodes[root].grad = nodes[root].grad + seed if root in seeded else seed
        seeded.add(root)
