"""fit(compile=...) compiles the model from ONE sample and replays it per sample: one
compile whatever the batch sizes, and eager's history and parameters bit for bit (every
test also counts what was compiled, so that it checks the per-sample replay itself)."""
from __future__ import annotations

import struct

import pytest

import nn._compiled
from autograd_mini import Value
from nn import (MLP, SGD, Adam, ConjugateGradient, Module, binary_cross_entropy_with_logits,
                cross_entropy, fit, hinge_loss, mse_loss)
from nn._compiled import CompiledSteps
from nn.datasets import make_moons, spiral
from nn.training import CompileMismatch

MOONS = make_moons(23, noise=0.1, seed=0)  # 23: every batch size below leaves a partial batch
SPIRAL = spiral(22, classes=3, seed=0)


@pytest.fixture
def compiled(monkeypatch) -> list[int]:
    """The number of outputs of each program compiled (one per sample captured)."""
    sizes: list[int] = []
    compile_graph = nn._compiled.compile_graph

    def counting(outputs, *args, **options):
        sizes.append(len(outputs))
        return compile_graph(outputs, *args, **options)
    monkeypatch.setattr(nn._compiled, "compile_graph", counting)
    return sizes


def bits(model) -> list[bytes]:
    return [struct.pack("<d", p.data) for p in model.parameters()]


def trained(compile, make_model, make_optimizer, data, **options):
    model = make_model()
    history = fit(model, *data, optimizer=make_optimizer(model.parameters()), progress=False,
                  compile=compile, **options)
    return history, bits(model)


def assert_eager_bit_for_bit(compiled, *args, **options) -> list[int]:
    """Train eagerly and compiled; the same history and parameter bits. Returns what the
    compiled run compiled."""
    eager = trained(False, *args, **options)
    assert compiled == []
    assert trained(True, *args, **options) == eager
    return list(compiled)


@pytest.mark.parametrize("batch_size", [2, 5, 10, None])
def test_the_micrograd_demo_setup_trains_as_eager_at_every_batch_size(compiled, batch_size):
    found = assert_eager_bit_for_bit(
        compiled, lambda: MLP(2, [8, 8, 1], activation="relu", seed=0),
        lambda p: SGD(p, lr=lambda step: 0.1 - 0.001 * step, momentum=0.9), MOONS,
        loss=hinge_loss, epochs=4, batch_size=batch_size)
    assert found == [1]  # one program of one sample, for the full batches and the last one


@pytest.mark.parametrize("batch_size", [4, 7, None])
def test_several_logits_with_cross_entropy_train_as_eager(compiled, batch_size):
    found = assert_eager_bit_for_bit(compiled, lambda: MLP(2, [6, 3], seed=0),
                                     lambda p: Adam(p, lr=0.05), SPIRAL, loss=cross_entropy,
                                     epochs=4, batch_size=batch_size)
    assert found == [3]


def test_logistic_loss_and_gelu_train_as_eager(compiled):
    found = assert_eager_bit_for_bit(compiled, lambda: MLP(2, [6, 1], activation="gelu", seed=1),
                                     lambda p: Adam(p, lr=0.1), MOONS,
                                     loss=binary_cross_entropy_with_logits, epochs=5,
                                     batch_size=6)
    assert found == [1]


def test_a_line_search_on_number_samples_trains_as_eager(compiled):
    X = [-1.0 + 0.2 * i for i in range(11)]
    found = assert_eager_bit_for_bit(compiled, lambda: MLP(1, [5, 1], activation="silu", seed=0),
                                     ConjugateGradient, (X, [x * x for x in X]), loss=mse_loss,
                                     epochs=4)
    assert found == [1]


def out_of_order(p, t):
    """A loss that reads outputs 2 then 0, after output 1 for class 1 (and not at all for
    class 0)."""
    rest = (p[2] - t) * (p[2] - t) + p[0] * p[0] * 0.5
    return p[1] * 0.25 + rest if t == 1 else rest


def test_each_sample_adds_its_gradients_in_the_order_its_loss_reads_its_outputs(compiled):
    found = assert_eager_bit_for_bit(compiled, lambda: MLP(2, [4, 4, 3], seed=0),
                                     lambda p: SGD(p, lr=0.05), MOONS, loss=out_of_order,
                                     epochs=3, batch_size=8)
    # the model's order, for the forward passes; then the order of each kind of sample
    assert found == [3, 3, 3]


class SharedWeight(Module):
    """A module of your own that reads each parameter more than once per sample."""

    static_graph = True

    def __init__(self) -> None:
        self.w, self.v, self.b = Value(0.3), Value(-0.2), Value(0.1)

    def named_tensors(self) -> dict:
        return {"w": self.w, "v": self.v, "b": self.b}

    def __call__(self, x):
        h = (self.w * x[0] + self.v * x[1]).tanh()
        return (self.w * h + self.b * h * self.w).tanh() * self.v + self.b


@pytest.mark.parametrize("batch_size", [1, 3, None])
def test_a_weight_read_twice_by_each_sample_trains_as_eager(compiled, batch_size):
    found = assert_eager_bit_for_bit(compiled, SharedWeight, lambda p: SGD(p, lr=0.2),
                                     MOONS, loss=mse_loss, epochs=4, batch_size=batch_size)
    assert found == [1 + 3]  # the output, then a carry for each of w, v and b


