"""Optimizers refuse bad hyperparameters when built, bad learning rates at each step, and any
step whose gradient, update or state would be NaN or infinite, changing nothing then."""
from __future__ import annotations

import math

import pytest

from autograd_mini import Value
from nn import SGD, Adam, ConjugateGradient, Rprop
from nn.optim import LearningRateError, NonFiniteUpdate

nan, inf = math.nan, math.inf


def make(optimizer, **options):
    return optimizer([Value(1.0), Value(-2.0)], **options)


@pytest.mark.parametrize("optimizer, options, argument", [
    (SGD, {"lr": inf}, "lr"),
    (SGD, {"lr": nan}, "lr"),
    (SGD, {"lr": -0.1}, "lr"),
    (SGD, {"lr": 10 ** 400}, "lr"),             # an int too large for a float
    (SGD, {"momentum": -0.5}, "momentum"),
    (SGD, {"momentum": nan}, "momentum"),
    (SGD, {"momentum": inf}, "momentum"),
    (SGD, {"dampening": nan}, "dampening"),
    (SGD, {"dampening": -0.1}, "dampening"),
    (SGD, {"dampening": 1.5}, "dampening"),
    (SGD, {"weight_decay": inf}, "weight_decay"),
    (SGD, {"weight_decay": -1e-4}, "weight_decay"),
    (Adam, {"lr": inf}, "lr"),
    (Adam, {"betas": (1.0, 0.999)}, r"betas\[0\]"),
    (Adam, {"betas": (-0.1, 0.999)}, r"betas\[0\]"),
    (Adam, {"betas": (0.9, nan)}, r"betas\[1\]"),
    (Adam, {"betas": (0.9,)}, "betas"),
    (Adam, {"betas": (0.9, 0.99, 0.999)}, "betas"),
    (Adam, {"eps": nan}, "eps"),
    (Adam, {"eps": inf}, "eps"),
    (Adam, {"eps": -1e-8}, "eps"),
    (Adam, {"weight_decay": inf}, "weight_decay"),
    (Adam, {"weight_decay": nan}, "weight_decay"),
    (Rprop, {"lr": nan}, "lr"),
    (Rprop, {"etas": (0.5, 1.0)}, r"etas\[1\]"),
    (Rprop, {"etas": (1.0, 1.2)}, r"etas\[0\]"),
    (Rprop, {"etas": (0.0, 1.2)}, r"etas\[0\]"),
    (Rprop, {"etas": (0.5, inf)}, r"etas\[1\]"),
    (Rprop, {"etas": (nan, 1.2)}, r"etas\[0\]"),
    (Rprop, {"step_sizes": (-1, nan)}, r"step_sizes\[0\]"),
    (Rprop, {"step_sizes": (1e-6, nan)}, r"step_sizes\[1\]"),
    (Rprop, {"step_sizes": (1e-6, inf)}, r"step_sizes\[1\]"),
    (Rprop, {"step_sizes": (1.0, 0.5)}, "step_sizes must be .* smallest <= largest"),
    (ConjugateGradient, {"lr": 0.0}, "lr"),
    (ConjugateGradient, {"lr": inf}, "lr"),
    (ConjugateGradient, {"max_eval": 0}, "max_eval"),
    (ConjugateGradient, {"tolerance_grad": nan}, "tolerance_grad"),
    (ConjugateGradient, {"tolerance_grad": -1.0}, "tolerance_grad"),
])
def test_a_bad_hyperparameter_is_a_value_error_naming_optimizer_and_argument(
        optimizer, options, argument):
    with pytest.raises(ValueError, match=rf"^{optimizer.__name__}: {argument}"):
        make(optimizer, **options)


@pytest.mark.parametrize("options", [
    {"lr": 0.1, "momentum": 0.9, "dampening": 0.5, "nesterov": True},
    {"lr": 0.1, "momentum": 0.0, "nesterov": True},
])
def test_nesterov_needs_momentum_and_no_dampening(options):
    with pytest.raises(ValueError, match="SGD: Nesterov momentum needs momentum > 0 and "
                                         "dampening = 0"):
        make(SGD, **options)


