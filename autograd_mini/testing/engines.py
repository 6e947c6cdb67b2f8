"""compare_engine: property-test a micrograd-style engine against ours.

A learner's engine is a class whose instances are made from a number, combine by the
operators and methods it has (a + b, a * 3, a.tanh(), ...), and have `.data`, `.grad`
and `.backward()`. Over random expressions of the ops it offers, its values and every
input's gradient must equal ours (to rounding: two engines may compute tanh or a / b by
different but correct formulas). Hypothesis shrinks a failure to the smallest
expression, which the error shows as a formula with both engines' numbers.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

from autograd_mini.engine import Value
from autograd_mini.testing.expressions import Expression, OpLike, apply_op, op_name
from autograd_mini.testing.references import REFERENCES, arity, table_keys

__all__ = ["compare_engine", "offered_ops"]

# Two correct engines agree to about this (tanh by exp, a / b as a * b ** -1, ...).
RTOL, ATOL = 1e-9, 1e-12
# Where an op is tried to see whether the engine offers it: inside every op's domain.
_PROBES = (0.7, 1.3)


def offered_ops(value_class: type, ops: Sequence[OpLike] | None = None) -> list[OpLike]:
    """The ops (keys of the table, or the given ones) that value_class offers: applying
    them to its instances gives one of its instances, and backward() runs through it."""
    found = []
    for op in ops if ops is not None else table_keys():
        if not isinstance(op, str):
            found.append(op)  # a primitive the caller chose: its values are tried as given
            continue
        constant = REFERENCES[op].constants[0]
        try:
            operands = [value_class(x) for x in _PROBES[:arity(op)]]
            out = apply_op(op, operands, constant)
            if isinstance(out, value_class):
                out.backward()
                found.append(op)
        except Exception:  # noqa: BLE001 - whatever it raises, the engine lacks the op
            continue
    return found


def compare_engine(value_class: type, ops: Sequence[OpLike] | None = None,
                   max_examples: int = 200, repeat_backward: bool = False,
                   seed: int = 0) -> None:
    """Compare value_class with autograd_mini's Value over random expressions of the ops
    it offers (or `ops`): the output's .data and every input's .grad after backward()
    (after a second backward() too with repeat_backward=True: ours then holds twice the
    gradient, as PyTorch's). Raises AssertionError naming the smallest failing expression
    with both engines' numbers; returns None when the engines agree."""
    from hypothesis import HealthCheck, given, seed as fixed_seed, settings

    from autograd_mini.testing.strategies import expressions

    if not isinstance(value_class, type):
        raise TypeError(f"compare_engine takes a class (your Value), got "
                        f"{type(value_class).__name__} {value_class!r}")
    chosen = offered_ops(value_class, ops)
    if not chosen:
        raise ValueError(f"compare_engine: {value_class.__name__} offers none of the ops "
                         f"tried ({', '.join(map(op_name, ops or table_keys()))}): its "
                         "instances must combine with + * ... into instances with backward()")
    calls = 2 if repeat_backward else 1

    @fixed_seed(seed)
    @settings(max_examples=max_examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(expressions(chosen, max_ops=8, n_inputs=2))
    def agree(expression: Expression) -> None:
        difference = _difference(value_class, expression, calls)
        if difference:
            raise AssertionError(difference)

    try:
        agree()
    except AssertionError as error:
        raise AssertionError(f"compare_engine: {value_class.__name__} differs from "
                             f"autograd_mini.Value (ops tried: "
                             f"{', '.join(map(op_name, chosen))}).\n{error}") from None


def _difference(value_class: type, expression: Expression, calls: int) -> str | None:
    """What differs between the two engines on this expression, or None."""
    ours, ours_grads = _run(Value, expression, calls)
    try:
        theirs, their_grads = _run(value_class, expression, calls)
    except Exception as error:  # noqa: BLE001 - their engine failing is the finding
        return f"{_where(expression)}: {value_class.__name__} raised {error!r}"
    rows = [("value", theirs, ours)]
    rows += [(f"d/d{name}", t, o) for name, t, o in zip(expression.names, their_grads, ours_grads)]
    if all(_close(t, o) for _, t, o in rows):
        return None
    after = " after backward() twice" if calls == 2 else ""
    lines = [f"{_where(expression)}{after}:", f"  {'':<8} {'theirs':>22} {'ours':>22}"]
    lines += [f"  {what:<8} {t!r:>22} {o!r:>22}{'' if _close(t, o) else '  <- differs'}"
              for what, t, o in rows]
    return "\n".join(lines)


def _run(value_class: type, expression: Expression, calls: int) -> tuple[float, list[float]]:
    leaves = [value_class(x) for x in expression.inputs]
    out = expression(*leaves)
    for _ in range(calls):
        out.backward()
    return float(out.data), [float(leaf.grad) for leaf in leaves]


def _where(expression: Expression) -> str:
    at = ", ".join(f"{name} = {x!r}" for name, x in zip(expression.names, expression.inputs))
    return f"{expression.text} at {at}"


def _close(a: Any, b: float) -> bool:
    try:
        a = float(a)
    except (TypeError, ValueError):
        return False
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= ATOL + RTOL * max(abs(a), abs(b))