def test_gradients_that_were_not_zeroed_add_up_as_eager_adds_them(compiled):
    """Eager's backward sets nonzero gradients aside, sums from zero and adds them back:
    here the first layer is not optimized, so its gradients grow from step to step."""
    def run(compile):
        model = MLP(2, [5, 1], seed=3)
        second = model.layers[1].parameters()
        fit(model, *MOONS, optimizer=SGD(second, lr=0.1), epochs=3, batch_size=4,
            progress=False, compile=compile)
        return bits(model), [struct.pack("<d", p.grad) for p in model.parameters()]
    assert run(True) == run(False)
    assert compiled == [1]


def test_the_check_mode_finds_per_sample_steps_equal_to_eager_ones(compiled):
    # compile=2: every second step is also run eagerly, and CompileMismatch if they differ
    model_and_optimizer = (lambda: MLP(2, [4, 1], seed=0), lambda p: SGD(p, lr=0.1))
    checked = trained(2, *model_and_optimizer, MOONS, loss=hinge_loss, epochs=2, batch_size=5)
    assert checked == trained(False, *model_and_optimizer, MOONS, loss=hinge_loss, epochs=2,
                              batch_size=5)
    assert compiled == [1]


def test_the_check_mode_catches_a_branch_on_the_data_within_a_batch(compiled):
    w, b = Value(0.5), Value(0.1)

    def model(x):  # a Python `if` on a value: the graph of the first sample is replayed
        return w * x[0] + b if x[0] > 0 else w * x[0] - b
    X, y = [[1.0], [-1.0], [2.0], [-2.0]], [1.0, -1.0, 2.0, -2.0]
    with pytest.raises(CompileMismatch) as caught:
        fit(model, X, y, optimizer=SGD([w, b], lr=0.1), epochs=2, batch_size=4,
            shuffle_seed=None, progress=False, compile=1)
    assert (caught.value.epoch, caught.value.step) == (1, 1)
    assert compiled == [1]


def test_a_batch_size_that_runs_long_gets_a_program_of_its_own(compiled, monkeypatch):
    monkeypatch.setattr(nn._compiled, "OWN_PROGRAM_STEPS", 6)
    found = assert_eager_bit_for_bit(compiled, lambda: MLP(2, [4, 1], seed=0),
                                     lambda p: SGD(p, lr=0.1), MOONS, loss=hinge_loss, epochs=3,
                                     batch_size=10)
    # 6 steps of 10 samples: the whole batch; 3 of the 3 left over: one sample at a time
    assert found == [10, 1]


def test_a_whole_batch_program_adds_in_the_order_the_loss_reads_the_outputs(compiled,
                                                                            monkeypatch):
    monkeypatch.setattr(nn._compiled, "OWN_PROGRAM_STEPS", 1)
    found = assert_eager_bit_for_bit(compiled, lambda: MLP(2, [4, 4, 3], seed=0),
                                     lambda p: SGD(p, lr=0.05), MOONS, loss=out_of_order,
                                     epochs=2, batch_size=8)
    assert set(found) == {8 * 3, 7 * 3}  # no program of one sample


def test_a_model_that_returns_no_values_runs_eagerly(compiled):
    steps = CompiledSteps()
    assert steps.predictions(lambda x: 0.5 * len(x), [[1.0], [3.0]]) == [0.5, 0.5]
    assert steps.replay is None and compiled == []


def test_a_batch_the_program_cannot_take_runs_eagerly_which_says_what_is_wrong(compiled):
    model = MLP(2, [3, 1], seed=0)
    steps = CompiledSteps()
    steps.predictions(model, [[0.5, 1.0]])
    with pytest.raises(ValueError) as eager:
        model([0.5, 1.0, 2.0])
    with pytest.raises(ValueError) as caught:  # captured with 2 features
        steps.predictions(model, [[0.5, 1.0, 2.0]])
    assert str(caught.value) == str(eager.value)
    assert steps.replay is None and compiled == [1]


class Root(Module):
    """sqrt(w * x): its gradient is infinite at x = 0."""

    static_graph = True

    def __init__(self) -> None:
        self.w = Value(0.5, label="w")

    def named_tensors(self) -> dict:
        return {"w": self.w}

    def __call__(self, x):
        return (self.w * x[0]).sqrt()


def test_a_failing_backward_pass_raises_eagers_error_and_leaves_every_gradient_as_it_was(
        compiled):
    """The second sample's pass adds into w.grad, then the first one's fails: w.grad is
    put back, as eager's failing backward leaves it."""
    messages = []
    for steps in (CompiledSteps(), nn._compiled.EagerSteps()):
        model = Root()
        model.w.grad = 0.25
        predictions = steps.predictions(model, [[0.0], [1.0]])
        with pytest.raises(ValueError) as caught:
            steps.backward((predictions[0] + predictions[1]) / 2)
        messages.append((type(caught.value), str(caught.value)))
        assert model.w.grad == 0.25
    assert messages[0] == messages[1]
    assert compiled == [1]
