"""The engine's errors are types that carry what callers need: DomainError and
FloatOverflowError (the op, its operands, the hint), NonFiniteGradientError (the node)."""
from __future__ import annotations

import copy
import pickle

import pytest

import autograd_mini
from autograd_mini import (DomainError, FloatOverflowError, NonFiniteGradientError, Value,
                           compile_graph, grad, jvp)
from autograd_mini.numeric import within
from autograd_mini.ops import UNARY

DOMAIN_ROWS = [row for row in UNARY if row.domain]
OUTSIDE = {"log": 0.0, "sqrt": -1.0, "log1p": -1.0}


def test_the_error_types_are_value_errors_exported_from_the_package():
    for error_type in (DomainError, FloatOverflowError, NonFiniteGradientError):
        assert issubclass(error_type, ValueError)
        assert getattr(autograd_mini, error_type.__name__) is error_type
        assert error_type.__name__ in autograd_mini.__all__


def test_every_row_with_a_domain_gives_a_domain_error_with_its_op_value_and_hint():
    assert sorted(row.name for row in DOMAIN_ROWS) == sorted(OUTSIDE)
    for row in DOMAIN_ROWS:
        with pytest.raises(DomainError) as caught:
            getattr(Value(OUTSIDE[row.name]), row.name)()
        error = caught.value
        assert (error.op, error.values, error.hint) == (row.name, (OUTSIDE[row.name],), row.hint)
        assert str(error) == f"{error.what}; {row.hint}"
        assert f"{row.name} needs {row.domain}" in error.what


@pytest.mark.parametrize("make, op, values", [
    (lambda: Value(1.0) / 0, "/", (1.0, 0.0)),
    (lambda: Value(1.0) / Value(0.0), "/", (1.0, 0.0)),
    (lambda: 1 / Value(0.0), "/", (1.0, 0.0)),
    (lambda: Value(0.0) ** -1, "**", (0.0, -1.0)),
    (lambda: Value(-8.0) ** (1 / 3), "**", (-8.0, 1 / 3)),
    (lambda: Value(-1.0) ** Value(2.0), "**", (-1.0, 2.0)),
    (lambda: (-2) ** Value(1.0), "**", (-2.0, 1.0)),
])
def test_operators_outside_their_domain_give_domain_errors(make, op, values):
    with pytest.raises(DomainError) as caught:
        make()
    assert (caught.value.op, caught.value.values) == (op, values)


@pytest.mark.parametrize("make, op", [
    (lambda: Value(1000.0).exp(), "exp"),
    (lambda: Value(1000.0).cosh(), "cosh"),
    (lambda: Value(1e308) + Value(1e308), "+"),
    (lambda: Value(1e308) * 10, "*"),
    (lambda: Value(1e300) / 1e-300, "/"),
    (lambda: Value(10.0) ** 400, "**"),
    (lambda: Value(10 ** 400), "Value"),
])
def test_results_beyond_a_float_give_float_overflow_errors(make, op):
    with pytest.raises(FloatOverflowError) as caught:
        make()
    assert caught.value.op == op and caught.value.hint


def test_a_parameter_that_overflows_the_result_is_a_float_overflow_error():
    with pytest.raises(FloatOverflowError) as caught:
        Value(-1e308).leaky_relu(slope=10.0)
    assert caught.value.op == "leaky_relu" and caught.value.values == (-1e308, 10.0)


def test_a_non_finite_gradient_names_its_node():
    x = Value(0.0, label="x")
    root = x.sqrt()
    with pytest.raises(NonFiniteGradientError) as caught:
        root.backward()
    assert caught.value.node is root
    assert str(caught.value).endswith(caught.value.opt_out)


def test_every_path_to_a_non_finite_gradient_raises_the_same_type():
    with pytest.raises(NonFiniteGradientError):
        grad(lambda x: x.sqrt())(0.0)
    with pytest.raises(NonFiniteGradientError):
        Value(0.0).sqrt().backward(create_graph=True)
    with pytest.raises(NonFiniteGradientError):
        jvp(lambda x: x.sqrt(), (0.0,), (1.0,))
    x = Value(1.0)
    compiled = compile_graph(x.sqrt(), [x])
    x.data = 0.0
    with pytest.raises(NonFiniteGradientError):
        compiled.run()


def test_within_keeps_the_type_and_the_details():
    errors = [DomainError("log(0.0): log needs x > 0", "shift it", "log", (0.0,)),
              FloatOverflowError("exp(1000.0) overflows a float", "scale", "exp", (1000.0,)),
              NonFiniteGradientError("backward: inf", "Rescale", None)]
    for error in errors:
        said = within("backward(create_graph=True) through x", error)
        assert type(said) is type(error) and said.hint == error.hint
        assert str(said) == f"backward(create_graph=True) through x: {error}"
    plain = within("jvp through x", ValueError("boom"))
    assert type(plain) is ValueError and str(plain) == "jvp through x: boom"


def test_errors_pickle_and_copy_with_their_details():
    errors = [DomainError("w", "h", "log", (0.0,)), FloatOverflowError("w", "h", "exp", (1e3,)),
              NonFiniteGradientError("w", "h", Value(1.0, label="n"))]
    for error in errors:
        for clone in (pickle.loads(pickle.dumps(error)), copy.copy(error)):
            assert type(clone) is type(error) and str(clone) == str(error)
            assert clone.what == "w" and clone.hint == "h"
    assert pickle.loads(pickle.dumps(errors[2])).node.label == "n"
