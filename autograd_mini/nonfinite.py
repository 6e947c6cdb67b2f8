"""Where a gradient stopped being finite, and why, in words a user can act on.

The passes in backprop.py only notice that some gradient is NaN or infinite (one sum
over the graph); this module is the slow path that runs after that, to name the node.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .numeric import NonFiniteGradientError, within

if TYPE_CHECKING:
    from .engine import Value

__all__ = ["describe", "check_local_grads", "first_nonfinite", "checked_edge",
           "nonfinite_error", "backward_failed"]


def describe(node: Value) -> str:
    """The node as a user would recognise it: its op, label and value."""
    what = f"{node.op!r} node" if node.op else "the leaf"
    label = f" {node.label!r}" if node.label else ""
    return f"{what}{label} (value {node._data!r})"


def _inputs(node: Value) -> str:
    values = [repr(parent._data) for parent in node.parents]
    return values[0] if len(values) == 1 else f"({', '.join(values)})"


def _slope_reason(node: Value, position: int, slope: float) -> str:
    kind = "an undefined (NaN)" if slope != slope else "an infinite"
    wrt = f" with respect to input {position + 1}" if len(node.parents) > 1 else ""
    return f"{node.op} at {_inputs(node)} has {kind} slope{wrt} ({slope!r})"


def nonfinite_error(node: Value, kind: str, numbers: tuple) -> NonFiniteGradientError:
    """The error for a non-finite gradient found at `node`.

    kind "slope": numbers = (input position, local derivative); "product": (gradient,
    local derivative, input position); "accumulate": (gradient so far, term added).
    """
    if kind == "slope":
        position, slope = numbers
        return NonFiniteGradientError(
            f"backward: the gradient became non-finite at {describe(node)}: "
            f"{_slope_reason(node, position, slope)}", "Move the input away from that point",
            node)
    if kind == "product":
        g, local, position = numbers
        return NonFiniteGradientError(
            f"backward: the gradient overflowed at {describe(node)}: its gradient {g!r} times "
            f"its local derivative {local!r} (input {position + 1}) is beyond a float",
            "Rescale the inputs or the loss", node)
    so_far, term = numbers
    return NonFiniteGradientError(
        f"backward: the gradient of {describe(node)} overflowed: the gradients reaching it "
        f"add up beyond a float ({so_far!r} + {term!r})", "Rescale the inputs or the loss", node)


def check_local_grads(node: Value, allow_nonfinite: bool) -> bool:
    """True if a float local derivative of node is NaN or infinite (allowed); else raise."""
    for position, slope in enumerate(node.local_grads):
        if slope - slope:  # nonzero only for inf and NaN
            if allow_nonfinite:
                return True
            raise nonfinite_error(node, "slope", (position, slope))
    return False


def first_nonfinite(order: list[Value], root: Value,
                    seed: float) -> NonFiniteGradientError | None:
    """Re-run the float chain rule over order, checking every step; the error for where it
    failed.

    None when every gradient stays finite (the caller's check was a false alarm: a sum
    of large finite gradients overflowed). Leaves the gradients of the re-run in .grad.
    """
    for node in order:
        node._grad = 0.0
    root._grad = seed
    for node in reversed(order):
        if node.parent1 is not None and node.local_grad1.__class__ is not float:
            node.local_grad1()  # a _backward closure (a node made micrograd's way), unchecked
            continue
        for position, (parent, local) in enumerate(zip(node.parents, node.local_grads)):
            error = checked_edge(node, position, parent, local)
            if error:
                return error
    return None


def checked_edge(node: Value, position: int, parent: Value,
                 local: float) -> NonFiniteGradientError | None:
    """One step of the chain rule, parent._grad += local * node._grad, checked: the error
    for a slope, product or sum that is NaN or infinite (parent._grad then unchanged)."""
    if local - local:
        return nonfinite_error(node, "slope", (position, local))
    g = node._grad
    term = local * g
    if term - term:
        return nonfinite_error(node, "product", (g, local, position))
    total = parent._grad + term
    if total - total:
        return nonfinite_error(parent, "accumulate", (parent._grad, term))
    parent._grad = total
    return None


def backward_failed(node: Value, error: ValueError) -> ValueError:
    """A higher-order rule's error, of its type, with the node whose derivative was being
    built."""
    return within(f"backward(create_graph=True) through {describe(node)}", error)
