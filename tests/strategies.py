"""Hypothesis strategies shared by the tests: random expression DAGs over every op.

A `Program` is a list of steps over numbered nodes (inputs first); each step applies
one op to earlier nodes, so later steps reuse earlier results and the graph has
shared subexpressions. The ops are the table's (ops.py's rows, the operators on three
sides), each with a reference in `REFERENCES`: a row without one stops the import. Every
op is only drawn where it is defined, and at least `MARGIN` away from a domain edge or
kink, so that finite differences are meaningful. Programs evaluate two ways: on
`Value`s (the engine) and on floats with `math` (an independent reference for finite
differences).
"""
from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from typing import Callable, NamedTuple

from hypothesis import strategies as st

from autograd_mini import Value
from autograd_mini.opgen import PAIRWISE_LEFT
from autograd_mini.ops import BINARY, BINARY_BY_SYMBOL, PAIRWISE, PAIRWISE_BY_NAME, UNARY, UNARY_BY_NAME

MARGIN = 0.1       # distance kept from every domain edge and kink
MAX_MAGNITUDE = 50.0  # keeps values, and so finite-difference rounding, bounded


class Reference(NamedTuple):
    """How the strategies draw one op of the table: its value on floats with `math` only
    (independent of ops.py's formulas), where it is drawn, and the constants it takes (a
    unary row's parameter, or the number on the other side of an operator)."""
    on_floats: Callable    # (args..., const) -> float
    defined: Callable      # (args..., const) -> bool: inside the domain with MARGIN
    constants: tuple = (None,)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _away_from_zero(x: float) -> bool:
    return abs(x) > MARGIN


def _anywhere(*operands_and_const) -> bool:
    return True


