"""pickle and copy.deepcopy of Value graphs, without recursion.

pickle (and deepcopy, which uses the same protocol) would follow parent1 -> parent1 ->
... one stack frame per node and raise RecursionError at a few hundred nodes. So a
Value's state begins with its closure: every Value it reaches through parents and
through gradients that are Values (after backward(create_graph=True)), each after its
parents. pickle saves that list item by item, and by the time it reaches any node's
parents they are already saved (memoised), so the depth stays constant however long
the chain. A gradient that is a Value can reach back into the graph (the rule of a
node uses the node), so nodes are saved without such gradients, and the Value that
was asked for carries them all, set once every node exists.

Each node of the closure is marked (in `_seen_by`) with a weak reference to the list it
is in, so that pickling it as an item of that list reuses the list rather than
building another: one walk per graph, not one per node. The reference is weak, so no
node keeps the list (which holds the node) alive: no reference cycle, and the list dies
with the pickling that made it.
"""
from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from . import backprop
from .backprop import pass_lock, topological_order
from .opgen import micrograd_node_error

if TYPE_CHECKING:
    from .engine import Value

__all__ = ["value_state", "restore_value", "set_state", "deep_copy"]


class Closure(list):
    """Nodes reached through parents and Value gradients, each after its parents; weakly
    referable, unlike a plain list."""

    __slots__ = ("__weakref__",)


def value_state(node: Value) -> tuple:
    """What pickle saves of a node: (closure, data, grad, op, label, parents, local grads,
    constant, other gradients). The closure comes first, so that its nodes are saved
    before the parents refer to them. A node saved as an item of a closure is saved
    without a Value gradient; the node pickle was asked for carries those, as (node,
    gradient) pairs in the last field.
    """
    mark = node._seen_by
    closure = mark() if mark.__class__ is weakref.ref else None
    grad = node._grad
    if closure is not None:  # an item of a closure being saved: its owner carries grads
        return (closure, node._data, grad if isinstance(grad, float) else 0.0, node._made_by,
                _label(node), node.parents, node.local_grads, node.constant, ())
    closure = _closure(node, mark=True)
    others = tuple((n, n._grad) for n in closure
                   if not isinstance(n._grad, float) and n is not node)
    return (closure if len(closure) > 1 else None, node._data, grad, node._made_by, _label(node),
            node.parents, node.local_grads, node.constant, others)


def restore_value() -> Value:
    """An empty Value for pickle to fill with Value.__setstate__."""
    from .engine import Value
    return object.__new__(Value)


def set_state(node: Value, state: tuple) -> None:
    """Value.__setstate__: fill an empty node from what value_state saved."""
    (_closure_, node._data, node._grad, node._made_by, label, parents, local_grads, constant,
     grads) = state
    node.parent1, node.parent2 = (parents + (None, None))[:2]
    if local_grads:
        node.local_grad1 = local_grads[0]
    if len(local_grads) > 1:
        node.local_grad2 = local_grads[1]
    _set_extra(node, label, constant)
    node._seen_by = None
    for owner, grad in grads:  # every node exists by now
        owner._grad = grad


def _closure(root: Value, mark: bool = False) -> Closure:
    """Every Value reached from root through parents and Value gradients, each after its
    parents, root included; with `mark`, each marked with a weak reference to the list."""
    closure = Closure(topological_order(root))  # the common case, and the quick sort
    for node in closure if backprop.closures_alive else ():
        # a _backward closure holds the original nodes: it cannot follow them
        if node.parent1 is not None and node.local_grad1.__class__ is not float:
            raise micrograd_node_error(node, "pickle and copy.deepcopy")
    if not all(isinstance(node._grad, float) for node in closure):
        closure = _with_gradients(root)
    if mark:
        reference = weakref.ref(closure)
        with pass_lock:  # _seen_by is also a sort's visit mark
            for node in closure:
                node._seen_by = reference
    return closure


def _with_gradients(root: Value) -> Closure:
    """_closure where some gradients are Values: their graphs join, after the graph."""
    closure, visited = Closure(), set()
    stack, gradients = [(root, False)], []
    while stack or gradients:  # depth first, without recursion: a node after its parents
        if not stack:  # a gradient's graph after the graph: most of its parents are there
            stack.append((gradients.pop(), False))
        node, expanded = stack.pop()
        if expanded:
            closure.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for parent in (node.parent2, node.parent1):
            if parent is not None and id(parent) not in visited:
                stack.append((parent, False))
        if not isinstance(node._grad, float):
            gradients.append(node._grad)
    return closure


def deep_copy(root: Value, memo: dict) -> Value:
    """copy.deepcopy of root's graph, node by node through its closure (no recursion).

    Nodes already copied in this deepcopy call (memo) are reused, so shared nodes stay
    shared. Ops are immutable and shared with the original; a Value gradient (from
    create_graph) is copied as a node of the closure and set once every copy exists.
    """
    new_value = object.__new__
    value_type = root.__class__
    copied = []
    for node in _closure(root):
        if id(node) in memo:
            continue
        twin = new_value(value_type)
        memo[id(node)] = twin
        copied.append(node)
        twin._data, twin._made_by, twin._seen_by = node._data, node._made_by, None
        twin._grad = node._grad if isinstance(node._grad, float) else 0.0
        twin.parent1 = twin.parent2 = None
        if node.parent1 is not None:
            twin.parent1, twin.local_grad1 = memo[id(node.parent1)], node.local_grad1
            if node.parent2 is not None:
                twin.parent2, twin.local_grad2 = memo[id(node.parent2)], node.local_grad2
        extra = getattr(node, "_extra", None)
        if extra is not None:
            twin._extra = extra
    for node in copied:
        if not isinstance(node._grad, float):
            memo[id(node)]._grad = memo[id(node._grad)]
    return memo[id(root)]


def _label(node: Value) -> str | tuple:
    """The label, or the whole _extra when it carries allow_nonfinite's mark."""
    extra = getattr(node, "_extra", None)
    return extra if extra.__class__ is tuple and len(extra) == 3 else node.label


def _set_extra(node: Value, label: str | tuple, constant: float | None) -> None:
    """Store label and constant as Value keeps them (one slot, set only when needed)."""
    if label.__class__ is tuple:  # _extra with allow_nonfinite's mark, saved whole
        node._extra = label
    elif label and constant is not None:
        node._extra = (label, constant)
    elif label or constant is not None:
        node._extra = label or constant
