"""pickle and copy.deepcopy of Value graphs, without recursion.

pickle (and deepcopy, which uses the same protocol) would follow parent1 -> parent1 ->
... one stack frame per node and raise RecursionError at a few hundred nodes. So a
Value's state begins with its ancestors in topological order, leaves first: pickle
saves that list item by item, and by the time it reaches any node's own parents they
are already saved (memoised), so the depth stays constant however long the chain.

Each ancestor is marked (in `_seen_by`) with a weak reference to the list it is in, so
that pickling it as an item of that list reuses the list rather than building another:
one topological sort per graph, not one per node. The reference is weak, so no node
keeps the list (which holds the node) alive: no reference cycle, and the list dies with
the pickling that made it.
"""
from __future__ import annotations

import copy
import weakref
from typing import TYPE_CHECKING

from .backprop import topological_order

if TYPE_CHECKING:
    from .engine import Value

__all__ = ["value_state", "restore_value", "set_state", "deep_copy"]


class Ancestors(list):
    """Nodes in topological order, leaves first; weakly referable, unlike a plain list."""

    __slots__ = ("__weakref__",)


def value_state(node: Value) -> tuple:
    """What pickle saves of a node: (ancestors, data, grad, op, label, parents, local grads,
    constant). The ancestors come first, so that they are saved before the parents refer
    to them.
    """
    return (_ancestors(node), node.data, node.grad, node._op, node.label, node.parents,
            node.local_grads, node.constant)


def restore_value() -> Value:
    """An empty Value for pickle to fill with Value.__setstate__."""
    from .engine import Value
    return object.__new__(Value)


def set_state(node: Value, state: tuple) -> None:
    """Value.__setstate__: fill an empty node from what value_state saved."""
    _ancestors, node.data, node.grad, node._op, label, parents, local_grads, constant = state
    node.parent1, node.parent2 = (parents + (None, None))[:2]
    if local_grads:
        node.local_grad1 = local_grads[0]
    if len(local_grads) > 1:
        node.local_grad2 = local_grads[1]
    _set_extra(node, label, constant)
    node._seen_by = None


def _ancestors(node: Value) -> Ancestors | None:
    if node.parent1 is None:
        return None
    mark = node._seen_by
    if mark.__class__ is weakref.ref:
        ancestors = mark()
        if ancestors is not None:  # still being pickled: it lists this node's ancestors
            return ancestors
    ancestors = Ancestors(topological_order(node))
    ancestors.pop()  # the node itself
    mark = weakref.ref(ancestors)
    for ancestor in ancestors:
        ancestor._seen_by = mark
    return ancestors


def deep_copy(root: Value, memo: dict) -> Value:
    """copy.deepcopy of root's graph, node by node in topological order (no recursion).

    Nodes already copied in this deepcopy call (memo) are reused, so shared nodes stay
    shared. Ops are immutable and shared with the original; a Value gradient (from
    create_graph) is deep-copied with the same memo.
    """
    new_value = object.__new__
    value_type = root.__class__
    for node in topological_order(root):
        if id(node) in memo:
            continue
        twin = new_value(value_type)
        memo[id(node)] = twin  # before the gradient: a create_graph gradient uses its node
        twin.data, twin._op, twin._seen_by = node.data, node._op, None
        grad = node.grad
        twin.grad = grad if grad.__class__ is float else copy.deepcopy(grad, memo)
        twin.parent1 = twin.parent2 = None
        if node.parent1 is not None:
            twin.parent1, twin.local_grad1 = memo[id(node.parent1)], node.local_grad1
            if node.parent2 is not None:
                twin.parent2, twin.local_grad2 = memo[id(node.parent2)], node.local_grad2
        _set_extra(twin, node.label, node.constant)
    return memo[id(root)]


def _set_extra(node: Value, label: str, constant: float | None) -> None:
    """Store label and constant as Value keeps them (one slot, set only when needed)."""
    if label and constant is not None:
        node._extra = (label, constant)
    elif label or constant is not None:
        node._extra = label or constant
