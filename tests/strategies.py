"""Hypothesis strategies shared by the tests: random expression DAGs over every op.

A `Program` is a list of steps over numbered nodes (inputs first); each step applies
one op to earlier nodes, so later steps reuse earlier results and the graph has
shared subexpressions. Every op is only drawn where it is defined, and at least
`MARGIN` away from a domain edge or kink, so that finite differences are meaningful.
Programs evaluate two ways: on `Value`s (the engine) and on floats with `math` (an
independent reference for finite differences).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, NamedTuple

from hypothesis import strategies as st

from autograd_mini import Value

MARGIN = 0.1       # distance kept from every domain edge and kink
MAX_MAGNITUDE = 50.0  # keeps values, and so finite-difference rounding, bounded


class Op(NamedTuple):
    name: str
    arity: int
    on_values: Callable    # (args..., const) -> Value
    on_floats: Callable    # (args..., const) -> float, with math only
    defined: Callable      # (args..., const) -> bool: inside the domain with MARGIN
    constants: tuple = (None,)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _away_from_zero(x: float) -> bool:
    return abs(x) > MARGIN


OPS = [
    Op("add", 2, lambda a, b, c: a + b, lambda a, b, c: a + b, lambda a, b, c: True),
    Op("sub", 2, lambda a, b, c: a - b, lambda a, b, c: a - b, lambda a, b, c: True),
    Op("mul", 2, lambda a, b, c: a * b, lambda a, b, c: a * b, lambda a, b, c: True),
    Op("div", 2, lambda a, b, c: a / b, lambda a, b, c: a / b,
       lambda a, b, c: _away_from_zero(b)),
    Op("pow", 2, lambda a, b, c: a ** b, lambda a, b, c: a ** b,
       lambda a, b, c: a > MARGIN and abs(b) < 3),
    Op("add_const", 1, lambda a, c: a + c, lambda a, c: a + c, lambda a, c: True, (-1.5, 2)),
    Op("radd_const", 1, lambda a, c: c + a, lambda a, c: c + a, lambda a, c: True, (0.5,)),
    Op("sub_const", 1, lambda a, c: a - c, lambda a, c: a - c, lambda a, c: True, (0.25, 3)),
    Op("rsub_const", 1, lambda a, c: c - a, lambda a, c: c - a, lambda a, c: True, (1, -0.5)),
    Op("mul_const", 1, lambda a, c: a * c, lambda a, c: a * c, lambda a, c: True, (-2, 0.5)),
    Op("rmul_const", 1, lambda a, c: c * a, lambda a, c: c * a, lambda a, c: True, (3,)),
    Op("div_const", 1, lambda a, c: a / c, lambda a, c: a / c, lambda a, c: True, (4, -0.5)),
    Op("rdiv_const", 1, lambda a, c: c / a, lambda a, c: c / a,
       lambda a, c: _away_from_zero(a), (1, -2.5)),
    Op("pow_const", 1, lambda a, c: a ** c, lambda a, c: a ** c,
       lambda a, c: (a > MARGIN) if c != int(c) or c < 0 else True, (2, 3, -1, 0.5, 1.5)),
    Op("rpow_const", 1, lambda a, c: c ** a, lambda a, c: c ** a, lambda a, c: True, (2, 0.5)),
    Op("neg", 1, lambda a, c: -a, lambda a, c: -a, lambda a, c: True),
    Op("abs", 1, lambda a, c: abs(a), lambda a, c: abs(a), lambda a, c: _away_from_zero(a)),
    Op("exp", 1, lambda a, c: a.exp(), lambda a, c: math.exp(a), lambda a, c: a < 3),
    Op("log", 1, lambda a, c: a.log(), lambda a, c: math.log(a), lambda a, c: a > MARGIN),
    Op("tanh", 1, lambda a, c: a.tanh(), lambda a, c: math.tanh(a), lambda a, c: True),
    Op("sigmoid", 1, lambda a, c: a.sigmoid(), lambda a, c: _sigmoid(a), lambda a, c: True),
    Op("relu", 1, lambda a, c: a.relu(), lambda a, c: max(a, 0.0),
       lambda a, c: _away_from_zero(a)),
    Op("leaky_relu", 1, lambda a, c: a.leaky_relu(c), lambda a, c: a if a > 0 else c * a,
       lambda a, c: _away_from_zero(a), (0.01, 0.2)),
    Op("sin", 1, lambda a, c: a.sin(), lambda a, c: math.sin(a), lambda a, c: True),
    Op("cos", 1, lambda a, c: a.cos(), lambda a, c: math.cos(a), lambda a, c: True),
    Op("sqrt", 1, lambda a, c: a.sqrt(), lambda a, c: math.sqrt(a), lambda a, c: a > MARGIN),
    # issue 9's ops; references written from math independently of ops.py's formulas
    Op("log1p", 1, lambda a, c: a.log1p(), lambda a, c: math.log1p(a),
       lambda a, c: a > -1.0 + MARGIN),
    Op("expm1", 1, lambda a, c: a.expm1(), lambda a, c: math.expm1(a), lambda a, c: a < 3),
    Op("tan", 1, lambda a, c: a.tan(), lambda a, c: math.tan(a),
       lambda a, c: abs(math.cos(a)) > MARGIN),  # |cos| is about the distance to a pole
    Op("atan", 1, lambda a, c: a.atan(), lambda a, c: math.atan(a), lambda a, c: True),
    Op("sinh", 1, lambda a, c: a.sinh(), lambda a, c: math.sinh(a), lambda a, c: abs(a) < 3),
    Op("cosh", 1, lambda a, c: a.cosh(), lambda a, c: math.cosh(a), lambda a, c: abs(a) < 3),
    Op("erf", 1, lambda a, c: a.erf(), lambda a, c: math.erf(a), lambda a, c: True),
    Op("softplus", 1, lambda a, c: a.softplus(), lambda a, c: math.log1p(math.exp(a)),
       lambda a, c: True),
    Op("silu", 1, lambda a, c: a.silu(), lambda a, c: a * _sigmoid(a), lambda a, c: True),
    Op("gelu", 1, lambda a, c: a.gelu(), lambda a, c: 0.5 * a * math.erfc(-a / math.sqrt(2.0)),
       lambda a, c: True),
    Op("elu", 1, lambda a, c: a.elu(c), lambda a, c: a if a > 0 else c * math.expm1(a),
       lambda a, c: _away_from_zero(a), (1.0, 0.5)),
]
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
    from autograd_mini.ops import BINARY, UNARY
    found = [(row.name, 1, (None,) if row.param is None else (row.param[1], 0.2, 3.0))
             for row in UNARY]
    for row in BINARY:
        found += [(row.symbol, 2, (None,)), (row.symbol + ":right", 1, (2.0, -0.5, 3.0)),
                  (row.symbol + ":left", 1, (2.0, 0.5, 0.0))]
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
        import operator
        from autograd_mini.ops import UNARY_BY_NAME
        functions = {"+": operator.add, "-": operator.sub, "*": operator.mul,
                     "/": operator.truediv, "**": operator.pow}
        key, args, const = step
        symbol, _, side = key.partition(":")
        x = nodes[args[0]]
        if symbol in functions:
            return (functions[symbol](x, const) if side == "right" else
                    functions[symbol](const, x) if side == "left" else
                    functions[symbol](x, nodes[args[1]]))
        method = getattr(Value, UNARY_BY_NAME[key].method or UNARY_BY_NAME[key].name)
        return method(x) if const is None else method(x, const)


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
