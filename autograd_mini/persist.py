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

import weakref
from typing import TYPE_CHECKING

from .backprop import topological_order

if TYPE_CHECKING:
    from .engine import Value

__all__ = ["value_state", "restore_value"]


class Ancestors(list):
    """Nodes in topological order, leaves first; weakly referable, unlike a plain list."""

    __slots__ = ("__weakref__",)


def value_state(node: Value) -> tuple:
    """What pickle saves of a node: (ancestors, data, grad, op, label, parents, local grads).

    The ancestors come first, so that they are saved before the parents refer to them.
    """
    return (_ancestors(node), node.data, node.grad, node._op, node.label, node.parents,
            node.local_grads)


def restore_value() -> Value:
    """An empty Value for pickle to fill with Value.__setstate__."""
    from .engine import Value
    return object.__new__(Value)


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
