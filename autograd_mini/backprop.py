"""Reverse-mode passes over a Value graph: topological order and the chain rule.

Works on any node with the attributes of engine.Value (parent1/2, local_grad1/2,
_made_by.rule, grad, _seen_by) and imports nothing from it.

Passes are serialised by one lock: they mark the nodes they visit and set gradients
aside while they run, so two at once over shared nodes would corrupt each other.
Every pass either completes or leaves each .grad as it found it.
"""
from __future__ import annotations

import threading
import weakref
from operator import attrgetter
from typing import TYPE_CHECKING, Iterable

from .decisions import Decisions
from .opgen import micrograd_node_error
from .nonfinite import backward_failed, check_local_grads, first_nonfinite, nonfinite_error
from .rule_arithmetic import rule_with_ieee_arithmetic

if TYPE_CHECKING:  # annotations only: the engine imports this module
    from .engine import Value

__all__ = ["topological_order", "backpropagate", "gradients", "last_root", "any_nonzero",
           "NO_GRADIENT"]


class _NoGradient(float):
    """The type of NO_GRADIENT: 0.0 to arithmetic, true to any_nonzero (so a pass sets it
    aside and a failing pass puts it back), pickled and copied as itself."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return True

    def __repr__(self) -> str:
        return "NO_GRADIENT"

    def __reduce__(self) -> str:
        return "NO_GRADIENT"


# What .grad holds after `x.grad = None` (read back as None): a float, so the chain rule's
# `parent._grad += ...` adds into it without a branch, and the sum is a plain float.
NO_GRADIENT = _NoGradient(0.0)

# How many nodes made micrograd's way hold a _backward closure (engine.py counts them,
# alive): a pass reads it once, and only when it is nonzero does it look for closures.
closures_alive = 0

# Re-entrant: a create_graph pass builds Values, and a pass may sort while holding it.
pass_lock = threading.RLock()
# The root of this thread's latest backward(), weakly held (explain() reads it; a strong
# reference would keep the last graph alive until the next pass).
_latest = threading.local()


def last_root() -> Value | None:
    """The root of the latest backward() in this thread, if it is still alive."""
    ref = getattr(_latest, "root", None)
    return None if ref is None else ref()


def topological_order(root: Value, stop_at: Iterable[Value] = ()) -> list[Value]:
    """Every node reachable from root once, each after its parents, root last.

    Nodes in `stop_at` count as leaves (their parents are not visited) and come first.
    """
    with pass_lock:
        return _sort(root, stop_at)


def _sort(root: Value, stop_at: Iterable[Value]) -> list[Value]:
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


_get_grad = attrgetter("_grad")


def backpropagate(root: Value, seed, create_graph: bool = False,
                  allow_nonfinite: bool = False) -> None:
    """The chain rule over root's graph, adding this pass's gradients to each .grad.

    Gradients already present are set aside during the pass and added back after, so
    every call adds d(root)/d(node) * seed exactly once, however many came before.
    """
    with pass_lock:
        order = _sort(root, ())
        # Gradients are set aside only when there are any: usually every one is 0.0.
        before = list(map(_get_grad, order)) if any_nonzero(map(_get_grad, order)) else None
        try:
            if before is not None:
                _reset(order)
            decisions = _chain_rule(order, root, seed, create_graph, allow_nonfinite)
            if before is not None:
                _add_back(order, before, create_graph, allow_nonfinite)
        except BaseException:
            _restore(order, before)
            raise
        _latest.root = weakref.ref(root)
        if create_graph:  # the contract: every .grad of the graph is a Value then
            value_type = root.__class__
            for node in order:
                if node._grad.__class__ is float:
                    node._grad = value_type(node._grad, allow_nonfinite=True)
            if decisions is not None:
                decisions.mark_gradients()


def gradients(root: Value, inputs: list[Value], create_graph: bool = False,
              allow_nonfinite: bool = False) -> list:
    """d(root)/d(input) for each input (counted as leaves), leaving every .grad as it was."""
    with pass_lock:
        order = _sort(root, inputs)
        passing = order[len(inputs):]  # the inputs lead the order and pass nothing on
        before = list(map(_get_grad, order))
        try:
            _reset(order)
            # A float seed, even with create_graph: constant derivatives stay floats and the
            # gradient graphs gain no leaf that is foreign to the caller.
            decisions = _chain_rule(passing, root, 1.0, create_graph, allow_nonfinite,
                                    extra_leaves=inputs)
            if decisions is not None:
                decisions.mark_gradients(inputs)
            return [node._grad for node in inputs]
        finally:
            _restore(order, before)


def _reset(order: list[Value]) -> None:
    for node in order:
        node._grad = 0.0


def _restore(order: list[Value], grads: list | None) -> None:
    """Put back the gradients a pass found; None means they were all 0.0."""
    if grads is None:
        _reset(order)
        return
    for node, grad in zip(order, grads):
        node._grad = grad


def any_nonzero(grads: Iterable) -> bool:
    """Whether a pass sets these gradients aside (some is nonzero, or a Value); when none
    is, it adds into them in place."""
    try:
        return any(grads)
    except TypeError:  # a Value gradient (from create_graph) refuses truth testing
        return True


def _add_back(order: list[Value], before: list, create_graph: bool,
              allow_nonfinite: bool) -> None:
    """Add the gradients set aside to this pass's, refusing a sum that overflows."""
    if allow_nonfinite:
        for node, grad in zip(order, before):
            node._grad = _sum_allowing_nonfinite(grad, node._grad)
        return
    for node, grad in zip(order, before):
        node._grad = grad + node._grad
    if not create_graph and set(map(type, before)) == {float}:  # all floats: a C-level sum
        total = sum(map(_get_grad, order))
    else:
        total = sum(map(_grad_data, order))
    if total - total:  # nonzero only for inf and NaN (or a sum too large: then none is)
        for node, earlier in zip(order, before):
            now = _grad_data(node)
            if now - now:
                added = now - (earlier if isinstance(earlier, float) else earlier._data)
                raise nonfinite_error(node, "accumulate", (earlier, added))


