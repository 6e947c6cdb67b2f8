"""PyTorch's habits: `x.grad = None` (set_to_none), zero_grad(set_to_none=True) on nodes,
modules and optimizers, and checked assignment of .data and .grad."""
from __future__ import annotations

import copy
import gc
import math
import pickle
import tracemalloc

import pytest

from autograd_mini import NonFiniteGradientError, Value, compile_graph
from nn import MLP, SGD, Adam, Rprop, ConjugateGradient, fit, mse_loss
from nn.datasets import xor


def test_a_gradient_set_to_none_reads_none_until_the_next_backward_sets_it():
    x = Value(2.0, label="x")
    x.grad = None
    assert x.grad is None
    (x * 3.0).backward()
    assert x.grad == 3.0  # as if it had been 0.0


def test_a_gradient_set_to_none_shows_as_none_in_repr():
    x = Value(2.0)
    x.grad = None
    assert repr(x) == "Value(data=2.0, grad=None)"


def test_zero_grad_set_to_none_on_a_node_clears_it_and_every_node_below():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    c.backward()
    c.zero_grad(set_to_none=True)
    assert (a.grad, b.grad, c.grad) == (None, None, None)
    c.backward()
    assert (a.grad, b.grad, c.grad) == (2.0, 1.0, 1.0)


def test_zero_grad_still_sets_zeros_by_default():
    a = Value(1.0)
    (a * 5.0).backward()
    a.zero_grad()
    assert a.grad == 0.0


def test_a_failing_backward_leaves_a_none_gradient_none():
    x = Value(0.0)
    x.grad = None
    root = (x + 1.0) * Value(math.inf, allow_nonfinite=True)
    with pytest.raises(NonFiniteGradientError):
        root.backward()
    assert x.grad is None


def test_a_none_gradient_survives_pickle_and_deepcopy():
    x = Value(1.0, label="x")
    x.grad = None
    assert pickle.loads(pickle.dumps(x)).grad is None
    assert copy.deepcopy(x).grad is None


def test_create_graph_sets_a_none_gradient_as_a_value():
    x = Value(3.0)
    x.grad = None
    (x * x).backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == 6.0


@pytest.mark.parametrize("field", ["data", "grad"])
@pytest.mark.parametrize("bad", ["1.0", None.__class__, [1.0], True])
def test_assigning_a_non_number_is_a_type_error_naming_the_value(field, bad):
    x = Value(1.0, label="weight")
    with pytest.raises(TypeError, match=rf"Value 'weight'\.{field} = "):
        setattr(x, field, bad)
    assert (x.data, x.grad) == (1.0, 0.0)


@pytest.mark.parametrize("field", ["data", "grad"])
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_assigning_nan_or_infinity_is_a_value_error_naming_the_value(field, bad):
    x = Value(1.0, label="weight")
    with pytest.raises(ValueError, match=rf"Value 'weight'\.{field} = .*allow_nonfinite=True"):
        setattr(x, field, bad)
    assert (x.data, x.grad) == (1.0, 0.0)


@pytest.mark.parametrize("field", ["data", "grad"])
def test_a_value_made_allowing_nonfinite_numbers_takes_them(field):
    x = Value(1.0, label="x", allow_nonfinite=True)
    setattr(x, field, math.inf)
    assert getattr(x, field) == math.inf
    assert x.label == "x" and x.allows_nonfinite


def test_the_mark_of_allow_nonfinite_survives_relabelling_pickle_and_deepcopy():
    x = Value(1.0, allow_nonfinite=True)
    x.label = "renamed"
    for twin in (x, pickle.loads(pickle.dumps(x)), copy.deepcopy(x)):
        assert twin.allows_nonfinite and twin.label == "renamed"
        twin.data = math.nan


def test_ints_are_taken_as_floats():
    x = Value(1.0)
    x.data, x.grad = 3, 4
    assert (x.data, x.grad) == (3.0, 4.0)
    assert x.data.__class__ is float and x.grad.__class__ is float


def test_the_mark_of_allow_nonfinite_costs_no_memory_per_node():
    def bytes_per_leaf(**options):
        # the least of three, with the collector off: a collection (or another test's
        # garbage) in the middle of one measure must not decide it
        sizes = []
        gc.collect()
        gc.disable()
        try:
            for _ in range(3):
                tracemalloc.start()
                leaves = [Value(1.0, **options) for _ in range(2000)]
                sizes.append(tracemalloc.get_traced_memory()[0])
                tracemalloc.stop()
                del leaves
        finally:
            gc.enable()
        return min(sizes) / 2000
    assert bytes_per_leaf(allow_nonfinite=True) <= bytes_per_leaf() + 1


def test_module_zero_grad_set_to_none():
    model = MLP(2, [3, 1], seed=0)
    model.zero_grad(set_to_none=True)
    assert all(p.grad is None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_optimizer_zero_grad_set_to_none():
    params = [Value(1.0), Value(2.0)]
    optimizer = SGD(params, lr=0.1)
    optimizer.zero_grad(set_to_none=True)
    assert [p.grad for p in params] == [None, None]


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1, momentum=0.9),
                                  lambda ps: Adam(ps, lr=0.1), lambda ps: Rprop(ps, lr=0.1)])
def test_an_optimizer_skips_a_parameter_whose_grad_is_none(make):
    used, unused = Value(1.0), Value(2.0)
    reference = Value(1.0)
    optimizer, alone = make([used, unused]), make([reference])
    for _ in range(3):
        optimizer.zero_grad(set_to_none=True)
        alone.zero_grad(set_to_none=True)
        (used * used).backward()
        (reference * reference).backward()
        optimizer.step()
        alone.step()
        assert unused.grad is None and unused.data == 2.0
        assert used.data == reference.data  # the same updates as without the other


def test_conjugate_gradient_reads_a_none_gradient_as_zero():
    used, unused = Value(1.0), Value(2.0)
    optimizer = ConjugateGradient([used, unused], lr=0.5)

    def closure():
        optimizer.zero_grad(set_to_none=True)
        loss = (used - 3.0) ** 2
        loss.backward()
        return loss

    optimizer.step(closure)
    assert unused.data == 2.0 and used.data != 1.0


def test_eager_and_compiled_training_give_identical_numbers():
    X, y = xor()
    histories, weights = [], []
    for compiled in (False, True):
        model = MLP(2, [4, 1], seed=1)
        history = fit(model, X, y, loss=mse_loss, optimizer=SGD(model.parameters(), lr=0.1),
                      epochs=5, batch_size=4, compile=compiled, progress=False)
        histories.append([epoch["loss"] for epoch in history])
        weights.append([p.data for p in model.parameters()])
    assert histories[0] == histories[1] and weights[0] == weights[1]


def test_compiled_backward_sets_a_none_gradient_as_eager_does():
    x, y = Value(0.5), Value(-1.5)
    root = (x * y).tanh() + y
    compiled = compile_graph(root, [x, y])
    x.grad = y.grad = None
    compiled.run()
    eager_x, eager_y = Value(0.5), Value(-1.5)
    ((eager_x * eager_y).tanh() + eager_y).backward()
    assert (x.grad, y.grad) == (eager_x.grad, eager_y.grad)
