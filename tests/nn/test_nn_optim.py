"""Each optimizer's update against values computed by hand from its published rule."""
from __future__ import annotations

import math

import pytest

from autograd_mini import Value
from nn import SGD, Adam, ConjugateGradient, Rprop


def run(optimizer, parameter: Value, gradients: list[float]) -> list[float]:
    """Apply one step per gradient; the parameter's value after each."""
    trace = []
    for g in gradients:
        parameter.grad = g
        optimizer.step()
        trace.append(parameter.data)
    return trace


def test_sgd_moves_against_the_gradient():
    p = Value(1.0)
    assert run(SGD([p], lr=0.1), p, [0.5]) == [pytest.approx(0.95)]


def test_sgd_weight_decay_adds_decay_times_weight_to_the_gradient():
    p = Value(1.0)
    assert run(SGD([p], lr=0.1, weight_decay=0.1), p, [0.5]) == [pytest.approx(1 - 0.1 * 0.6)]


def test_sgd_momentum_starts_with_the_gradient_then_accumulates():
    # v1 = g = 0.5, p1 = 1 - 0.05; v2 = 0.9 * 0.5 + 0.5 = 0.95, p2 = 0.95 - 0.095
    p = Value(1.0)
    assert run(SGD([p], lr=0.1, momentum=0.9), p, [0.5, 0.5]) == pytest.approx([0.95, 0.855])


@pytest.mark.parametrize("weight", [0.5, -0.5, 0.0])
def test_without_weight_decay_the_velocity_starts_as_the_gradient_itself(weight):
    """As PyTorch, which adds no decay term when weight_decay is 0: a gradient of -0.0
    starts the velocity at -0.0 (adding 0 * weight would make it 0.0 for a weight >= 0)."""
    w = Value(weight)
    w.grad = -0.0
    opt = SGD([w], lr=0.1, momentum=0.9)
    opt.step()
    assert math.copysign(1.0, opt.velocity[0]) == -1.0


def test_sgd_nesterov_steps_by_gradient_plus_momentum_times_velocity():
    # v1 = 0.5; step g + 0.9 v1 = 0.95, p1 = 1 - 0.095
    p = Value(1.0)
    assert run(SGD([p], lr=0.1, momentum=0.9, nesterov=True), p, [0.5]) == [pytest.approx(0.905)]


def test_sgd_nesterov_needs_momentum():
    with pytest.raises(ValueError, match="Nesterov momentum needs momentum > 0"):
        SGD([Value(1.0)], lr=0.1, nesterov=True)


def test_learning_rate_schedule_is_called_with_the_step_count():
    p = Value(0.0)
    rates = []
    optimizer = SGD([p], lr=lambda step: rates.append(step) or 1.0 / (step + 1))
    assert run(optimizer, p, [1.0, 1.0]) == pytest.approx([-1.0, -1.5])
    assert rates == [0, 1]


def test_zero_grad_clears_the_gradients():
    p = Value(1.0)
    p.grad = 3.0
    SGD([p], lr=0.1).zero_grad()
    assert p.grad == 0.0


def test_empty_parameter_list_is_refused():
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)


def test_adam_two_steps():
    # m1 = 0.1 * 0.5 = 0.05, v1 = 0.001 * 0.25; m_hat = 0.5, v_hat = 0.25:
    #   p1 = 1 - 0.001 * 0.5 / (0.5 + 1e-8) = 0.99900000002
    # m2 = 0.9 * 0.05 + 0.1 * 0.25 = 0.07, v2 = 0.999 * 0.00025 + 0.001 * 0.0625 = 0.00031225;
    # m_hat = 0.07 / 0.19 = 0.368421..., sqrt(v_hat) = sqrt(0.00031225 / 0.001999) = 0.395225...
    #   p2 = p1 - 0.001 * 0.368421 / 0.395225 = 0.998067820...
    p = Value(1.0)
    trace = run(Adam([p]), p, [0.5, 0.25])
    assert trace == [pytest.approx(0.99900000002, abs=1e-12), pytest.approx(0.9980678204, abs=1e-10)]


