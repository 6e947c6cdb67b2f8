"""Hypothesis strategies for gradient tests: inputs inside an op's domain, and random
functions over the op table (the `testing` extra: pip install 'autograd-mini[testing]').

    from hypothesis import given
    from autograd_mini.testing import check_grads, strategies

    @given(strategies.floats("log", margin=1e-3))
    def test_log(x):
        check_grads(lambda v: v.log() * v, [x])

    @given(strategies.expressions(max_ops=8, n_inputs=2))
    def test_any_function(e):
        check_grads(e, e.inputs)
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

try:
    from hypothesis import strategies as st
except ImportError as error:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError("autograd_mini.testing.strategies needs hypothesis, the 'testing' "
                      "extra: pip install 'autograd-mini[testing]'") from error

from autograd_mini.ops import UNARY_BY_NAME
from autograd_mini.primitives import definition
from autograd_mini.testing.expressions import Expression, OpLike, Step, primitive_arity
from autograd_mini.testing.references import REFERENCES, arity, table_keys

__all__ = ["floats", "expressions", "Expression"]

# Values of an expression stay below this: finite differences of larger ones lose digits.
MAX_MAGNITUDE = 50.0
# What floats() draws from, before the op's domain and margin are applied.
DEFAULT_RANGE = (-10.0, 10.0)


def floats(op: OpLike, margin: float = 1e-3, *, constant: float | None = None,
           min_value: float = DEFAULT_RANGE[0],
           max_value: float = DEFAULT_RANGE[1]) -> st.SearchStrategy[Any]:
    """Inputs of `op` (a key of the table, "log", "/", "**:right", or a @primitive) inside
    its domain and at least `margin` away from its edges and kinks: floats for an op of
    one Value, (x, y) tuples for two. `constant` is the number an op keeps on its node
    (leaky_relu's slope, the 2 of x ** 2); by default the row's own default or the first
    the references draw. A primitive's domain is its `domain=` predicate, kept at every
    point within `margin`; a primitive declares no kinks."""
    margin = float(margin)
    if not margin >= 0:
        raise ValueError(f"floats: margin must be a number >= 0, got {margin!r}")
    if isinstance(op, str):
        defined, count = _table_domain(op, constant, margin), arity(op)
    else:
        defined, count = _primitive_domain(op, margin), primitive_arity(op)
    coordinate = st.floats(min_value, max_value, allow_nan=False, allow_infinity=False)
    drawn = coordinate if count == 1 else st.tuples(coordinate, coordinate)
    return drawn.filter(lambda x: defined(*(x if count == 2 else (x,))))


def _table_domain(key: str, constant: float | None, margin: float) -> Callable[..., bool]:
    reference = REFERENCES.get(key)
    if reference is None:
        raise ValueError(f"floats: {key!r} is not an op of the table; the ops are "
                         f"{', '.join(table_keys())}")
    if constant is None:
        row = UNARY_BY_NAME.get(key)
        constant = row.param[1] if row is not None and row.param else reference.constants[0]
    return lambda *xs: reference.defined(*xs, constant, margin)


def _primitive_domain(function: Callable[..., Any], margin: float) -> Callable[..., bool]:
    found = definition(function)
    domain = found.domain if found is not None else None
    if domain is None:
        return lambda *xs: True
    offsets = (-margin, 0.0, margin)

    def defined(*xs: float) -> bool:
        if len(xs) == 1:
            return all(domain(xs[0] + d) for d in offsets)
        return all(domain(xs[0] + d, xs[1] + e) for d in offsets for e in offsets)

    return defined


def expressions(ops: Sequence[OpLike] | None = None, max_ops: int = 12, n_inputs: int = 3,
                margin: float = 0.1) -> st.SearchStrategy[Expression]:
    """Random functions of `n_inputs` inputs made of up to `max_ops` ops (default: every op
    of the table; else keys of the table and @primitives), as DAGs with shared
    subexpressions and constants on either side. Every op is applied only inside its
    domain, `margin` from its edges and kinks, at the drawn inputs (`.inputs`); an example
    shrinks to a minimal expression, shown as its formula (`.text`)."""
    chosen = _ops(ops)
    if max_ops < 1 or n_inputs < 1:
        raise ValueError(f"expressions: max_ops and n_inputs must be at least 1, got "
                         f"{max_ops} and {n_inputs}")
    return _expressions(chosen, max_ops, n_inputs, float(margin))


class _Op:
    """An op as drawn: its arity, reference on floats, domain and constants."""

    def __init__(self, op: OpLike, margin: float) -> None:
        self.op = op
        if isinstance(op, str):
            reference = REFERENCES[op]
            self.arity, self.constants = arity(op), reference.constants
            self.on_floats = reference.on_floats
            self.defined = lambda *xs: reference.defined(*xs, margin)
        else:
            self.arity, self.constants = primitive_arity(op), (None,)
            domain = _primitive_domain(op, margin)
            self.on_floats = lambda *xs: op(*xs[:-1])
            self.defined = lambda *xs: domain(*xs[:-1])


def _ops(ops: Sequence[OpLike] | None) -> list[OpLike]:
    if ops is None:
        return list(table_keys())
    chosen = list(ops)
    for op in chosen:
        if isinstance(op, str):
            if op not in REFERENCES:
                raise ValueError(f"expressions: {op!r} is not an op of the table; the ops "
                                 f"are {', '.join(table_keys())}")
        else:
            primitive_arity(op)  # a TypeError for anything but a primitive
    if not chosen:
        raise ValueError("expressions: ops is empty; give at least one op, or None for all")
    return chosen


def _bounded(x: Any) -> bool:
    return isinstance(x, float) and -MAX_MAGNITUDE < x < MAX_MAGNITUDE


@st.composite
def _expressions(draw: Any, ops: list[OpLike], max_ops: int, n_inputs: int,
                 margin: float) -> Expression:
    drawn = [_Op(op, margin) for op in ops]
    coordinate = st.floats(-2.0, 2.0, allow_nan=False).filter(lambda x: abs(x) >= margin)
    inputs = draw(st.lists(coordinate, min_size=n_inputs, max_size=n_inputs))
    values = list(inputs)
    steps: list[Step] = []
    for _ in range(draw(st.integers(1, max_ops))):
        op = draw(st.sampled_from(drawn))
        # favour recent nodes, so that graphs grow deep as well as wide
        operands = tuple(draw(st.integers(max(0, len(values) - 4), len(values) - 1))
                         if draw(st.booleans()) else draw(st.integers(0, len(values) - 1))
                         for _ in range(op.arity))
        constant = draw(st.sampled_from(op.constants))
        xs = [values[i] for i in operands]
        if not op.defined(*xs, constant):
            continue
        try:
            out = op.on_floats(*xs, constant)
        except (ValueError, ArithmeticError):
            continue
        if not _bounded(out):
            continue
        steps.append((op.op, operands, constant))
        values.append(out)
    if not steps:  # every op drawn fell outside its domain: the first op defined here
        steps.append(_fallback(drawn, values))
    return Expression(inputs, steps)


def _fallback(ops: list[_Op], values: list[float]) -> Step:
    last = len(values) - 1
    for op in ops:
        operands = (last,) * op.arity
        for constant in op.constants:
            if op.defined(*(values[i] for i in operands), constant):
                return (op.op, operands, constant)
    from hypothesis import reject
    reject()
    raise AssertionError("unreachable")  # reject() raises
