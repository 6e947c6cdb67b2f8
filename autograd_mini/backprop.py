"""Reverse-mode passes over a Value graph: topological order and the chain rule.

Works on any node with the attributes of engine.Value (parent1/2, local_grad1/2,
_op.rule, grad, _seen_by) and imports nothing from it.
"""
from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # annotations only: the engine imports this module
    from .engine import Value

__all__ = ["topological_order", "backpropagate", "gradients"]


def topological_order(root: Value, stop_at: Iterable[Value] = ()) -> list[Value]:
    """Every node reachable from root once, each after its parents, root last.

    Nodes in `stop_at` count as leaves (their parents are not visited) and come first.
    """
    seen = object()  # this pass's mark: `node._seen_by is seen` is cheaper than a set
    order = list(dict.fromkeys(stop_at))
    for node in order:
        node._seen_by = seen
    if root._seen_by is seen:
        return order
    root._seen_by = seen
    emit = order.append
    stack = [root]
    push, pop = stack.append, stack.pop
    while stack:
        node = stack[-1]
        # Descend into an unseen parent that has parents of its own; an unseen leaf
        # goes straight into the order. A node leaves the stack, and enters the order,
        # once neither parent is left to visit.
        parent = node.parent1
        if parent is not None and parent._seen_by is not seen:
            parent._seen_by = seen
            if parent.parent1 is not None:
                push(parent)
                continue
            emit(parent)
        parent = node.parent2
        if parent is not None and parent._seen_by is not seen:
            parent._seen_by = seen
            if parent.parent1 is not None:
                push(parent)
                continue
            emit(parent)
        pop()
        emit(node)
    return order


_get_grad = attrgetter("grad")


def backpropagate(root: Value, seed, create_graph: bool = False) -> None:
    """The chain rule over root's graph, adding this pass's gradients to each .grad.

    Gradients already present are set aside during the pass and added back after, so
    every call adds d(root)/d(node) * seed exactly once, however many came before.
    """
    order = topological_order(root)
    # A Value gradient (from create_graph) counts as carried too.
    carried = any(map(_get_grad, order)) and list(map(_get_grad, order))
    if carried:
        for node in order:
            node.grad = 0.0
    _chain_rule(order, root, seed, create_graph)
    if carried:
        for node, before in zip(order, carried):
            node.grad = before + node.grad


def gradients(root: Value, inputs: list[Value], create_graph: bool = False) -> list:
    """d(root)/d(input) for each input (counted as leaves), leaving every .grad as it was."""
    order = topological_order(root, inputs)
    passing = order[len(inputs):]  # the inputs lead the order and pass nothing on
    earlier = list(map(_get_grad, order))
    for node in order:
        node.grad = 0.0
    # A float seed, even with create_graph: constant derivatives stay floats and the
    # gradient graphs gain no leaf that is foreign to the caller.
    _chain_rule(passing, root, 1.0, create_graph)
    found = [node.grad for node in inputs]
    for node, before in zip(order, earlier):
        node.grad = before
    return found


def _chain_rule(order: list[Value], root: Value, seed, create_graph: bool) -> None:
    """Seed root and push gradients from each node to its parents, children first."""
    root.grad = seed
    if create_graph:
        _chain_rule_building_graph(order)
        return
    for node in reversed(order):
        parent = node.parent1
        if parent is not None:
            g = node.grad
            parent.grad += node.local_grad1 * g
            parent = node.parent2
            if parent is not None:
                parent.grad += node.local_grad2 * g


def _chain_rule_building_graph(order: list[Value]) -> None:
    """The chain rule with every gradient built as a Value, for higher derivatives."""
    for node in reversed(order):
        g = node.grad
        if node.parent1 is None or (g.__class__ is float and g == 0.0):
            continue
        for parent, local in zip(node.parents, node._op.rule(node, *node.parents)):
            if local.__class__ is float and local == 0.0:
                continue
            term = g if local.__class__ is float and local == 1.0 else local * g
            acc = parent.grad
            parent.grad = term if acc.__class__ is float and acc == 0.0 else acc + term