@pytest.mark.parametrize("optimizer, options, argument", [
    (SGD, {"lr": "0.1"}, "lr"),
    (SGD, {"lr": True}, "lr"),                  # a bool is not a rate
    (SGD, {"lr": None}, "lr"),
    (SGD, {"momentum": False}, "momentum"),
    (SGD, {"weight_decay": "0"}, "weight_decay"),
    (SGD, {"momentum": 0.9, "nesterov": "yes"}, "nesterov"),
    (SGD, {"momentum": 0.9, "nesterov": 1}, "nesterov"),
    (Adam, {"betas": 0.9}, "betas"),
    (Adam, {"betas": (0.9, "0.999")}, r"betas\[1\]"),
    (Adam, {"eps": None}, "eps"),
    (Adam, {"decoupled_weight_decay": "False"}, "decoupled_weight_decay"),
    (Rprop, {"etas": None}, "etas"),
    (Rprop, {"step_sizes": (True, 50.0)}, r"step_sizes\[0\]"),
    (ConjugateGradient, {"max_eval": 2.5}, "max_eval"),
    (ConjugateGradient, {"max_eval": True}, "max_eval"),
])
def test_a_hyperparameter_of_the_wrong_type_is_a_type_error(optimizer, options, argument):
    with pytest.raises(TypeError, match=rf"^{optimizer.__name__}: {argument}"):
        make(optimizer, **options)


def test_a_model_instead_of_its_parameters_is_a_type_error_saying_what_to_pass():
    with pytest.raises(TypeError, match=r"pass model.parameters\(\)"):
        SGD(3.0)


def test_numpy_numbers_are_accepted_as_hyperparameters():
    np = pytest.importorskip("numpy")
    p = Value(1.0)
    p.grad = 0.5
    optimizer = SGD([p], lr=np.float32(0.25), momentum=np.float64(0.5),
                    nesterov=np.bool_(True))
    optimizer.step()
    assert p.data == 1.0 - 0.25 * (0.5 + 0.5 * 0.5)
    assert ConjugateGradient([p], max_eval=np.int64(5)).max_eval == 5


@pytest.mark.parametrize("rate, error, wanted", [
    (nan, LearningRateError, "a finite number >= 0"),
    (-0.01, LearningRateError, "a finite number >= 0"),
    (inf, LearningRateError, "a finite number >= 0"),
    ("0.1", TypeError, "a number"),
])
def test_a_schedule_value_is_checked_at_each_step_and_a_bad_one_changes_nothing(
        rate, error, wanted):
    p = Value(1.0)
    optimizer = SGD([p], lr=lambda step: 0.1 if step < 2 else rate, momentum=0.9)
    for _ in range(2):
        p.grad = 1.0
        optimizer.step()
    data, velocity = p.data, list(optimizer.velocity)
    with pytest.raises(error, match=rf"SGD: the learning-rate schedule returned .* at step 2; "
                                    rf"it must return {wanted}"):
        optimizer.step()
    assert (p.data, optimizer.velocity, optimizer.steps) == (data, velocity, 2)


def test_an_lr_reassigned_to_nan_is_refused_at_the_next_step():
    p = Value(1.0)
    optimizer = Adam([p], lr=0.1)
    optimizer.lr = nan
    p.grad = 1.0
    with pytest.raises(LearningRateError, match="Adam: lr must be a finite number >= 0, got "
                                                "nan"):
        optimizer.step()
    assert (p.data, optimizer.steps, optimizer.first_moment) == (1.0, 0, [None])


def snapshot(optimizer):
    """Everything a step may change: parameters, gradients and the optimizer's attributes."""
    state = {k: (list(v) if isinstance(v, list) else v) for k, v in vars(optimizer).items()
             if k != "params"}
    return [(p.data, p.grad) for p in optimizer.params], state


def stepped(optimizer_class, grads, data=(1.0, -2.0), **options):
    """An optimizer over Values at `data` after one successful step with small gradients,
    then given `grads`."""
    params = [Value(x, allow_nonfinite=True) for x in data]  # given NaN gradients below
    optimizer = optimizer_class(params, **options)
    for p in params:
        p.grad = 1e-3
    optimizer.step()
    for p, g in zip(params, grads):
        p.grad = g
    return optimizer


@pytest.mark.parametrize("optimizer_class, grads, options", [
    (SGD, [0.5, nan], {"lr": 0.1}),
    (SGD, [inf, 0.5], {"lr": 0.1, "momentum": 0.9}),
    (Adam, [nan, 0.5], {"lr": 0.1}),
    (Rprop, [0.5, -inf], {"lr": 0.1}),
])
def test_a_non_finite_gradient_is_refused_and_changes_nothing(optimizer_class, grads, options):
    optimizer = stepped(optimizer_class, grads, **options)
    before = snapshot(optimizer)
    with pytest.raises(NonFiniteUpdate, match=rf"{optimizer_class.__name__}.step: parameter "
                                              rf"\d has gradient (nan|inf|-inf); nothing was "
                                              rf"changed"):
        optimizer.step()
    assert snapshot(optimizer) == before


