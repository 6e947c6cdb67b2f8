"""A parameter whose grad is None (`x.grad = None`, `zero_grad(set_to_none=True)`) is skipped
by step() with PyTorch's per-parameter semantics: its state is made on its own first step
with a gradient, counts its own steps, and is left alone while it is skipped.

The references below are PyTorch's per-parameter algorithms on plain floats, following
the pseudo-code of the torch.optim docs, with each operation in the order nn/optim.py
(and PyTorch's single-tensor kernels) evaluate it, so the numbers must agree bit for bit.
"""
from __future__ import annotations

import copy
import math
import pickle

import pytest

from autograd_mini import Value
from nn import SGD, Adam, NonFiniteUpdate, Rprop

# per step, the gradients of the two parameters; None: skipped that step
GRADS = [(0.3, None), (-0.7, None), (None, 1.1), (0.2, -0.4), (0.6, 0.9), (None, -0.35),
         (-0.15, 0.05), (0.45, 0.8)]
START = (1.0, -2.0)


class SGDReference:
    """torch.optim.SGD for one parameter: the momentum buffer is made on the parameter's
    first step with a gradient, as that gradient (no dampening), then
    b = momentum b + (1 - dampening) g."""

    def __init__(self, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
        self.momentum, self.dampening = momentum, dampening
        self.weight_decay, self.nesterov = weight_decay, nesterov
        self.state = {}

    def step(self, x, g, lr):
        if self.weight_decay:
            g = g + self.weight_decay * x
        if self.momentum:  # PyTorch stores momentum_buffer None without momentum; we omit it
            b = self.state.get("momentum_buffer")
            b = g if b is None else self.momentum * b + (1 - self.dampening) * g
            self.state["momentum_buffer"] = b
            g = g + self.momentum * b if self.nesterov else b
        return x - lr * g


class AdamReference:
    """torch.optim.Adam / AdamW for one parameter: step, exp_avg and exp_avg_sq start at 0
    on the parameter's first step; the bias corrections use its own step count. The first
    moment is the docs' b1 m + (1 - b1) g (PyTorch's kernel writes it as a lerp)."""

    def __init__(self, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 decoupled_weight_decay=False):
        self.beta1, self.beta2 = betas
        self.eps, self.weight_decay, self.decoupled = eps, weight_decay, decoupled_weight_decay
        self.state = {}

    def step(self, x, g, lr):
        if not self.state:
            self.state = {"step": 0, "exp_avg": 0.0, "exp_avg_sq": 0.0}
        state, beta1, beta2 = self.state, self.beta1, self.beta2
        state["step"] += 1
        if self.decoupled:
            x *= 1 - lr * self.weight_decay
        elif self.weight_decay:
            g = g + self.weight_decay * x
        m = state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * g
        v = state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * g * g
        # PyTorch's order: lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
        step_size = lr / (1 - beta1 ** state["step"])
        denominator = math.sqrt(v) / math.sqrt(1 - beta2 ** state["step"]) + self.eps
        return x - step_size * m / denominator


class RpropReference:
    """torch.optim.Rprop for one parameter: on its first step prev = 0 and step_size = the
    lr of that step. The step size is clamped to step_sizes on every step, as PyTorch's
    kernel does (the docs' pseudo-code clamps only after a change)."""

    def __init__(self, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0)):
        (self.eta_minus, self.eta_plus), (self.smallest, self.largest) = etas, step_sizes
        self.state = {}

    def step(self, x, g, lr):
        if not self.state:
            self.state = {"step_size": lr, "prev": 0.0}
        size, prev = self.state["step_size"], self.state["prev"]
        if g * prev > 0:
            size *= self.eta_plus
        elif g * prev < 0:
            size *= self.eta_minus
            g = 0.0
        size = min(max(size, self.smallest), self.largest)
        self.state = {"step_size": size, "prev": g}
        return x - size if g > 0 else x + size if g < 0 else x


# our per-parameter attributes under PyTorch's state names
TORCH_NAMES = {
    SGD: {"velocity": "momentum_buffer"},
    Adam: {"parameter_steps": "step", "first_moment": "exp_avg", "second_moment": "exp_avg_sq"},
    Rprop: {"step_size": "step_size", "previous": "prev"},
}


def state_of(optimizer, i: int) -> dict:
    """Parameter i's state as PyTorch names it; {} before its first step."""
    names = TORCH_NAMES[type(optimizer)]
    assert set(names) == set(optimizer.per_parameter)
    entries = {torch: getattr(optimizer, ours)[i] for ours, torch in names.items()}
    return {} if all(x is None for x in entries.values()) else entries


def rate(lr, step: int) -> float:
    return lr(step) if callable(lr) else lr


def trajectory(optimizer, params, grads=GRADS) -> list:
    """Each step's parameters and their state, after setting the grads and stepping."""
    seen = []
    for row in grads:
        for p, g in zip(params, row):
            p.grad = g
        optimizer.step()
        seen.append([(p.data, state_of(optimizer, i)) for i, p in enumerate(params)])
    return seen


def reference_trajectory(references, lr, grads=GRADS, start=START) -> list:
    xs, seen = list(start), []
    for step, row in enumerate(grads):
        xs = [x if g is None else reference.step(x, g, rate(lr, step))
              for x, g, reference in zip(xs, row, references)]
        seen.append([(x, dict(reference.state)) for x, reference in zip(xs, references)])
    return seen


