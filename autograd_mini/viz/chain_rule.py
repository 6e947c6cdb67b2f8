"""explain(node): how backward() computed node.grad by the chain rule, with the numbers.

(Not named explain.py: a submodule of that name would shadow the function
`autograd_mini.explain`, since `from autograd_mini import explain` imports the submodule.)

The text is built from one graph walked in topological order (`GraphText`), which the
step player (player.py) uses too, so its captions and explain() say the same thing.
A node is named by its label, or else v<i> by its place in the topological order of the
root's graph (the player shows these names in its picture).
"""
from __future__ import annotations

import math
from typing import NamedTuple

from autograd_mini.backprop import last_root, topological_order
from autograd_mini.engine import Value
from autograd_mini.viz.dot import check_digits, format_number, printable

__all__ = ["explain", "Explanation", "GraphText", "Term"]

DEFAULT_DIGITS = 6


class Term(NamedTuple):
    """One path of the chain rule: node feeds operand `position` of order[child]."""

    child: int
    position: int
    child_grad: float
    local: float
    product: float


class Explanation(str):
    """explain()'s text: a str that a prompt shows as text, not as an escaped string."""

    def __repr__(self) -> str:
        return str(self)


def explain(node: Value, root: Value | None = None, *,
            digits: int = DEFAULT_DIGITS) -> Explanation:
    """How node.grad was computed by the chain rule: every node it feeds, the local
    derivative of each edge, the product with that node's gradient, and their sum.

    `root` is the Value that was backpropagated; by default the root of the latest
    backward() in this thread. Numbers are shown to `digits` significant digits.
    """
    if not isinstance(node, Value):
        raise TypeError(f"explain needs a Value, not {type(node).__name__} {node!r}")
    digits = check_digits(digits, "explain")
    root = _root_for(node, root)
    text = GraphText(topological_order(root), digits)
    index = text.index.get(id(node))
    if index is None:
        raise ValueError(
            f"explain: {_describe(node)} is not part of the graph of {_describe(root)}, so "
            "that backward() pass gave it no gradient; pass root=<the Value you called "
            "backward() on>")
    name, grad = text.names[index], _grad(node)
    derivative = text.derivative(len(text.order) - 1, index)
    if node is root:
        lines = []
    elif node.grad is None:
        lines = [f"{name}.grad is None (set to None, and no backward has reached it since); "
                 f"{derivative} = {text.number(text.chain_sum(index))} by the chain rule:"]
    elif text.holds_only_this_pass(index, grad):
        lines = [f"{name}.grad = {text.number(grad)} is {derivative}, by the chain rule:"]
    else:
        lines = [f"{derivative} = {text.number(text.chain_sum(index))} by the chain rule; "
                 f"{name}.grad = {text.number(grad)} holds more than this pass:"]
    lines += text.backward_lines(index, grad)
    if not all(text.order[i].label for i in text.nodes_named_in(index)):
        lines.append("(v<i> names an unlabelled node by its place in the topological order "
                     "of the graph, v0 first; give it label=... to name it)")
    return Explanation("\n".join(lines))


