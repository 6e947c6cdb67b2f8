"""The shipped strategies: in-domain floats for every op, and expressions that shrink."""
from __future__ import annotations

import math
import subprocess
import sys

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from autograd_mini import Value
from autograd_mini.cli.formula import build
from autograd_mini.testing import check_grads, strategies
from autograd_mini.testing.expressions import apply_op
from autograd_mini.testing.references import REFERENCES, arity, table_keys
from primitive_examples import hypot, logistic, root

MARGIN = 1e-2


@pytest.mark.parametrize("key", table_keys())
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_floats_are_inside_the_engines_domain_with_the_margin(key: str, data) -> None:
    drawn = data.draw(strategies.floats(key, margin=MARGIN))
    xs = drawn if arity(key) == 2 else (drawn,)
    constant = REFERENCES[key].constants[0]
    for shift in (-MARGIN / 2, 0.0, MARGIN / 2):  # the engine accepts the whole neighbourhood
        moved = [Value(x + shift) for x in xs]
        out = apply_op(key, moved, constant)
        assert math.isfinite(out.data) and all(math.isfinite(g) for g in out.local_grads)
    if key in ("relu", "abs", "leaky_relu", "elu", "log", "sqrt"):
        assert abs(xs[0]) >= MARGIN  # the kink or the domain's edge at 0 is kept away


@settings(max_examples=50, deadline=None)
@given(strategies.floats(root, margin=0.5))
def test_a_primitives_declared_domain_is_kept_with_the_margin(x: float) -> None:
    assert x >= 0.5


@settings(max_examples=20, deadline=None)
@given(strategies.floats(hypot))
def test_a_two_operand_op_gives_pairs(pair) -> None:
    assert isinstance(pair, tuple) and len(pair) == 2


def test_an_unknown_op_lists_the_ops() -> None:
    with pytest.raises(ValueError, match="'lg' is not an op of the table; the ops are neg, abs"):
        strategies.floats("lg")
    with pytest.raises(TypeError, match="is not an op"):
        strategies.expressions(ops=[math.sin])


@settings(max_examples=60, deadline=None)
@given(strategies.expressions(max_ops=10, n_inputs=3))
def test_an_expression_is_the_same_function_on_floats_values_and_as_text(e) -> None:
    on_floats = e(*e.inputs)
    on_values = e(*(Value(x) for x in e.inputs))
    assert on_values.data == pytest.approx(on_floats, rel=1e-12, abs=1e-12)
    parsed, _ = build(e.text, dict(zip(e.names, e.inputs)))
    assert (parsed.data if isinstance(parsed, Value) else parsed) == on_values.data, e.text


@settings(max_examples=40, deadline=None)
@given(strategies.expressions(max_ops=6, n_inputs=2))
def test_every_expression_passes_check_grads_to_second_order(e) -> None:
    check_grads(e, e.inputs, order=2)


@settings(max_examples=25, deadline=None)
@given(strategies.expressions(ops=[logistic, root, "*", "+:right"], max_ops=6, n_inputs=2))
def test_expressions_of_primitives_pass_check_grads(e) -> None:
    assert e.ops_used() <= {"logistic", "root", "*", "+:right"}
    check_grads(e, e.inputs, order=2)


def test_an_expression_shrinks_to_a_minimal_formula() -> None:
    found = find(strategies.expressions(n_inputs=2), lambda e: "tanh" in e.ops_used(),
                 settings=settings(database=None, max_examples=500))
    assert found.text == "tanh(a)"
    found = find(strategies.expressions(n_inputs=1), lambda e: len(e.steps) >= 2,
                 settings=settings(database=None, max_examples=500))
    assert len(found.steps) == 2 and found.ops_used() == {"neg"}  # the table's first op


def test_without_hypothesis_the_strategies_name_the_testing_extra() -> None:
    code = ("import sys; sys.modules['hypothesis'] = None\n"
            "import autograd_mini.testing as kit\n"  # the checks need no hypothesis
            "try:\n    from autograd_mini.testing import strategies\n"
            "except ImportError as error:\n    print(error)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert "pip install 'autograd-mini[testing]'" in done.stdout, done.stderr