def assert_matches(optimizer_class, reference_class, lr, options):
    params = [Value(x) for x in START]
    ours = trajectory(optimizer_class(params, lr=lr, **options), params)
    expected = reference_trajectory([reference_class(**options) for _ in START], lr)
    assert ours == expected


@pytest.mark.parametrize("options", [
    {},
    {"momentum": 0.9},
    {"momentum": 0.9, "dampening": 0.25},
    {"momentum": 0.8, "dampening": 0.5, "weight_decay": 0.01},
    {"momentum": 0.9, "nesterov": True, "weight_decay": 0.05},
], ids=["plain", "momentum", "dampening", "dampening-decay", "nesterov-decay"])
@pytest.mark.parametrize("lr", [0.1, lambda step: 0.2 / (1 + step)], ids=["lr", "schedule"])
def test_sgd_keeps_pytorchs_momentum_buffer_per_parameter(lr, options):
    assert_matches(SGD, SGDReference, lr, options)


@pytest.mark.parametrize("options", [
    {},
    {"betas": (0.8, 0.99), "eps": 1e-6},
    {"weight_decay": 0.1},
    {"weight_decay": 0.1, "decoupled_weight_decay": True},
], ids=["plain", "betas", "l2-decay", "adamw"])
@pytest.mark.parametrize("lr", [0.01, lambda step: 0.02 / (1 + step)], ids=["lr", "schedule"])
def test_adam_counts_steps_and_moments_per_parameter(lr, options):
    assert_matches(Adam, AdamReference, lr, options)


@pytest.mark.parametrize("options", [
    {},
    {"etas": (0.3, 1.5), "step_sizes": (0.004, 0.05)},
], ids=["default", "clamped"])
@pytest.mark.parametrize("lr", [0.01, lambda step: 0.02 / (1 + step)], ids=["lr", "schedule"])
def test_rprop_starts_each_step_size_at_the_lr_of_that_parameters_first_step(lr, options):
    assert_matches(Rprop, RpropReference, lr, options)


OPTIMIZERS = [
    lambda params: SGD(params, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.1),
    lambda params: SGD(params, lr=0.1, momentum=0.9, nesterov=True),
    lambda params: Adam(params, lr=0.1, weight_decay=0.1),
    lambda params: Adam(params, lr=0.1, weight_decay=0.1, decoupled_weight_decay=True),
    lambda params: Rprop(params, lr=0.1),
]
OPTIMIZER_IDS = ["SGD-dampening-decay", "SGD-nesterov", "Adam", "AdamW", "Rprop"]


@pytest.mark.parametrize("make", OPTIMIZERS, ids=OPTIMIZER_IDS)
def test_a_parameter_whose_grad_is_always_none_never_changes_and_has_no_state(make):
    used, unused = Value(1.0), Value(-2.0)
    optimizer = make([used, unused])
    for g in (0.5, -0.25, 0.75):
        used.grad, unused.grad = g, None
        optimizer.step()
        assert unused.data == -2.0 and unused.grad is None
        assert state_of(optimizer, 1) == {} and state_of(optimizer, 0) != {}


@pytest.mark.parametrize("make", OPTIMIZERS, ids=OPTIMIZER_IDS)
def test_a_skipped_step_leaves_the_state_alone_and_the_next_step_continues_from_it(make):
    # `late` is skipped on the first step and the third: it must move exactly as a
    # parameter given only its two gradients, and the third step must not touch its state
    late, other = Value(0.5), Value(-1.0)
    alone = Value(0.5)
    optimizer, reference = make([late, other]), make([alone])
    for late_grad, other_grad in [(None, 0.2), (0.4, 0.1), (None, -0.3), (-0.6, 0.7)]:
        late.grad, other.grad = late_grad, other_grad
        state = state_of(optimizer, 0)
        optimizer.step()
        if late_grad is None:
            assert state_of(optimizer, 0) == state and late.data == alone.data
        else:
            alone.grad = late_grad
            reference.step()
            assert (late.data, state_of(optimizer, 0)) == (alone.data, state_of(reference, 0))


@pytest.mark.parametrize("clone", [copy.deepcopy, lambda x: pickle.loads(pickle.dumps(x))],
                         ids=["deepcopy", "pickle"])
def test_a_copied_optimizer_keeps_which_parameters_have_not_started(clone):
    # copied after two steps in which the second parameter was skipped
    params = [Value(x) for x in START]
    optimizer = Adam(params, lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)
    trajectory(optimizer, params, GRADS[:2])
    twin = clone(optimizer)
    ours = trajectory(twin, twin.params, GRADS[2:])
    expected = reference_trajectory([AdamReference(weight_decay=0.1, decoupled_weight_decay=True)
                                     for _ in START], 0.01)
    assert ours == expected[2:]


def test_a_refused_update_names_the_parameter_by_its_place_among_all():
    skipped, steep = Value(1.0), Value(1.0)
    optimizer = SGD([skipped, steep], lr=1e300)
    skipped.grad, steep.grad = None, 1e10
    with pytest.raises(NonFiniteUpdate, match="would make parameter 1 -inf"):
        optimizer.step()


def test_a_non_finite_gradient_names_the_parameter_by_its_place_among_all():
    skipped, broken = Value(1.0), Value(1.0, allow_nonfinite=True)
    optimizer = Adam([skipped, broken], lr=0.1)
    skipped.grad, broken.grad = None, math.nan
    with pytest.raises(NonFiniteUpdate, match="parameter 1 has gradient nan"):
        optimizer.step()
