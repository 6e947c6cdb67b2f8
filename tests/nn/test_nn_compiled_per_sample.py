"""fit(compile=...) compiles the model from ONE sample, as a batched program (the sample's
code in a loop over the batch) with a replay per sample as its slow path: one compile
whatever the batch sizes, and eager's history and parameters bit for bit (every test
also counts what was compiled, so that it checks the path it means to)."""
from __future__ import annotations

import struct

import pytest

import nn._compiled
import nn._per_sample
from autograd_mini import Value
from nn import (MLP, SGD, Adam, ConjugateGradient, Module, binary_cross_entropy_with_logits,
                cross_entropy, fit, hinge_loss, mse_loss)
from nn._compiled import CompiledSteps
from nn.datasets import make_moons, spiral
from nn.training import CompileMismatch

MOONS = make_moons(23, noise=0.1, seed=0)  # 23: every batch size below leaves a partial batch
SPIRAL = spiral(22, classes=3, seed=0)


@pytest.fixture
def compiled(monkeypatch) -> list[tuple[str, int]]:
    """Each program compiled: ("batched" or "per sample", its number of outputs)."""
    found: list[tuple[str, int]] = []

    def counting(module, name, kind):
        compile = getattr(module, name)

        def counted(outputs, *args, **options):
            found.append((kind, len(outputs)))
            return compile(outputs, *args, **options)
        monkeypatch.setattr(module, name, counted)
    counting(nn._compiled, "compile_batched", "batched")
    counting(nn._per_sample, "compile_graph", "per sample")
    return found


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
    assert found == [("batched", 1)]  # one sample's code, for the full batches and the last one


@pytest.mark.parametrize("batch_size", [4, 7, None])
def test_several_logits_with_cross_entropy_train_as_eager(compiled, batch_size):
    found = assert_eager_bit_for_bit(compiled, lambda: MLP(2, [6, 3], seed=0),
                                     lambda p: Adam(p, lr=0.05), SPIRAL, loss=cross_entropy,
                                     epochs=4, batch_size=batch_size)
    assert found == [("batched", 3)]


def test_logistic_loss_and_gelu_train_as_eager(compiled):
    found = assert_eager_bit_for_bit(compiled, lambda: MLP(2, [6, 1], activation="gelu", seed=1),
                                     lambda p: Adam(p, lr=0.1), MOONS,
                                     loss=binary_cross_entropy_with_logits, epochs=5,
                                     batch_size=6)
    assert found == [("batched", 1)]


def test_a_line_search_on_number_samples_trains_as_eager(compiled):
    X = [-1.0 + 0.2 * i for i in range(11)]
    found = assert_eager_bit_for_bit(compiled, lambda: MLP(1, [5, 1], activation="silu", seed=0),
                                     ConjugateGradient, (X, [x * x for x in X]), loss=mse_loss,
                                     epochs=4)
    assert found == [("batched", 1)]


def out_of_order(p, t):
    """A loss that reads outputs 2 then 0, after output 1 for class 1 (and not at all for
    class 0)."""
    rest = (p[2] - t) * (p[2] - t) + p[0] * p[0] * 0.5
    return p[1] * 0.25 + rest if t == 1 else rest


def test_each_sample_adds_its_gradients_in_the_order_its_loss_reads_its_outputs(compiled):
    found = assert_eager_bit_for_bit(compiled, lambda: MLP(2, [4, 4, 3], seed=0),
                                     lambda p: SGD(p, lr=0.05), MOONS, loss=out_of_order,
                                     epochs=3, batch_size=8)
    # the model's order for the first forward pass; a batch whose samples' losses read their
    # outputs in different orders takes the slow path, a sample at a time, for its backward
    assert found[0] == ("batched", 3) and found[1] == ("per sample", 3)


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
    assert found == [("batched", 1)]  # its running sums are the program's own


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
    assert compiled == [("batched", 1)]


def test_the_check_mode_finds_per_sample_steps_equal_to_eager_ones(compiled):
    # compile=2: every second step is also run eagerly, and CompileMismatch if they differ
    model_and_optimizer = (lambda: MLP(2, [4, 1], seed=0), lambda p: SGD(p, lr=0.1))
    checked = trained(2, *model_and_optimizer, MOONS, loss=hinge_loss, epochs=2, batch_size=5)
    assert checked == trained(False, *model_and_optimizer, MOONS, loss=hinge_loss, epochs=2,
                              batch_size=5)
    assert compiled == [("batched", 1)]


def test_the_check_mode_catches_a_branch_on_the_data_within_a_batch(compiled):
    w, b = Value(0.5), Value(0.1)

    def model(x):  # a Python `if` on a value: the graph of the first sample is replayed
        return w * x[0] + b if x[0] > 0 else w * x[0] - b
    X, y = [[1.0], [-1.0], [2.0], [-2.0]], [1.0, -1.0, 2.0, -2.0]
    with pytest.raises(CompileMismatch) as caught:
        fit(model, X, y, optimizer=SGD([w, b], lr=0.1), epochs=2, batch_size=4,
            shuffle_seed=None, progress=False, compile=1)
    assert (caught.value.epoch, caught.value.step) == (1, 1)
    assert compiled == [("batched", 1)]


@pytest.fixture
def slow_path(monkeypatch, compiled) -> list[tuple[str, int]]:
    """Every batch's backward passes replayed a sample at a time (the path of a batch
    that met a NaN or an error)."""
    monkeypatch.setattr(nn._compiled._BatchReplay, "backward", lambda self, passes: False)
    return compiled


@pytest.mark.parametrize("batch_size", [1, 3, None])
def test_the_slow_path_carries_the_running_sum_of_a_weight_read_twice(slow_path, batch_size):
    found = assert_eager_bit_for_bit(slow_path, SharedWeight, lambda p: SGD(p, lr=0.2),
                                     MOONS, loss=mse_loss, epochs=4, batch_size=batch_size)
    # the output, then a carry node for each of w, v and b
    assert found == [("batched", 1), ("per sample", 1 + 3)]


def test_the_slow_path_adds_to_gradients_that_were_not_zeroed_as_eager_does(slow_path):
    def run(compile):
        model = MLP(2, [5, 1], seed=3)
        fit(model, *MOONS, optimizer=SGD(model.layers[1].parameters(), lr=0.1), epochs=3,
            batch_size=4, progress=False, compile=compile)
        return bits(model), [struct.pack("<d", p.grad) for p in model.parameters()]
    assert run(True) == run(False)
    assert slow_path == [("batched", 1), ("per sample", 1)]


def test_the_slow_path_trains_the_demo_setup_as_eager(slow_path):
    found = assert_eager_bit_for_bit(
        slow_path, lambda: MLP(2, [8, 8, 1], activation="relu", seed=0),
        lambda p: SGD(p, lr=0.05, momentum=0.9), MOONS, loss=hinge_loss, epochs=3, batch_size=5)
    assert found == [("batched", 1), ("per sample", 1)]


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
    assert steps.replay is None and compiled == [("batched", 1)]


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
    # the slope 0.5 / sqrt(0) fails in the batched program: a replay per sample raises
    assert compiled == [("batched", 1), ("per sample", 1)]
