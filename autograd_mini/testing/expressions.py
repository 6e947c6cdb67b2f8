"""Expression: a random function of a few inputs, as `strategies.expressions` draws it.

An expression is a list of steps over numbered nodes (the inputs first, named a, b, c,
...); each step applies one op to earlier nodes, so later steps reuse earlier results
and the graph has shared subexpressions. It is callable on floats (through the ops'
references, independent of the engine), on our Values and on another engine's values
(through the operators and methods of the values themselves), and shows as formula text:

    >>> e = Expression([0.5, -1.0], [("*", (0, 1), None), ("tanh", (2,), None),
    ...                              ("+", (3, 0), None)])
    >>> e.text
    'tanh(a * b) + a'
    >>> e(0.5, -1.0)
    0.0378828427399902
"""
from __future__ import annotations

import string
from typing import Any, Callable, Sequence, Union

from autograd_mini.engine import Value
from autograd_mini.opgen import apply
from autograd_mini.ops import PAIRWISE_BY_NAME
from autograd_mini.primitives import definition
from autograd_mini.testing.references import REFERENCES

__all__ = ["Expression", "Step", "apply_op", "op_name"]

# An op is a key of the table ("tanh", "/", "/:left") or a user's @primitive.
OpLike = Union[str, Callable[..., Any]]
Step = tuple[OpLike, tuple[int, ...], Union[float, None]]

# How tightly each form binds, for parentheses: + - 1, * / 2, unary minus 3, ** 4, a call 5.
_BINDING = {"+": 1, "-": 1, "*": 2, "/": 2, "**": 4}
_ATOM = 5


def op_name(op: OpLike) -> str:
    """How an op is named in text and reports: its key, or a primitive's function name."""
    return op if isinstance(op, str) else getattr(op, "__name__", repr(op))


def apply_op(op: OpLike, operands: Sequence[Any], constant: float | None) -> Any:
    """The op applied to operands as user code applies it: by the operands' own operators
    and methods (opgen.apply, so it works on any engine's values), or the primitive's
    call. On plain numbers a table op gives its reference's float."""
    if not isinstance(op, str):
        return _primitive(op, operands, constant)
    if all(isinstance(x, (int, float)) for x in operands):
        return REFERENCES[op].on_floats(*operands, constant)
    return apply(op, operands, constant)


def _primitive(function: Callable[..., Any], operands: Sequence[Any],
               constant: float | None) -> Any:
    return function(*operands) if constant is None else function(*operands, constant)


class Expression:
    """A function of `len(inputs)` inputs made of `steps`; `inputs` are where it was drawn
    (inside every op's domain), `text` its formula."""

    def __init__(self, inputs: Sequence[float], steps: Sequence[Step]) -> None:
        self.inputs = [float(x) for x in inputs]
        self.steps = list(steps)
        self.names = _input_names(len(self.inputs))

    def __call__(self, *values: Any) -> Any:
        if len(values) != len(self.inputs):
            raise TypeError(f"the expression {self.text} takes {len(self.inputs)} inputs "
                            f"({', '.join(self.names)}), got {len(values)}")
        nodes = list(values)
        for op, operands, constant in self.steps:
            nodes.append(apply_op(op, [nodes[i] for i in operands], constant))
        return nodes[-1]

    def on_values(self, leaves: Sequence[Value]) -> Value:
        """The expression built on these Values (one per input)."""
        result: Value = self(*leaves)
        return result

    def on_floats(self, values: Sequence[float]) -> float:
        """The expression on floats, through the references."""
        result: float = self(*values)
        return result

    def ops_used(self) -> set[str]:
        """The names of the ops its steps apply."""
        return {op_name(op) for op, _, _ in self.steps}

    @property
    def text(self) -> str:
        """The formula of the output, as a person writes it: `tanh(a * b) + a`."""
        texts: list[tuple[str, int]] = [(name, _ATOM) for name in self.names]
        for op, operands, constant in self.steps:
            texts.append(_text(op, [texts[i] for i in operands], constant))
        return texts[-1][0] if self.steps else self.names[-1]

    def __repr__(self) -> str:
        at = ", ".join(f"{name}={x!r}" for name, x in zip(self.names, self.inputs))
        return f"<Expression {self.text} at {at}>"


def _input_names(count: int) -> list[str]:
    letters = string.ascii_lowercase
    return list(letters[:count]) if count <= len(letters) else [f"x{i}" for i in range(count)]


def _number(c: float) -> tuple[str, int]:
    text = repr(float(c))
    return (text, _ATOM) if c >= 0 else (text, 3)


def _wrap(part: tuple[str, int], least: int) -> str:
    return part[0] if part[1] >= least else f"({part[0]})"


def _text(op: OpLike, operands: list[tuple[str, int]], constant: float | None) -> tuple[str, int]:
    if not isinstance(op, str):
        arguments = [text for text, _ in operands] + ([] if constant is None
                                                      else [repr(float(constant))])
        return f"{op_name(op)}({', '.join(arguments)})", _ATOM
    symbol, _, side = op.partition(":")
    if symbol in _BINDING:
        if side == "right":
            left, right = operands[0], _number(constant or 0.0)
        elif side == "left":
            left, right = _number(constant or 0.0), operands[0]
        else:
            left, right = operands
        binding = _BINDING[symbol]
        if symbol == "**":  # right-associative: the base must be an atom
            return f"{_wrap(left, _ATOM)} ** {_wrap(right, 3)}", binding
        # a - (b + c), a / (b * c): the right side binds more tightly than the operator
        right_least = binding + 1 if symbol in "-/" else binding
        return f"{_wrap(left, binding)} {symbol} {_wrap(right, right_least)}", binding
    if op == "neg":
        return f"-{_wrap(operands[0], 4)}", 3  # -(-a), not --a
    if symbol in PAIRWISE_BY_NAME:
        texts = [t for t, _ in operands]
        if side == "right":
            texts.append(repr(float(constant or 0.0)))
        elif side == "left":
            texts.insert(0, repr(float(constant or 0.0)))
        return f"{symbol}({', '.join(texts)})", _ATOM
    arguments = [operands[0][0]] + ([] if constant is None else [repr(float(constant))])
    return f"{op}({', '.join(arguments)})", _ATOM


def primitive_arity(function: Callable[..., Any]) -> int:
    """How many Values a @primitive takes; TypeError for anything else."""
    found = definition(function)
    if found is None:
        raise TypeError(f"{function!r} is not an op: give a key of the op table ('tanh', "
                        "'/', '/:left', ...) or a function made by @autograd_mini.primitive")
    return found.arity