# Keyed like the engine's ops: a unary row by its name; a binary row by its symbol with
# Values on both sides ("/"), with a number on the right ("/:right", x / c) and on the
# left ("/:left", c / x).
REFERENCES: dict[str, Reference] = {
    "+": Reference(lambda a, b, c: a + b, _anywhere),
    "+:right": Reference(lambda a, c: a + c, _anywhere, (-1.5, 2)),
    "+:left": Reference(lambda a, c: c + a, _anywhere, (0.5,)),
    "-": Reference(lambda a, b, c: a - b, _anywhere),
    "-:right": Reference(lambda a, c: a - c, _anywhere, (0.25, 3)),
    "-:left": Reference(lambda a, c: c - a, _anywhere, (1, -0.5)),
    "*": Reference(lambda a, b, c: a * b, _anywhere),
    "*:right": Reference(lambda a, c: a * c, _anywhere, (-2, 0.5)),
    "*:left": Reference(lambda a, c: c * a, _anywhere, (3,)),
    "/": Reference(lambda a, b, c: a / b, lambda a, b, c: _away_from_zero(b)),
    "/:right": Reference(lambda a, c: a / c, _anywhere, (4, -0.5)),
    "/:left": Reference(lambda a, c: c / a, lambda a, c: _away_from_zero(a), (1, -2.5)),
    "**": Reference(lambda a, b, c: a ** b, lambda a, b, c: a > MARGIN and abs(b) < 3),
    "**:right": Reference(lambda a, c: a ** c,
                          lambda a, c: (a > MARGIN) if c != int(c) or c < 0 else True,
                          (2, 3, -1, 0.5, 1.5)),
    "**:left": Reference(lambda a, c: c ** a, _anywhere, (2, 0.5)),
    # away from a tie, the kink where the gradient is split in halves
    "maximum": Reference(lambda a, b, c: max(a, b), lambda a, b, c: abs(a - b) > MARGIN),
    "maximum:right": Reference(lambda a, c: max(a, c), lambda a, c: abs(a - c) > MARGIN,
                               (0.0, 1.5)),
    "maximum:left": Reference(lambda a, c: max(c, a), lambda a, c: abs(a - c) > MARGIN,
                              (-0.5, 0.0)),
    "minimum": Reference(lambda a, b, c: min(a, b), lambda a, b, c: abs(a - b) > MARGIN),
    "minimum:right": Reference(lambda a, c: min(a, c), lambda a, c: abs(a - c) > MARGIN,
                               (0.0, -1.5)),
    "minimum:left": Reference(lambda a, c: min(c, a), lambda a, c: abs(a - c) > MARGIN,
                              (0.5, 0.0)),
    "neg": Reference(lambda a, c: -a, _anywhere),
    "abs": Reference(lambda a, c: abs(a), lambda a, c: _away_from_zero(a)),
    "exp": Reference(lambda a, c: math.exp(a), lambda a, c: a < 3),
    "log": Reference(lambda a, c: math.log(a), lambda a, c: a > MARGIN),
    "sqrt": Reference(lambda a, c: math.sqrt(a), lambda a, c: a > MARGIN),
    "log1p": Reference(lambda a, c: math.log1p(a), lambda a, c: a > -1.0 + MARGIN),
    "expm1": Reference(lambda a, c: math.expm1(a), lambda a, c: a < 3),
    "sin": Reference(lambda a, c: math.sin(a), _anywhere),
    "cos": Reference(lambda a, c: math.cos(a), _anywhere),
    "tan": Reference(lambda a, c: math.tan(a),
                     lambda a, c: abs(math.cos(a)) > MARGIN),  # |cos|: about the distance to a pole
    "atan": Reference(lambda a, c: math.atan(a), _anywhere),
    "sinh": Reference(lambda a, c: math.sinh(a), lambda a, c: abs(a) < 3),
    "cosh": Reference(lambda a, c: math.cosh(a), lambda a, c: abs(a) < 3),
    "tanh": Reference(lambda a, c: math.tanh(a), _anywhere),
    "sigmoid": Reference(lambda a, c: _sigmoid(a), _anywhere),
    "erf": Reference(lambda a, c: math.erf(a), _anywhere),
    "erfc": Reference(lambda a, c: math.erfc(a), _anywhere),
    "relu": Reference(lambda a, c: max(a, 0.0), lambda a, c: _away_from_zero(a)),
    "leaky_relu": Reference(lambda a, c: a if a > 0 else c * a,
                            lambda a, c: _away_from_zero(a), (0.01, 0.2)),
    # away from the bound, the kink
    "clamp_min": Reference(lambda a, c: max(a, c), lambda a, c: abs(a - c) > MARGIN, (0.0, 1.0)),
    "clamp_max": Reference(lambda a, c: min(a, c), lambda a, c: abs(a - c) > MARGIN, (0.0, -1.0)),
    "elu": Reference(lambda a, c: a if a > 0 else c * math.expm1(a),
                     lambda a, c: _away_from_zero(a), (1.0, 0.5)),
    "softplus": Reference(lambda a, c: math.log1p(math.exp(a)), _anywhere),
    "silu": Reference(lambda a, c: a * _sigmoid(a), _anywhere),
    "gelu": Reference(lambda a, c: 0.5 * a * math.erfc(-a / math.sqrt(2.0)), _anywhere),
}
SIDES = ("", ":right", ":left")  # Values on both sides; x op c; c op x


def table_keys() -> list[str]:
    """Every op of ops.py, keyed as the engine keys them: each unary row's name, and each
    binary row's symbol on its three sides."""
    return ([row.name for row in UNARY] + [row.symbol + side for row in BINARY for side in SIDES]
            + [row.name + side for row in PAIRWISE for side in SIDES])


_OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul,
              "/": operator.truediv, "**": operator.pow}


def apply_key(key: str, operands: list, const: float | None) -> Value:
    """The op of the table with this key, applied with Value's own methods and operators:
    "/" is a / b, "/:right" a / c, "/:left" c / a, "leaky_relu" a.leaky_relu(c) (and
    a.leaky_relu() for no constant)."""
    symbol, _, side = key.partition(":")
    if symbol in _OPERATORS:
        function = _OPERATORS[symbol]
        return (function(operands[0], const) if side == "right" else
                function(const, operands[0]) if side == "left" else
                function(*operands))
    if symbol in PAIRWISE_BY_NAME:  # x.maximum(y), x.maximum(c), maximum(c, x)
        return (getattr(operands[0], symbol)(const) if side == "right" else
                PAIRWISE_LEFT[symbol](const, operands[0]) if side == "left" else
                getattr(operands[0], symbol)(operands[1]))
    row = UNARY_BY_NAME[key]
    method = getattr(operands[0], row.method or row.name)
    return method() if const is None else method(const)


