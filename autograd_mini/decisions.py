"""Gradients whose formula a rule chose by the value of an input.

A rule that branches (relu's slope is 1 or 0 by the sign of x; tanh's and sigmoid's pick
the form that keeps their digits) gives, under backward(create_graph=True), a gradient
graph in which that choice is no node at all: just the constant it chose. Evaluated
once, that is right. Replayed by compile_graph at other inputs, the old choice would
stand and the numbers would be silently wrong (the gradient penalty of relu at x = 3
replayed from x = -2 gives 0.09 where the truth is 16). So each create_graph pass
notes the gradients a choice reaches (the parents of a node whose rule branched, and
everything below them, whose gradients are built from theirs), and compile_graph
refuses a graph holding one, naming the op.
"""
from __future__ import annotations

import ast
import weakref
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from .engine import Value

__all__ = ["branches", "Decisions", "any_decided", "decided_by"]

# gradient Value -> the op whose rule chose its formula, in words; weak: it dies with them
_DECIDED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def branches(texts: Iterable[str], constants: Iterable[str] = ()) -> bool:
    """Does a rule written as these expressions (statements split by ;) choose by its
    operands' values: an if, a comparison, abs or is_zero that reads a name other than
    the op's `constants` (a branch on the 3 in x ** 3 is decided for good)?"""
    fixed = set(constants)
    for text in texts:
        statements = "\n".join(part.strip() for part in text.split(";"))
        for node in ast.walk(ast.parse(statements, mode="exec")):
            if isinstance(node, ast.IfExp):
                node = node.test
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("abs",
                                                                                "is_zero"):
                node = ast.Tuple(elts=node.args)
            elif not isinstance(node, ast.Compare):
                continue
            read = {name.id for name in ast.walk(node) if isinstance(name, ast.Name)}
            if any(name.islower() and name not in fixed for name in read):  # INF: a constant
                return True
    return False


class Decisions:
    """The nodes of one create_graph pass whose gradient a rule's choice reaches."""

    def __init__(self) -> None:
        self.reached: dict[int, tuple[Value, str]] = {}

    def pass_on(self, node: Value) -> None:
        """Before node's gradient flows to its parents: if a choice reaches it, or its own
        rule chooses, the parents' gradients are reached too."""
        why = self.reached.get(id(node))
        reason = why[1] if why else _reason(node) if node._made_by.branches else ""
        if reason:
            for parent in node.parents:
                self.reached.setdefault(id(parent), (parent, reason))

    def pass_forward(self, node: Value) -> None:
        """In forward mode (jvp), the other way: node's tangent is reached when its own
        rule chooses or a choice reached a parent's."""
        reason = _reason(node) if node._made_by.branches else next(
            (self.reached[id(p)][1] for p in node.parents if id(p) in self.reached), "")
        if reason:
            self.reached[id(node)] = (node, reason)

    def mark_gradients(self, nodes: Iterable[Value] | None = None) -> None:
        """Note the gradient Values of the reached nodes (of `nodes` only, if given)."""
        wanted = None if nodes is None else {id(node) for node in nodes}
        for key, (node, reason) in self.reached.items():
            if wanted is None or key in wanted:
                self.mark_value(node, node._grad)

    def mark_value(self, node: Value, derivative: object) -> None:
        """Note `derivative` (node's gradient or tangent) if a choice reached node."""
        found = self.reached.get(id(node))
        if found is not None and derivative.__class__ is not float:
            _DECIDED[derivative] = found[1]


def any_decided() -> bool:
    """Is some gradient that a rule's choice reached still alive?"""
    return bool(_DECIDED)


def decided_by(values: Iterable[Value]) -> tuple[Value, str] | None:
    """The first of values that is a gradient a rule's choice reached, and that choice."""
    if not _DECIDED:
        return None
    for value in values:
        reason = _DECIDED.get(value)
        if reason is not None:
            return value, reason
    return None


def _reason(node: Value) -> str:
    """relu at x = -2.0, or * at (a = 2.0, b = 3.0): the op and where it chose."""
    inputs = [f"{p.label or 'its input'} = {p._data!r}" for p in node.parents]
    where = inputs[0] if len(inputs) == 1 else f"({', '.join(inputs)})"
    return f"{node._made_by.symbol} at {where}"
