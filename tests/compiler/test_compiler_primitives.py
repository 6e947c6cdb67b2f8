"""compile_graph through users' primitives: eager's floats bit for bit, eager's errors."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_mini import DomainError, NonFiniteGradientError, Value, compile_graph, primitive
from primitive_examples import hypot, leaky, logistic, my_erf, root, times

moderate = st.floats(-3.0, 3.0, allow_nan=False)


def _model(a: Value, b: Value) -> Value:
    """Every side of a two-operand primitive, a one-operand one, and table ops between."""
    mixed = times(a, b) * 2.0 + times(a, 3.0) + times(2.0, b) + hypot(a, b)
    return logistic(mixed) * my_erf(b) + root(a * a + 1.0)


def _eager(x: float, y: float) -> tuple[float, float, float]:
    a, b = Value(x), Value(y)
    out = _model(a, b)
    out.backward()
    return out.data, a.grad, b.grad


@given(moderate, moderate, moderate, moderate)
def test_a_compiled_graph_of_primitives_is_eager_bit_for_bit(x0, y0, x, y) -> None:
    a, b = Value(x0), Value(y0)
    compiled = compile_graph(_model(a, b), [a, b])
    a.data, b.data = x, y
    try:
        expected = _eager(x, y)
    except NonFiniteGradientError:  # hypot at (0, 0): 0 / 0, undefined, in both
        with pytest.raises(NonFiniteGradientError, match="at 'hypot' node"):
            compiled.forward()
            compiled.backward()
        return
    assert compiled.forward() == expected[0]
    compiled.backward()
    assert (a.grad, b.grad) == expected[1:]
    assert compiled.replays == 0  # the fast path: no error, nothing non-finite


def test_the_generated_code_calls_the_evaluator_under_a_name_of_ours() -> None:
    a, b = Value(0.5, label="a"), Value(1.5, label="b")
    source = compile_graph(_model(a, b), [a, b]).source
    assert "= primitive" in source and "# logistic" in source
    assert "the primitive 'logistic'" in source


def test_a_name_that_is_no_identifier_stays_in_a_comment() -> None:
    def shifted(x):
        return x + 1.0

    shifted.__name__ = "shift\nP[0] = (666.0,)"
    odd = primitive(slope=lambda x, out: 1.0)(shifted)
    x = Value(2.0)
    compiled = compile_graph(odd(x) * x, [x])
    assert "\nP[0] = (666.0,)" not in compiled.source
    compiled.backward()
    assert x.grad == 5.0  # d/dx (x + 1) x = 2x + 1


def test_a_run_outside_the_domain_raises_eagers_error_and_changes_nothing() -> None:
    x = Value(4.0, label="x")
    out = root(x - 1.0) * x
    compiled = compile_graph(out, [x])
    x.data, x.grad = 0.5, 7.0
    with pytest.raises(DomainError, match=r"root\(-0.5\): outside root's domain") as caught:
        compiled.forward()
        compiled.backward()
    assert caught.value.op == "root" and x.grad == 7.0


def test_a_gradient_graph_through_a_straight_line_primitive_compiles_and_follows_x() -> None:
    x = Value(0.3, label="x")
    logistic(x * 2.0).backward(create_graph=True)
    compiled = compile_graph(x.grad * 1.0, [x])
    for point in (-1.0, 0.0, 2.5):
        x.data = point
        fresh = Value(point)
        logistic(fresh * 2.0).backward(create_graph=True)
        assert compiled.forward() == fresh.grad.data


def test_a_gradient_graph_through_a_primitive_whose_slope_chooses_is_refused() -> None:
    x = Value(-2.0, label="x")
    (leaky(x * 3.0) * x).backward(create_graph=True)
    with pytest.raises(ValueError, match=r"compile_graph: .* through leaky at"):
        compile_graph(x.grad * x.grad, [x])