class Op(NamedTuple):
    name: str              # the engine's key: "tanh", "/", "/:right" (x / c), "/:left" (c / x)
    arity: int
    on_values: Callable    # (args..., const) -> Value, with the row's method or operator
    on_floats: Callable    # (args..., const) -> float, with math only
    defined: Callable      # (args..., const) -> bool: inside the domain with MARGIN
    constants: tuple = (None,)


def _op(key: str) -> Op:
    def on_values(*operands_and_const):
        *operands, const = operands_and_const
        return apply_key(key, operands, const)
    arity = 2 if key in BINARY_BY_SYMBOL or key in PAIRWISE_BY_NAME else 1
    return Op(key, arity, on_values, *REFERENCES[key])


def _ops_from_table() -> list[Op]:
    """One Op per key of the table. A row the strategies have no reference for is an
    error here, at import, naming it; so is a reference to an op the table does not have."""
    keys = table_keys()
    missing = [key for key in keys if key not in REFERENCES]
    unknown = sorted(set(REFERENCES) - set(keys))
    if missing or unknown:
        raise LookupError(
            f"tests/strategies.py: {missing or 'no'} op(s) of ops.py lack a math reference and "
            f"domain in REFERENCES; {unknown or 'no'} key(s) of REFERENCES are not ops of ops.py")
    return [_op(key) for key in keys]


OPS = _ops_from_table()
OPS_BY_NAME = {op.name: op for op in OPS}


@dataclass
class Program:
    """An expression DAG: `inputs` are the leaves' values, `steps` (op name, node
    indices, constant) build the rest; the last node is the output."""
    inputs: list[float]
    steps: list[tuple[str, tuple[int, ...], float | None]]

    def on_values(self, leaves: list[Value]) -> Value:
        nodes = list(leaves)
        for name, args, const in self.steps:
            nodes.append(OPS_BY_NAME[name].on_values(*(nodes[i] for i in args), const))
        return nodes[-1]

    def on_floats(self, inputs: list[float]) -> float:
        nodes = list(inputs)
        for name, args, const in self.steps:
            nodes.append(OPS_BY_NAME[name].on_floats(*(nodes[i] for i in args), const))
        return nodes[-1]

    def ops_used(self) -> set[str]:
        return {name for name, _, _ in self.steps}


def _bounded(x: float) -> bool:
    return isinstance(x, float) and abs(x) < MAX_MAGNITUDE


input_values = st.floats(-2.0, 2.0, allow_nan=False).filter(lambda x: abs(x) > MARGIN)


@st.composite
def programs(draw, max_inputs: int = 3, max_steps: int = 10, ops=tuple(OPS)) -> Program:
    """A random expression DAG whose every op is drawn only where it is well defined."""
    inputs = draw(st.lists(input_values, min_size=1, max_size=max_inputs))
    values = list(inputs)
    steps = []
    for _ in range(draw(st.integers(1, max_steps))):
        op = draw(st.sampled_from(ops))
        # Favour recent nodes so that graphs grow deep as well as wide.
        args = tuple(draw(st.integers(max(0, len(values) - 4), len(values) - 1))
                     if draw(st.booleans()) else draw(st.integers(0, len(values) - 1))
                     for _ in range(op.arity))
        const = draw(st.sampled_from(op.constants))
        operands = [values[i] for i in args]
        if not op.defined(*operands, const):
            continue
        out = op.on_floats(*operands, const)
        if not _bounded(out):
            continue
        steps.append((op.name, args, const))
        values.append(out)
    if not steps:  # every drawn op was outside its domain: fall back to a safe one
        steps.append(("tanh", (len(values) - 1,), None))
    return Program(inputs, steps)


# --- every op of ops.py, anywhere: for comparing two ways of computing the same graph ----

ANY_INPUT = st.one_of(
    st.floats(-3.0, 3.0, allow_nan=False),
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 30.0, -30.0, 710.0, -710.0, 1e200, -1e200,
                     1e-300, 1e308]))


