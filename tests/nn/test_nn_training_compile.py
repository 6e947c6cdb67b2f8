"""fit(compile=...): a program compiled from one sample gives eager's history and
parameters (bit for bit here; the promise is 1e-12), its errors, and a check mode that
catches a model whose graph depends on the data."""
from __future__ import annotations

import pytest

import nn._compiled
from autograd_mini import Value
from nn import (MLP, SGD, Adam, ConjugateGradient, binary_cross_entropy_with_logits,
                cross_entropy, fit, hinge_loss, mse_loss)
from nn.datasets import make_moons, spiral
from nn.training import CompileMismatch, TrainingDiverged


def train(compile, make_model, make_optimizer, X, y, **options):
    model = make_model()
    history = fit(model, X, y, optimizer=make_optimizer(model.parameters()), progress=False,
                  compile=compile, **options)
    return history, model.state_dict()


def assert_same_training(*args, **options):
    eager_history, eager_state = train(False, *args, **options)
    history, state = train(True, *args, **options)
    for record, expected in zip(history, eager_history):
        assert record["accuracy"] == expected["accuracy"]
        assert record["loss"] == pytest.approx(expected["loss"], rel=1e-12, abs=1e-300)
    assert len(history) == len(eager_history)
    assert state == eager_state  # and in fact every number is the same


def test_micrograd_demo_setup_trains_as_eager():
    # hinge loss on 0/1 labels (mapped to -1/+1 by the loss), momentum, a schedule, and 25
    # samples in batches of 10: batches of 10 and of 5 replayed per sample
    X, y = make_moons(25, noise=0.1, seed=0)
    assert_same_training(lambda: MLP(2, [8, 8, 1], activation="relu", seed=0),
                         lambda p: SGD(p, lr=lambda step: 0.1 - 0.001 * step, momentum=0.9),
                         X, y, loss=hinge_loss, epochs=6, batch_size=10)


def test_cross_entropy_over_several_logits_trains_as_eager():
    X, y = spiral(30, classes=3, seed=0)
    assert_same_training(lambda: MLP(2, [8, 3], seed=0), lambda p: Adam(p, lr=0.05), X, y,
                         loss=cross_entropy, epochs=5, batch_size=7)


def test_logistic_loss_branches_are_decided_eagerly_every_step():
    X, y = make_moons(20, noise=0.2, seed=2)
    assert_same_training(lambda: MLP(2, [6, 1], activation="gelu", seed=1),
                         lambda p: Adam(p, lr=0.1), X, y,
                         loss=binary_cross_entropy_with_logits, epochs=8, batch_size=5)


def test_regression_on_single_numbers_with_a_line_search_trains_as_eager():
    X = [-1.0 + 0.2 * i for i in range(11)]  # samples that are numbers, not lists
    y = [x * x for x in X]
    assert_same_training(lambda: MLP(1, [5, 1], activation="silu", seed=0),
                         lambda p: ConjugateGradient(p), X, y, loss=mse_loss, epochs=4)


def test_the_default_compiles_nn_models_once_from_one_sample(monkeypatch):
    captured = []

    def counting(*args, **options):
        captured.append(len(args[0]))  # the outputs: one per sample captured
        return compile_graph(*args, **options)
    compile_graph = nn._compiled.compile_batched
    monkeypatch.setattr(nn._compiled, "compile_batched", counting)
    X, y = make_moons(25, noise=0.1, seed=0)
    model = MLP(2, [4, 1], seed=0)
    fit(model, X, y, loss=hinge_loss, epochs=3, batch_size=10, progress=False)
    assert captured == [1]  # one batched program, for batches of 10 and of 5


def data_dependent_model(parameters: list[Value]):
    """A model that runs a Python `if` on a value: its graph depends on the data."""
    w, b = parameters

    def model(x):
        return w * x[0] + b if x[0] > 0 else w * x[0] - b
    return model


def test_a_model_that_branches_on_data_is_caught_by_the_check_mode():
    parameters = [Value(0.5), Value(0.1)]
    X, y = [[1.0], [-1.0], [2.0], [-2.0]], [1.0, -1.0, 2.0, -2.0]
    with pytest.raises(CompileMismatch) as caught:
        fit(data_dependent_model(parameters), X, y, optimizer=SGD(parameters, lr=0.1),
            epochs=3, batch_size=1, shuffle_seed=None, progress=False, compile=2)
    error = caught.value
    assert (error.epoch, error.step) == (1, 2)  # the second step: the second sample
    assert "compiled but" in str(error) and "jax.jit" in str(error)


def test_other_models_run_eagerly_by_default_so_their_branches_are_right():
    X, y = [[1.0], [-1.0], [2.0], [-2.0]], [1.0, -1.0, 2.0, -2.0]

    def run(compile):
        parameters = [Value(0.5), Value(0.1)]
        history = fit(data_dependent_model(parameters), X, y, optimizer=SGD(parameters, lr=0.1),
                      epochs=3, batch_size=1, shuffle_seed=None, progress=False,
                      compile=compile)
        return history, [p.data for p in parameters]
    assert run(None) == run(False) != run(True)  # compiled, it replays the first branch


def test_divergence_stops_compiled_training_as_it_stops_eager_training():
    X, y = make_moons(40, noise=0.1, seed=0)
    messages = []
    for compile in (False, True):
        model = MLP(2, [8, 1], seed=0)
        with pytest.raises(TrainingDiverged) as caught:
            fit(model, X, y, optimizer=SGD(model.parameters(), lr=1e300), epochs=5,
                batch_size=10, progress=False, compile=compile)
        messages.append((str(caught.value), caught.value.step))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("compile, error", [(0, ValueError), (-3, ValueError),
                                            ("yes", TypeError)])
def test_compile_takes_a_bool_or_a_positive_count(compile, error):
    model = MLP(2, [2, 1], seed=0)
    with pytest.raises(error, match="fit: compile"):
        fit(model, [[0.0, 1.0]], [1.0], epochs=1, progress=False, compile=compile)


def test_a_loss_reading_the_outputs_out_of_order_trains_bit_for_bit_as_eager():
    """The compiled gradients are added in the order eager's backward meets the outputs:
    a loss that reads output 2 before outputs 0 and 1 changes that order (14 of 47
    parameters differed in the last bit when the program kept the model's order)."""
    import struct
    from nn import MLP, SGD, fit
    from nn.datasets import make_moons
    X, y = make_moons(40, noise=0.1, seed=0)

    def out_of_order(p, t):
        return (p[2] - t) * (p[2] - t) + p[0] * p[0] * 0.5 + p[1] * 0.25

    def trained(compile):
        model = MLP(2, [4, 4, 3], seed=0)
        fit(model, X, y, loss=out_of_order, optimizer=SGD(model.parameters(), lr=0.05),
            epochs=3, batch_size=8, compile=compile, progress=False)
        return [struct.pack("<d", p.data) for p in model.parameters()]

    assert trained(True) == trained(False)