def _sum_allowing_nonfinite(a: Value | float, b: Value | float) -> Value | float:
    """a + b, where a Value meets an inf or NaN float (a second derivative of an allowed
    pass, added to a create_graph pass's Value): the float joins as a Value, since a
    Value refuses non-finite plain numbers."""
    if a is NO_GRADIENT:
        return b
    if a.__class__ is float and a - a and b.__class__ is not float:
        a = b.__class__(a, allow_nonfinite=True)
    elif b.__class__ is float and b - b and a.__class__ is not float:
        b = a.__class__(b, allow_nonfinite=True)
    return a + b


def _grad_data(node: Value) -> float:
    grad = node._grad
    return grad if grad.__class__ is float else grad._data


def _chain_rule(order: list[Value], root: Value, seed, create_graph: bool,
                allow_nonfinite: bool, extra_leaves: list[Value] = ()) -> Decisions | None:
    """Seed root and push gradients from each node to its parents, children first; with
    create_graph, return which gradients a rule's choice reached (decisions.py).

    Unless allow_nonfinite, a gradient that became NaN or infinite raises
    NonFiniteGradientError naming where. Only the leaves need checking: a non-finite
    gradient passes on to every node below it (inf * 0 is NaN), so it reaches some leaf.
    A leaf's gradient is final when the loop meets it, since every node using it comes
    later in the order.
    """
    root._grad = seed
    if create_graph:  # checks each node's slopes as it goes; ops refuse overflow
        return _chain_rule_building_graph(order, allow_nonfinite)
    if closures_alive:
        leaf_sum = _chain_rule_with_closures(order)
    else:
        leaf_sum = _chain_rule_floats(order)
    for leaf in extra_leaves:
        leaf_sum += leaf._grad
    if leaf_sum - leaf_sum and not allow_nonfinite:  # nonzero only for inf and NaN
        error = first_nonfinite(order, root, seed)
        if error:  # else only the sum of large finite gradients overflowed
            raise error
    return None


def _chain_rule_floats(order: list[Value]) -> float:
    """The chain rule with float slopes, children first; returns the sum of the leaves'
    gradients (finite if every gradient is)."""
    leaf_sum = 0.0
    for node in reversed(order):
        parent = node.parent1
        if parent is not None:
            g = node._grad
            parent._grad += node.local_grad1 * g
            parent = node.parent2
            if parent is not None:
                parent._grad += node.local_grad2 * g
        else:
            leaf_sum += node._grad
    return leaf_sum


def _chain_rule_with_closures(order: list[Value]) -> float:
    """_chain_rule_floats where a node made micrograd's way runs its _backward closure
    (kept in local_grad1, which is a float on every other node) in its place."""
    leaf_sum = 0.0
    for node in reversed(order):
        parent = node.parent1
        if parent is not None:
            local = node.local_grad1
            if local.__class__ is not float:
                local()  # micrograd's: reads out.grad, adds into its parents' .grad
                continue
            g = node._grad
            parent._grad += local * g
            parent = node.parent2
            if parent is not None:
                parent._grad += node.local_grad2 * g
        else:
            leaf_sum += node._grad
    return leaf_sum


def _chain_rule_building_graph(order: list[Value], allow_nonfinite: bool) -> Decisions:
    """The chain rule with every gradient built as a Value, for higher derivatives.

    Each node's float slopes are checked before its rule runs, so a rule fails (or
    succeeds) exactly where the float pass does, with the same message.
    """
    decisions = Decisions()
    for node in reversed(order):
        if node.parent1 is None:
            continue
        if node._made_by.rule is None:  # made micrograd's way: a closure, first order only
            raise micrograd_node_error(node, "backward(create_graph=True)")
        decisions.pass_on(node)  # before the zero skip: a zero may be a rule's choice
        infinite_slope = check_local_grads(node, allow_nonfinite)
        g = node._grad
        if g.__class__ is float and g == 0.0:
            continue
        try:
            if infinite_slope:  # allowed: IEEE's inf, as a Value that keeps its derivative
                locals_ = rule_with_ieee_arithmetic(node)
            else:
                locals_ = node._made_by.rule(node, *node.parents)
            for parent, local in zip(node.parents, locals_):
                if local.__class__ is float and local == 0.0:
                    continue
                term = g if local.__class__ is float and local == 1.0 else local * g
                acc = parent._grad
                parent._grad = term if acc.__class__ is float and acc == 0.0 else acc + term
        except ValueError as error:
            raise backward_failed(node, error) from error
    return decisions