@pytest.mark.parametrize("optimizer_class, grads, data, options", [
    # lr 1e300 times a gradient of 1e10 overflows the second parameter only
    (SGD, [1e-3, 1e10], (1.0, -2.0), {"lr": 1e300}),
    (SGD, [1e-3, 1e200], (1.0, -2.0), {"lr": 1e200, "momentum": 0.9}),
    # the first step takes the weight to -1e306; decay times that overflows the second
    (SGD, [1e-3, 1e-3], (1.0, 1e297), {"lr": 0.1, "weight_decay": 1e10}),
    # Adam's step is about lr, but g * g overflows the second moment
    (Adam, [1e-3, 1e200], (1.0, -2.0), {"lr": 0.1}),
    # the step size grows from 1 to 1e308 as the gradient keeps its sign
    (Rprop, [1.0, 1.0], (1.0, -1.7e308),
     {"lr": 1.0, "etas": (0.5, 1e308), "step_sizes": (0.0, 1.7e308)}),
])
def test_an_update_that_would_overflow_is_refused_and_changes_nothing(
        optimizer_class, grads, data, options):
    optimizer = stepped(optimizer_class, grads, data, **options)
    before = snapshot(optimizer)
    with pytest.raises(NonFiniteUpdate, match=rf"{optimizer_class.__name__}.step: the "
                                              rf"(update|optimizer's state) .* nothing was "
                                              rf"changed"):
        optimizer.step()
    assert snapshot(optimizer) == before
    assert all(math.isfinite(p.data) for p in optimizer.params)


def test_after_a_refused_step_the_next_step_is_as_if_it_never_happened():
    params = [Value(1.0), Value(-2.0)]
    optimizer = SGD(params, lr=lambda step: 1e300 if step == 1 else 0.1, momentum=0.9)
    reference_params = [Value(1.0), Value(-2.0)]
    reference = SGD(reference_params, lr=0.1, momentum=0.9)
    for ps, opt in ((params, optimizer), (reference_params, reference)):
        for p in ps:
            p.grad = 0.5
        opt.step()
    for p in params:
        p.grad = 1e10
    with pytest.raises(NonFiniteUpdate):
        optimizer.step()          # step 1: lr 1e300 times 1e10 overflows
    optimizer.lr = 0.1
    for ps, opt in ((params, optimizer), (reference_params, reference)):
        for p in ps:
            p.grad = 0.25
        opt.step()
    assert [p.data for p in params] == [p.data for p in reference_params]


def test_adam_with_eps_0_leaves_a_parameter_with_zero_gradient_where_it_is():
    # PyTorch computes 0 / (0 + 0) = NaN here; a zero gradient should not move a weight
    moving, still = Value(1.0), Value(-2.0)
    optimizer = Adam([moving, still], lr=0.1, eps=0.0)
    moving.grad, still.grad = 0.5, 0.0
    optimizer.step()
    assert (moving.data, still.data) == (pytest.approx(0.9), -2.0)


def test_a_gradient_built_with_create_graph_is_stepped_on_by_its_value():
    p = Value(3.0)
    (p * p).backward(create_graph=True)   # p.grad is the Value 6
    SGD([p], lr=0.1).step()
    assert p.data == pytest.approx(3.0 - 0.6) and isinstance(p.data, float)


def test_a_gradient_that_is_not_a_number_is_a_type_error():
    p = Value(1.0)
    with pytest.raises(TypeError, match=r"a Value.grad = '0.5': a str is not a number"):
        p.grad = "0.5"  # refused at the assignment, before any optimizer sees it
    p._grad = "0.5"  # past the check: the optimizer still refuses it
    with pytest.raises(TypeError, match=r"SGD.step: parameter 0 has .grad '0.5'"):
        SGD([p], lr=0.1).step()


def test_conjugate_gradient_refuses_a_non_finite_gradient_from_the_closure():
    x = Value(1.0, allow_nonfinite=True)
    optimizer = ConjugateGradient([x])

    def closure():
        x.grad = nan
        return x * 1.0

    with pytest.raises(NonFiniteUpdate, match="ConjugateGradient.step: parameter 0 has "
                                              "gradient nan"):
        optimizer.step(closure)
    assert (x.data, optimizer.steps) == (1.0, 0)


def test_conjugate_gradient_treats_an_overflowing_trial_point_as_too_far():
    # f(x) = x from x = -1e308: the first trial step, lr = 1e308 downhill, leaves the floats
    x = Value(-1e308)
    optimizer = ConjugateGradient([x], lr=1e308)

    def closure():
        optimizer.zero_grad()
        loss = x * 1.0
        loss.backward()
        return loss

    optimizer.step(closure)
    assert -math.inf < x.data <= -1e308
