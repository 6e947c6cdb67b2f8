"""A user's property tests with the testing kit: mypy --strict must pass on it."""
from hypothesis import given
from autograd_mini import Value
from autograd_mini.testing import check_grads, check_params, compare_engine, Expression
from autograd_mini.testing import strategies


@given(strategies.floats("log", margin=1e-3))
def test_log(x: float) -> None:
    check_grads(lambda v: v.log() * v, [x])


@given(strategies.expressions(max_ops=4, n_inputs=2))
def test_any(e: Expression) -> None:
    check_grads(e, e.inputs, order=2)
    print(e.text)


w = Value(0.5)
check_params(lambda: w * w, [w])
