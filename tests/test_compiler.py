"""compile_graph: a captured graph replayed as generated code gives eager's numbers to the
last bit, and eager's errors, on random DAGs of every op and on the benchmark workloads."""
from __future__ import annotations

import math
import struct
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from autograd_mini import Value, compile_graph
from strategies import ANY_INPUT, TableProgram, table_programs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks/ is not installed

from benchmarks import workloads  # noqa: E402

PROPERTY = settings(max_examples=400, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def bits(x: float) -> object:
    """x exactly: its bytes (so -0.0 differs from 0.0), or "nan" for any NaN."""
    return "nan" if x != x else struct.pack("<d", x)


def eager_outcome(program: TableProgram, point: list[float], seed: float = 1.0) -> tuple | set:
    """What eager evaluation gives at `point`: the value and every leaf's gradient, as
    bits, or the error backward raises (its type and message); or when the graph cannot be
    built, the set of errors its ops raise (which one comes first depends on the order)."""
    leaves = [Value(x, allow_nonfinite=True) for x in point]
    try:
        root = program.build(leaves)
    except Exception:  # noqa: BLE001 - compared with the compiled one's
        return program.errors(leaves)
    try:
        root.backward(seed)
    except Exception as error:  # noqa: BLE001
        return type(error), str(error)
    return bits(root.data), [bits(leaf.grad) for leaf in leaves]


def assert_same(found: tuple, expected: tuple | set) -> None:
    if isinstance(expected, set):
        assert found in expected
    else:
        assert found == expected


def compiled_outcome(compiled, leaves: list[Value], point: list[float], seed: float = 1.0) -> tuple:
    for leaf, x in zip(leaves, point):
        leaf.data, leaf.grad = x, 0.0
    try:
        value = compiled.forward()
        compiled.backward(seed)
    except Exception as error:  # noqa: BLE001
        return type(error), str(error)
    return bits(value), [bits(leaf.grad) for leaf in leaves]


def captured(program: TableProgram) -> tuple:
    """The program built at its own inputs and compiled, or skipped when eager refuses it."""
    leaves = [Value(x) for x in program.inputs]
    try:
        root = program.build(leaves)
    except ValueError:
        assume(False)
    return compile_graph(root, leaves), leaves


@settings(PROPERTY)
@given(table_programs(), st.lists(ANY_INPUT, min_size=3, max_size=3))
def test_random_graphs_of_every_op_give_eager_values_gradients_and_errors(program, moved):
    compiled, leaves = captured(program)
    point = moved[:len(leaves)]
    for at in (program.inputs, point, program.inputs):  # captured point, elsewhere, back
        assert_same(compiled_outcome(compiled, leaves, at), eager_outcome(program, at))


@settings(PROPERTY)
@given(table_programs(), st.lists(st.sampled_from([math.inf, -math.inf, math.nan, 0.0, -0.0,
                                                   1e-320, -1e308]), min_size=3, max_size=3))
def test_non_finite_and_extreme_inputs_give_eager_results(program, moved):
    compiled, leaves = captured(program)
    point = moved[:len(leaves)]
    assert_same(compiled_outcome(compiled, leaves, point), eager_outcome(program, point))


@settings(PROPERTY)
@given(table_programs(), st.sampled_from([2.0, -0.5, 1e300, 0.0]))
def test_seed_gradients_scale_as_eager(program, seed):
    compiled, leaves = captured(program)
    at = program.inputs
    assert_same(compiled_outcome(compiled, leaves, at, seed), eager_outcome(program, at, seed))