def _table_ops() -> list[tuple[str, int, tuple]]:
    """(key, operands, constants) for every op of ops.py: methods with their parameter,
    operators between Values and with a number on either side."""
    found = [(row.name, 1, (None,) if row.param is None else (row.param[1], 0.2, 3.0))
             for row in UNARY]
    for row in BINARY:
        found += [(row.symbol, 2, (None,)), (row.symbol + ":right", 1, (2.0, -0.5, 3.0)),
                  (row.symbol + ":left", 1, (2.0, 0.5, 0.0))]
    for row in PAIRWISE:  # the constants meet ANY_INPUT's numbers: ties are drawn too
        found += [(row.name, 2, (None,)), (row.name + ":right", 1, (0.0, 1.0, -0.5)),
                  (row.name + ":left", 1, (0.0, 2.0, 0.5))]
    return found


TABLE_OPS = _table_ops()


@dataclass
class TableProgram:
    """Steps (op key, node indices, constant) over every op of the table; nodes numbered
    inputs first. `build` applies them with Value's own methods and operators."""
    inputs: list[float]
    steps: list[tuple[str, tuple[int, ...], float | None]]

    def build(self, leaves: list[Value]) -> Value:
        nodes = list(leaves)
        for step in self.steps:
            nodes.append(self.apply(step, nodes))
        return nodes[-1]

    def errors(self, leaves: list[Value]) -> set[tuple[type, str]]:
        """The errors of the steps whose operands could be computed: the ones a graph may
        raise first, depending on the order it computes them in."""
        nodes: list[Value | None] = list(leaves)
        found = set()
        for step in self.steps:
            try:
                nodes.append(None if None in [nodes[i] for i in step[1]] else
                             self.apply(step, nodes))
            except Exception as error:  # noqa: BLE001 - collected for comparison
                found.add((type(error), str(error)))
                nodes.append(None)
        return found

    @staticmethod
    def apply(step: tuple, nodes: list[Value]) -> Value:
        key, args, const = step
        return apply_key(key, [nodes[i] for i in args], const)


@st.composite
def table_programs(draw, max_inputs: int = 3, max_steps: int = 12) -> TableProgram:
    """A random DAG over every op of ops.py (shared nodes, ops used twice on one node),
    with no promise that it is defined anywhere: building it may raise. Every step is
    below the last one (results nothing reads are added in at the end)."""
    inputs = draw(st.lists(ANY_INPUT, min_size=1, max_size=max_inputs))
    count = len(inputs)
    steps = []
    unread = set()
    for _ in range(draw(st.integers(1, max_steps))):
        key, arity, constants = draw(st.sampled_from(TABLE_OPS))
        args = tuple(draw(st.integers(max(0, count - 3), count - 1)) if draw(st.booleans())
                     else draw(st.integers(0, count - 1)) for _ in range(arity))
        steps.append((key, args, draw(st.sampled_from(constants))))
        unread -= set(args)
        unread.add(count)
        count += 1
    for node in sorted(unread)[:-1]:
        steps.append(("+", (count - 1, node), None))
        count += 1
    return TableProgram(inputs, steps)


# --- containers of numbers: the arguments grad and the transforms take apart ----------

EMPTY_CONTAINERS = ([], (), {})


@st.composite
def containers(draw, leaves: list, max_depth: int = 3) -> object:
    """A random nest of lists, tuples and dicts (empty ones too) holding `leaves` depth
    first, in order. Dict keys are inserted in a drawn order, not sorted, so that a test
    sees whether key order is kept."""
    def nest(values: list, depth: int) -> object:
        if len(values) == 1 and (depth >= max_depth or draw(st.booleans())):
            return values[0]
        if depth >= max_depth:
            parts = [[value] for value in values]
        else:
            cuts = sorted(draw(st.lists(st.integers(0, len(values)), max_size=3)))
            bounds = [0, *cuts, len(values)]
            parts = [values[start:stop] for start, stop in zip(bounds, bounds[1:])]
        children = [nest(part, depth + 1) if part else draw(st.sampled_from(EMPTY_CONTAINERS))
                    for part in parts]
        kind = draw(st.sampled_from([list, tuple, dict]))
        if kind is dict:
            keys = draw(st.permutations(range(len(children))))
            return {f"k{key}": child for key, child in zip(keys, children)}
        return kind(children)

    return nest(list(leaves), 0)
