"""micrograd's names and way of adding an op, on our Values.

The lecture's trace() and draw_dot() read v._prev (a set of parents) and v._op (the op's
symbol); micrograd adds an op as `out = Value(a.data * b.data, (a, b), '*')` with
`out._backward = closure`, a first-order step that reads out.grad and adds into the
parents' .grad. Such a node keeps its closure in local_grad1 (no slot of its own), and
backprop calls the closures only while some are alive (`closures_alive`), so graphs
without them pay nothing. Where a closure cannot take part (create_graph, compile_graph,
jvp), the error names the node and points to `primitive`.
"""
from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING, Any, Callable

from . import backprop

if TYPE_CHECKING:
    from .engine import Value

__all__ = ["MicrogradNames", "micrograd_parents"]

_count_lock = threading.Lock()


def _closure_gone() -> None:
    with _count_lock:
        backprop.closures_alive -= 1


class _ChainRuleStep:
    """A built-in node's _backward for micrograd's own loops: its first-order step."""

    __slots__ = ("node",)

    def __init__(self, node: Value) -> None:
        self.node = node

    def __call__(self) -> None:
        node = self.node
        parent = node.parent1
        if parent is not None:
            g = node._grad
            parent._grad += node.local_grad1 * g
            if node.parent2 is not None:
                node.parent2._grad += node.local_grad2 * g


def micrograd_parents(children: object, symbol: object) -> tuple[Any, ...]:
    """The parents of Value(data, children, symbol), checked: one or two Values, a str op."""
    parents = tuple(children) if not isinstance(children, (str, bytes)) else None
    if (parents is None or not 1 <= len(parents) <= 2
            or not all(isinstance(p, MicrogradNames) for p in parents)):  # Values
        raise TypeError(f"Value(data, children, op): children must be one or two Values "
                        f"(as micrograd's (self, other)), got {children!r}")
    if not isinstance(symbol, str):
        raise TypeError(f"Value(data, children, op): op must be a str such as '*', "
                        f"got {symbol!r}")
    return parents


class MicrogradNames:
    """_op, _prev and _backward, as micrograd's Value has them."""

    __slots__ = ()
    _made_by: Any
    local_grad1: Any
    parents: tuple

    @property
    def _op(self) -> str:
        """micrograd's name for .op: the op's symbol, "" for a leaf."""
        return self._made_by.symbol

    @property
    def _prev(self) -> set[Value]:
        """micrograd's name for the parents, as a set (a * a has one)."""
        return set(self.parents)

    @property
    def _backward(self) -> Callable[[], None]:
        """micrograd's per-node step of the chain rule: adds self.grad times each local
        derivative into the parents' .grad (the closure given to a node made micrograd's
        way, which may do nothing)."""
        local = getattr(self, "local_grad1", None)
        if local is not None and local.__class__ is not float:
            return local
        return _ChainRuleStep(self)

    @_backward.setter
    def _backward(self, closure: Callable[[], None]) -> None:
        if not self._made_by.key.startswith("micrograd:"):
            raise TypeError(
                f"{self!r}._backward = ...: only a node made micrograd's way, Value(data, "
                "(a, b), '*'), takes a _backward closure; this one's derivative is its op's. "
                "For a new op, use @autograd_mini.primitive")
        if not callable(closure):
            raise TypeError(f"_backward must be a function of no arguments, got {closure!r}")
        if self.local_grad1.__class__ is float:  # its first closure: counted while it lives
            with _count_lock:
                backprop.closures_alive += 1
            weakref.finalize(self, _closure_gone)
        self.local_grad1 = closure

