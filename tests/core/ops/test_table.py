"""The table (ops.py) against everything derived from it: each row is a Value method with
a docstring that records its op (and keeps its parameter), each operator works with a
number on either side and has the engine's three keys, the activation rows are nn's
activations, the formula functions are the rows; and the op tests hold what each row
needs (parameter values to test it at)."""
from __future__ import annotations

import math
import operator

import pytest

from autograd_mini import Value
from autograd_mini import ops
from autograd_mini.cli.formula import evaluate
from autograd_mini.engine import OPS
from nn import MLP
from op_cases import PARAMS, SIDES, apply_row


def test_every_row_has_parameter_values_to_test() -> None:
    for row in ops.UNARY:
        if row.param:
            assert PARAMS.get(row.name, [None])[0] == row.param[1], \
                f"add {row.name}'s parameter values, its default first, to PARAMS in op_cases.py"


def test_every_binary_key_of_the_engine_is_a_row_and_a_side() -> None:
    keys = {key for key in OPS if key.partition(":")[0] in ops.BINARY_BY_SYMBOL}
    assert keys == {f"{row.symbol}:{side}" if side else row.symbol
                    for row in ops.BINARY for side in SIDES}


# -- wiring: every row reaches the method, the docstring, nn and formulas --------
@pytest.mark.parametrize("row", ops.UNARY, ids=lambda row: row.name)
def test_every_unary_row_is_a_value_method_recording_its_op(row) -> None:
    method = getattr(Value, row.method or row.name)
    assert method.__name__ == (row.method or row.name)
    out = apply_row(row, 0.5)
    assert out.op == row.name and out._made_by is OPS[row.name]
    if row.param:  # the parameter is kept on the node, for the rule and pictures
        assert apply_row(row, 0.5, 0.25).constant == 0.25 and out.constant == row.param[1]


@pytest.mark.parametrize("row", [
    pytest.param(row, id=row.name) for row in ops.UNARY])
def test_every_unary_method_has_a_docstring(row) -> None:
    doc = getattr(Value, row.method or row.name).__doc__
    assert doc and row.name in doc


@pytest.mark.parametrize("row", ops.BINARY, ids=lambda row: row.symbol)
def test_every_binary_row_is_an_operator_with_numbers_either_side(row) -> None:
    f = getattr(operator, row.method)
    for out in (f(Value(2.0), Value(3.0)), f(Value(2.0), 3.0), f(2.0, Value(3.0))):
        assert out.op == row.symbol and out.data == f(2.0, 3.0)


@pytest.mark.parametrize("activation", ops.ACTIVATIONS)
def test_every_activation_row_is_accepted_by_mlp(activation) -> None:
    model = MLP(2, [3, 1], activation=activation, seed=0)
    out = model([0.5, -1.0])
    out.backward()
    assert model.layers[0].activation == activation
    assert all(math.isfinite(p.grad) for p in model.parameters())


def test_rows_not_marked_as_activations_are_refused_by_mlp() -> None:
    with pytest.raises(ValueError, match="exp"):
        MLP(2, [3, 1], activation="exp", seed=0)


def test_formula_functions_are_the_table_minus_the_operator_only_rows() -> None:
    assert set(ops.FUNCTIONS) == ({row.name for row in ops.UNARY} - {"neg"}
                                  | {row.name for row in ops.PAIRWISE})


def test_two_operand_function_rows_give_three_ops_each_and_a_method() -> None:
    for row in ops.PAIRWISE:
        assert {key for key in OPS if key.partition(":")[0] == row.name} == {
            f"{row.name}:{side}" if side else row.name for side in SIDES}
        assert callable(getattr(Value, row.name))


@pytest.mark.parametrize("row", ops.PAIRWISE, ids=lambda row: row.name)
def test_every_two_operand_function_computes_in_a_formula_what_the_method_does(row) -> None:
    assert evaluate(f"{row.name}(a, b)", {"a": 0.5, "b": -1.0}) == \
        getattr(Value(0.5), row.name)(Value(-1.0)).data


@pytest.mark.parametrize("name", [name for name in ops.FUNCTIONS if name in ops.UNARY_BY_NAME])
def test_every_formula_function_computes_what_the_method_does(name) -> None:
    row = ops.UNARY_BY_NAME[name]
    assert evaluate(f"{name}(a)", {"a": 0.5}) == apply_row(row, 0.5).data
    if row.param:
        assert evaluate(f"{name}(a, 0.25)", {"a": -0.5}) == apply_row(row, -0.5, 0.25).data