def test_adam_weight_decay_is_added_to_the_gradient():
    # g = 0.5 + 0.1 * 1; the first Adam step is lr * g / |g| whatever g is
    p = Value(1.0)
    assert run(Adam([p], lr=0.1, weight_decay=0.1), p, [0.5]) == [pytest.approx(0.9)]


def test_adam_decoupled_weight_decay_shrinks_the_weight_first():
    # p = 1 * (1 - 0.1 * 0.1) = 0.99, then minus lr * sign(g) = 0.1
    p = Value(1.0)
    assert run(Adam([p], lr=0.1, weight_decay=0.1, decoupled_weight_decay=True), p,
               [0.5]) == [pytest.approx(0.89)]


def test_rprop_grows_shrinks_and_skips_as_irprop_minus():
    # step 1: size 0.1, p = -0.1; step 2: same sign, size 0.12, p = -0.22;
    # step 3: sign flips: size 0.06, no move; step 4: no comparison, move +0.06 -> -0.16
    p = Value(0.0)
    assert run(Rprop([p], lr=0.1), p, [1.0, 1.0, -1.0, -1.0]) == pytest.approx(
        [-0.1, -0.22, -0.22, -0.16])


def test_rprop_step_sizes_are_clamped():
    p = Value(0.0)
    assert run(Rprop([p], lr=0.1, step_sizes=(1e-6, 0.11)), p, [1.0, 1.0]) == pytest.approx(
        [-0.1, -0.21])


def quadratic_closure(x: Value, y: Value, optimizer):
    """f(x, y) = x^2 + 10 y^2, minimum 0 at the origin."""
    def closure():
        optimizer.zero_grad()
        loss = x * x + 10 * y * y
        loss.backward()
        return loss
    return closure


def test_conjugate_gradient_first_step_is_steepest_descent_scaled_as_lbfgs():
    # g = (2, 20) at (1, 1); first trial step lr * min(1, 1/|g|_1) = 1/22 passes Armijo,
    # so the point moves to (1 - 2/22, 1 - 20/22) = (10/11, 1/11)
    x, y = Value(1.0), Value(1.0)
    optimizer = ConjugateGradient([x, y])
    loss = optimizer.step(quadratic_closure(x, y, optimizer))
    assert loss.data == 11.0
    assert (x.data, y.data) == (pytest.approx(10 / 11), pytest.approx(1 / 11))


def test_conjugate_gradient_minimises_a_quadratic():
    x, y = Value(1.0), Value(1.0)
    optimizer = ConjugateGradient([x, y])
    closure = quadratic_closure(x, y, optimizer)
    losses = [optimizer.step(closure).data for _ in range(5)]
    assert losses == sorted(losses, reverse=True)
    assert x.data ** 2 + 10 * y.data ** 2 < 1e-20


def test_conjugate_gradient_solves_rosenbrock():
    # the minimum of (1 - x)^2 + 100 (y - x^2)^2 is (1, 1); the classic start is (-1.2, 1)
    x, y = Value(-1.2), Value(1.0)
    optimizer = ConjugateGradient([x, y])

    def closure():
        optimizer.zero_grad()
        loss = (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x)
        loss.backward()
        return loss

    for _ in range(200):
        optimizer.step(closure)
    assert (x.data, y.data) == (pytest.approx(1.0, abs=1e-6), pytest.approx(1.0, abs=1e-6))


def test_conjugate_gradient_keeps_the_parameters_on_ctrl_c_mid_search():
    x = Value(1.0)
    optimizer = ConjugateGradient([x])
    calls = []

    def closure():
        calls.append(x.data)
        if len(calls) == 2:  # the first trial point of the line search
            raise KeyboardInterrupt
        optimizer.zero_grad()
        loss = x * x
        loss.backward()
        return loss

    with pytest.raises(KeyboardInterrupt):
        optimizer.step(closure)
    assert x.data == 1.0


def test_conjugate_gradient_needs_a_closure():
    with pytest.raises(TypeError, match="needs a closure"):
        ConjugateGradient([Value(1.0)]).step()
