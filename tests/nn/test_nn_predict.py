"""model.predict(X): the model's outputs under no_grad(), to the last bit, as numbers,
through a program compiled from one sample (static models) and kept while the
parameters do not change; no graph is left behind, and two threads may predict at once."""
from __future__ import annotations

import gc
import sys
import threading

import numpy as np
import pytest

from autograd_mini import Value, no_grad
from nn import MLP, SGD, Layer, Module, fit, hinge_loss
from nn.datasets import make_moons
from nn.prediction import COMPILE_FROM, predict

GRID = [[-1.5 + 0.05 * i, -1.0 + 0.1 * j] for i in range(20) for j in range(10)]  # 200 points


def under_no_grad(model, X):
    with no_grad():
        return [numbers(model(x)) for x in X]


def numbers(output):
    return [v.data for v in output] if isinstance(output, list) else output.data


def test_one_output_is_a_float_per_sample_as_the_model_gives_under_no_grad(predict_compiles):
    model = MLP(2, [16, 16, 1], seed=0)
    found = model.predict(GRID)
    assert found == under_no_grad(model, GRID)
    assert all(type(x) is float for x in found)
    assert predict_compiles == [1]


def test_several_outputs_are_lists_of_floats(predict_compiles):
    model = MLP(2, [8, 3], activation="relu", seed=1)
    found = model.predict(GRID)
    assert found == under_no_grad(model, GRID)
    assert all(isinstance(x, list) and len(x) == 3 for x in found)
    layer = Layer(2, 1, seed=2)  # a list of one output stays a list
    assert layer.predict(GRID) == under_no_grad(layer, GRID)
    assert predict_compiles == [3, 1]


def test_numpy_arrays_give_the_same_numbers_as_lists(predict_compiles):
    model = MLP(2, [6, 1], activation="gelu", seed=0)
    assert model.predict(np.array(GRID)) == model.predict(GRID)
    assert model.predict(np.array(GRID, dtype=np.float32)) == model.predict(
        np.array(GRID, dtype=np.float32).tolist())
    assert predict_compiles == [1]  # the program is kept


def test_samples_that_are_numbers(predict_compiles):
    model = MLP(1, [5, 1], activation="tanh", seed=0)
    X = [-2.0 + 0.02 * i for i in range(200)]
    assert model.predict(X) == under_no_grad(model, X)
    assert predict_compiles == [1]


def test_the_program_is_compiled_again_after_training_changes_the_parameters(predict_compiles):
    model = MLP(2, [6, 1], seed=0)
    before = model.predict(GRID)
    X, y = make_moons(20, noise=0.1, seed=0)
    fit(model, X, y, loss=hinge_loss, optimizer=SGD(model.parameters(), lr=0.1), epochs=2,
        progress=False)
    after = model.predict(GRID)
    assert after != before and after == under_no_grad(model, GRID)
    model.predict(GRID)
    assert predict_compiles == [1, 1]  # once per set of parameters


def test_a_short_x_is_run_eagerly_unless_a_program_is_kept(predict_compiles):
    model = MLP(2, [4, 1], seed=0)
    short = GRID[:COMPILE_FROM - 1]
    assert model.predict(short) == under_no_grad(model, short)
    assert predict_compiles == []
    model.predict(GRID)
    assert model.predict(short) == under_no_grad(model, short)
    assert predict_compiles == [1]


def test_predict_builds_no_graph_and_touches_no_gradient(predict_compiles):
    model = MLP(2, [5, 1], seed=0)
    for p in model.parameters():
        p.grad = 0.5
    gc.collect()
    ops_before = count_op_nodes()
    model.predict(GRID)
    model.predict(GRID)
    gc.collect()
    assert count_op_nodes() == ops_before
    assert all(p.grad == 0.5 for p in model.parameters())
    assert predict_compiles == [1]


def count_op_nodes() -> int:
    return sum(1 for obj in gc.get_objects() if isinstance(obj, Value) and obj.parents)


def test_other_models_run_under_no_grad(predict_compiles):
    w = Value(0.5)

    def model(x):  # a function: not declared static, so it may branch on the data
        return w * x[0] if x[0] > 0 else w * x[1]
    assert predict(model, GRID) == under_no_grad(model, GRID)
    assert predict(lambda x: x[0] + x[1], GRID) == [x[0] + x[1] for x in GRID]
    assert predict_compiles == []


def test_inside_no_grad_it_runs_the_model_there(predict_compiles):
    model = MLP(2, [4, 1], seed=0)
    with no_grad():
        found = model.predict(GRID)
    assert found == under_no_grad(model, GRID) and predict_compiles == []


def test_an_empty_x_gives_an_empty_list():
    assert MLP(2, [3, 1], seed=0).predict([]) == []


@pytest.mark.parametrize("X", [
    [[0.0, 1.0], [1.0]],               # ragged
    [[0.0, float("nan")]],             # not finite
    [[0.0, "1"]],                      # not a number
    "01",                              # not a list of samples
    np.array([[0.0, np.inf]]),
])
def test_a_bad_x_gets_the_error_fit_gives_for_it(X):
    model = MLP(2, [3, 1], seed=0)
    with pytest.raises((TypeError, ValueError)) as expected:
        fit(model, X, [0.0] * len(X), epochs=1, progress=False)
    with pytest.raises(type(expected.value)) as caught:
        model.predict(X)
    assert str(caught.value) == str(expected.value).replace("fit: ", "predict: ")


def test_two_threads_predicting_at_once_get_right_answers():
    model = MLP(2, [8, 1], seed=0)
    inputs = [GRID, [[y, x] for x, y in GRID]]
    expected = [under_no_grad(model, X) for X in inputs]
    model.predict(GRID)  # compiled once, then shared by both threads
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    results: list = [[], []]
    try:
        threads = [threading.Thread(target=lambda k=k: results[k].extend(
            model.predict(inputs[k]) for _ in range(10))) for k in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch)
    assert results == [[expected[0]] * 10, [expected[1]] * 10]


class Tied(Module):
    """A module of your own: static, with a weight read twice."""

    static_graph = True

    def __init__(self) -> None:
        self.w, self.b = Value(0.7), Value(-0.1)

    def named_tensors(self) -> dict:
        return {"w": self.w, "b": self.b}

    def __call__(self, x):
        return (self.w * x[0] + self.b).tanh() * self.w + x[1]


def test_a_module_of_your_own_is_compiled_when_it_declares_a_static_graph(predict_compiles):
    model = Tied()
    assert model.predict(GRID) == under_no_grad(model, GRID)
    assert predict_compiles == [1]


class Root(Module):
    """sqrt(w * x[0]): outside its domain for a negative x[0]."""

    static_graph = True

    def __init__(self) -> None:
        super().__init__()
        self.w = Value(2.0)

    def forward(self, x):
        return (self.w * x[0]).sqrt()


@pytest.mark.parametrize("bad", [-1.0, 1e308])  # sqrt of a negative number; w * x overflows
def test_a_row_the_program_cannot_take_gets_eagers_error_under_no_grad(predict_compiles, bad):
    model = Root()
    X = [[0.01 * i] for i in range(100)] + [[bad]]
    with pytest.raises(ValueError) as expected:
        under_no_grad(model, X)
    with pytest.raises(type(expected.value)) as caught:
        model.predict(X)
    assert str(caught.value) == str(expected.value)
    assert model.predict(X[:100]) == under_no_grad(model, X[:100])
    assert predict_compiles == [1]
