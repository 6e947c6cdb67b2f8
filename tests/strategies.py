"""Hypothesis strategies shared by the tests, built on the shipped kit
(autograd_mini.testing): random expression DAGs over every op, every op drawn only inside
its domain and MARGIN away from its edges and kinks.

A program is the kit's Expression: steps (op key, node indices, constant) over numbered
nodes, inputs first; it evaluates on Values (the engine) and on floats through the
kit's math references (an independent reference for finite differences).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple

from hypothesis import strategies as st

from autograd_mini import Value
from autograd_mini.ops import BINARY, PAIRWISE, UNARY
from autograd_mini.testing import strategies as kit
from autograd_mini.testing.expressions import Expression, apply_op
from autograd_mini.testing.references import REFERENCES, arity, table_keys

MARGIN = 0.1       # distance kept from every domain edge and kink

Program = Expression


class Op(NamedTuple):
    """One op of the table as the tests read it, its margin fixed at MARGIN."""
    name: str              # the engine's key: "tanh", "/", "/:right" (x / c), "/:left" (c / x)
    arity: int
    on_values: Callable    # (args..., const) -> Value, with the row's method or operator
    on_floats: Callable    # (args..., const) -> float, with math only
    defined: Callable      # (args..., const) -> bool: inside the domain with MARGIN
    constants: tuple = (None,)


def _op(key: str) -> Op:
    reference = REFERENCES[key]
    return Op(key, arity(key), lambda *xs: apply_op(key, xs[:-1], xs[-1]), reference.on_floats,
              lambda *xs: reference.defined(*xs, MARGIN), reference.constants)


OPS = [_op(key) for key in table_keys()]
OPS_BY_NAME = {op.name: op for op in OPS}


def programs(max_inputs: int = 3, max_steps: int = 10,
             ops: tuple | None = None) -> st.SearchStrategy[Expression]:
    """A random expression DAG of 1 to max_inputs inputs, each op well defined where used."""
    keys = None if ops is None else [op.name if isinstance(op, Op) else op for op in ops]
    return st.integers(1, max_inputs).flatmap(
        lambda n: kit.expressions(keys, max_ops=max_steps, n_inputs=n, margin=MARGIN))


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
        return apply_op(key, [nodes[i] for i in args], const)


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