class GraphText:
    """Names, formulas and chain-rule lines for the Values of one graph, given in
    topological order (root last), with numbers to `digits` significant digits."""

    def __init__(self, order: list[Value], digits: int = DEFAULT_DIGITS) -> None:
        self.order, self.digits = order, digits
        self.index = {id(value): i for i, value in enumerate(order)}
        self.names = [printable(value.label) or f"v{i}" for i, value in enumerate(order)]
        self.children: list[list[tuple[int, int]]] = [[] for _ in order]
        # In the order backward() adds them: children last in the order first, and
        # within a child its first operand first. Summed so, the terms give .grad exactly.
        for child in range(len(order) - 1, -1, -1):
            for position, parent in enumerate(order[child].parents):
                self.children[self.index[id(parent)]].append((child, position))

    def number(self, x: float) -> str:
        """x as the text shows it."""
        return format_number(x, self.digits)

    def terms(self, i: int) -> list[Term]:
        """The chain rule's terms for order[i]: one per edge out of it."""
        terms = []
        for child, position in self.children[i]:
            child_grad = _grad(self.order[child])
            local = self.order[child].local_grads[position]
            terms.append(Term(child, position, child_grad, local, child_grad * local))
        return terms

    def formula(self, i: int, numbers: bool = False) -> str:
        """How order[i] was made, with its parents' names ("a * b", "tanh(v3)", "x * 3"),
        or their values with `numbers`."""
        node = self.order[i]
        if numbers:
            operands = [self._operand(parent.data) for parent in node.parents]
        else:
            operands = [self.names[self.index[id(parent)]] for parent in node.parents]
        symbol, side, constant = node.op, node._made_by.constant, node.constant
        if constant is not None:
            number = self._operand(constant)
            if side in ("left", "right"):
                left, right = (number, operands[0]) if side == "left" else (operands[0], number)
                return f"{symbol}({left}, {right})" if symbol.isidentifier() else \
                    f"{left} {symbol} {right}"
            return f"{symbol}({operands[0]}, {side}={number})"
        if len(operands) == 2 and symbol.isidentifier():  # maximum(a, b)
            return f"{symbol}({operands[0]}, {operands[1]})"
        if len(operands) == 2:
            return f"{operands[0]} {symbol} {operands[1]}"
        return f"-{operands[0]}" if symbol == "neg" else f"{symbol}({operands[0]})"

    def forward_lines(self, i: int) -> list[str]:
        """What the forward pass does at order[i]: its value and its local derivatives."""
        node, name = self.order[i], self.names[i]
        if not node.parents:
            return [f"{name} is an input (a leaf): {name} = {self.number(node.data)}"]
        lines = [f"{name} = {self.formula(i)} = {self.formula(i, numbers=True)} = "
                 f"{self.number(node.data)}"]
        parents = [self.index[id(parent)] for parent in node.parents]
        slopes = [f"{self.derivative(i, parent)} = {self.number(local)}"
                  + self._which_operand(parents, position)
                  for position, (parent, local) in enumerate(zip(parents, node.local_grads))]
        lines.append("local derivatives, kept for the backward pass: " + ", ".join(slopes))
        return lines

    def backward_lines(self, i: int, grad: float) -> list[str]:
        """How backward() computed order[i]'s gradient `grad`: the terms and their sum."""
        name = self.names[i]
        if i == len(self.order) - 1:
            return [f"{name} is the output: backward() starts here, with "
                    f"d{_wrap(name)}/d{_wrap(name)} = 1 (or the grad= it is given), added "
                    f"for each call: {name}.grad = {self.number(grad)}"]
        terms = self.terms(i)
        if not terms:  # only when the root was not the last of the order: never from here
            return [f"{name} feeds no node: {name}.grad = {self.number(grad)}"]
        parents_of = [[self.index[id(p)] for p in self.order[t.child].parents] for t in terms]
        lines = [self._headline(i, terms)]
        for term, parents in zip(terms, parents_of):
            child = self.names[term.child]
            lines.append(f"  via {child} = {self.formula(term.child)}: grad({child}) × "
                         f"{self.derivative(term.child, i)} = {self.number(term.child_grad)} × "
                         f"{self._operand(term.local)} = {self.number(term.product)}"
                         + self._which_operand(parents, term.position))
        total = self.chain_sum(i)
        alone = self.holds_only_this_pass(i, grad)
        # the sum is name.grad only when nothing else was added to it
        left = f"{name}.grad" if alone else self.derivative(len(self.order) - 1, i)
        if len(terms) == 1:
            lines.append(f"{left} = {self.number(total)}")
        else:
            products = " + ".join(self._operand(t.product) if k else self.number(t.product)
                                  for k, t in enumerate(terms))
            lines.append(f"{left} = {products} = {self.number(total)}")
        if not alone and self.order[i].grad is not None:  # None: the headline says so
            lines.append(f"({name}.grad holds {self.number(grad)}, not this sum: it also holds "
                         "gradients from backward() on other outputs, or a value set by hand; "
                         "zero_grad() and one backward() make it the sum)")
        return lines

    def chain_sum(self, i: int) -> float:
        """The sum of order[i]'s chain-rule terms, added as backward() adds them."""
        total = 0.0
        for term in self.terms(i):  # left to right, as backward() adds them
            total += term.product
        return total

    def holds_only_this_pass(self, i: int, grad: float) -> bool:
        """Is `grad` the chain rule's sum for order[i] (nothing else was added to it)?"""
        return math.isclose(self.chain_sum(i), grad, rel_tol=1e-9, abs_tol=1e-12)

    def nodes_named_in(self, i: int) -> set[int]:
        """The nodes whose names backward_lines(i) shows."""
        named = {i, len(self.order) - 1}
        for child, _ in self.children[i]:
            named.add(child)
            named.update(self.index[id(parent)] for parent in self.order[child].parents)
        return named

    def derivative(self, child: int, parent: int) -> str:
        """d(child)/d(parent) in the names: "dc/da", or "d(L0.N1)/d(w)" for other names."""
        return f"d{_wrap(self.names[child])}/d{_wrap(self.names[parent])}"

    def _headline(self, i: int, terms: list[Term]) -> str:
        name, count = self.names[i], len(terms)
        children = list(dict.fromkeys(term.child for term in terms))
        paths = "both paths" if count == 2 else f"all {count} paths"
        if count == 1:
            return f"{name} feeds one node, so its gradient comes from that one path:"
        if len(children) == count:
            return f"{name} feeds {count} nodes, so its gradient adds {paths}:"
        uses = [(child, sum(term.child == child for term in terms)) for child in children]
        repeated = ", ".join(f"{self.names[child]} {'twice' if times == 2 else f'{times} times'}"
                             for child, times in uses if times > 1)
        if len(children) == 1:
            return (f"{name} feeds one node, {self.names[children[0]]}, through {count} edges, "
                    f"so its gradient adds {paths}:")
        return (f"{name} feeds {len(children)} nodes through {count} edges (it is used by "
                f"{repeated}), so its gradient adds {paths}:")

    @staticmethod
    def _which_operand(parents: list[int], position: int) -> str:
        return f" (operand {position + 1})" if parents.count(parents[position]) > 1 else ""

    def _operand(self, x: float) -> str:
        text = self.number(x)
        return f"({text})" if text.startswith("-") else text


def _wrap(name: str) -> str:
    return name if name.isidentifier() else f"({name})"


def _grad(node: Value) -> float:
    grad = node.grad
    if grad is None:  # set to None and not reached by a backward since
        return 0.0
    return grad if grad.__class__ is float else grad.data  # a Value after create_graph=True


def _describe(node: Value) -> str:
    label = printable(node.label)
    return f"{label!r} ({node!r})" if label else repr(node)


def _root_for(node: Value, root: Value | None) -> Value:
    if root is None:
        root = last_root()
        if root is None:
            raise ValueError(
                f"explain: no backward() has run in this thread (or its output is gone), so "
                f"there is no pass to explain the gradient of {_describe(node)} from; call "
                "loss.backward() first, or pass root=loss")
    elif not isinstance(root, Value):
        raise TypeError(f"explain: root must be the Value backward() was called on, not "
                        f"{type(root).__name__} {root!r}")
    return root
