"""grad, value_and_grad and gradcheck, HIPS autograd / JAX style."""
from __future__ import annotations

import math

import pytest

from autograd_mini import GradcheckError, Value, grad, gradcheck, value_and_grad


def test_grad_of_a_float_function_returns_a_float() -> None:
    df = grad(lambda x: x.tanh() * 2)
    assert df(0.3) == pytest.approx(2 * (1 - math.tanh(0.3) ** 2), rel=1e-15)
    assert type(df(0.3)) is float


def test_value_and_grad_returns_both() -> None:
    value, slope = value_and_grad(lambda x: x ** 3)(2.0)
    assert (value, slope) == (8.0, 12.0)


def test_argnums_tuple_gives_a_tuple_of_partials() -> None:
    f = lambda x, y, z: x * y + z.sin()
    assert grad(f, argnums=(0, 2))(2.0, 5.0, 0.0) == (5.0, 1.0)


def test_arguments_not_differentiated_pass_through_unchanged() -> None:
    seen = []

    def f(x, scale, name):
        seen.append((scale, name))
        return x * scale

    assert grad(f)(1.0, 4, "tag") == 4.0
    assert seen == [(4, "tag")]


def test_second_derivative_by_nesting() -> None:
    f = lambda x: x.sin() * x.exp()
    x = 0.7
    expected = 2 * math.cos(x) * math.exp(x)  # (sin e^x)'' = 2 cos(x) e^x
    assert grad(grad(f))(x) == pytest.approx(expected, rel=1e-14)


def test_derivatives_of_x_to_the_fifth_to_any_order() -> None:
    f = lambda x: x ** 5
    expected = [5 * 16, 20 * 8, 60 * 4, 120 * 2, 120, 0]
    derivative = f
    for want in expected:
        derivative = grad(derivative)
        assert derivative(2.0) == want


def test_mixed_second_partial_by_nesting_argnums() -> None:
    f = lambda x, y: x * x * y.exp()
    d2 = grad(lambda x, y: grad(f, argnums=0)(x, y), argnums=1)
    assert d2(3.0, 0.5) == pytest.approx(6 * math.exp(0.5), rel=1e-15)


def test_nested_grad_leaves_outer_gradients_untouched() -> None:
    x = Value(1.5)
    inner = grad(lambda t: t * t * t)(x)  # 3 x^2 as a Value of x
    assert x.grad == 0.0
    inner.backward()
    assert x.grad == 9.0


def test_grad_of_a_constant_function_is_zero() -> None:
    assert grad(lambda x: 3.0)(1.0) == 0.0
    assert grad(lambda x: x * 0 + 1)(1.0) == 0.0


def test_grad_refuses_non_scalar_outputs_with_a_hint() -> None:
    with pytest.raises(TypeError, match="grad only applies to functions returning one real"):
        grad(lambda x: [x, x])(1.0)


@pytest.mark.parametrize("argnums", [-1, 1.0, (), [0], (0, "1"), True, (0, 0)])
def test_grad_refuses_bad_argnums(argnums) -> None:
    with pytest.raises(TypeError, match="argnums"):
        grad(lambda x: x, argnums=argnums)


def test_grad_names_a_missing_argument() -> None:
    with pytest.raises(TypeError, match="positional argument 1"):
        grad(lambda x, y=1.0: x * y, argnums=1)(2.0)


def test_gradcheck_passes_a_correct_function() -> None:
    assert gradcheck(lambda x, y: (x * y).tanh() / y + x.log(), [0.3, 1.2]) is True


def test_gradcheck_catches_a_dependency_hidden_through_data() -> None:
    def leaky(x, y):
        return x * y.data + y  # x's factor is treated as a constant: dy is missing x

    with pytest.raises(GradcheckError) as failure:
        gradcheck(leaky, [2.0, 3.0])
    message = str(failure.value)
    assert "1 of 2 derivatives of leaky disagree" in message
    row = [line for line in message.splitlines() if line.strip().startswith("1 ")][0]
    assert "FAIL" in row and " 1 " in row and " 3 " in row  # analytic 1, numeric 1 + x = 3


def test_gradcheck_respects_its_tolerances() -> None:
    f = lambda x: x * x
    assert gradcheck(f, [1.0], eps=1e-3)
    with pytest.raises(GradcheckError):
        gradcheck(lambda x: x * x.data * 1.0000001 + x * 0, [1.0], atol=0.0, rtol=1e-9)


def test_gradcheck_names_a_domain_edge_it_steps_over() -> None:
    with pytest.raises(ValueError, match="domain edge"):
        gradcheck(lambda x: x.log(), [1e-9], eps=1e-6)


def test_second_derivative_through_a_closure_over_the_outer_variable() -> None:
    # The inner grad is called with a float; its function closes over the outer Value y.
    d2 = grad(lambda y: grad(lambda x: x * x * y.exp())(3.0))
    assert d2(0.5) == pytest.approx(6 * math.exp(0.5), rel=1e-15)


def test_functional_calls_leave_every_grad_untouched() -> None:
    w = Value(4.0)
    w.grad = 0.25
    assert grad(lambda x: x * w)(2.0) == 4.0
    assert w.grad == 0.25
