"""accuracy(model, X, y): the fraction that the model's outputs under no_grad() get right,
computed through predict, which replays a compiled program for a model declaring a
static graph."""
from __future__ import annotations

import pytest

from autograd_mini import Value, no_grad
from nn import MLP, cross_entropy, hinge_loss
from nn.datasets import make_moons
from nn.training import accuracy, correctness_rule


def eager_accuracy(model, X, y, loss):
    """accuracy as computed by calling the model on each sample under no_grad()."""
    is_correct = correctness_rule(loss, y)
    with no_grad():
        outputs = [model(x) for x in X]
    numbers = [[v.data for v in out] if isinstance(out, list) else out.data for out in outputs]
    return sum(map(is_correct, numbers, y)) / len(y)


X, Y = make_moons(200, noise=0.3, seed=1)


def test_a_static_model_is_scored_by_a_compiled_replay_with_eager_numbers(predict_compiles):
    model = MLP(2, [8, 8, 1], seed=3)  # untrained: some right, some wrong
    found = accuracy(model, X, Y, loss=hinge_loss)
    assert 0.0 < found < 1.0
    assert found == eager_accuracy(model, X, Y, hinge_loss)
    assert predict_compiles == [1]


def test_a_model_with_several_outputs_is_scored_by_its_argmax(predict_compiles):
    model = MLP(2, [6, 3], activation="relu", seed=2)
    labels = [i % 3 for i in range(len(X))]
    found = accuracy(model, X, labels, loss=cross_entropy)
    assert found == eager_accuracy(model, X, labels, cross_entropy)
    assert predict_compiles == [3]


def test_a_model_without_a_static_graph_is_called_under_no_grad(predict_compiles):
    w = Value(0.5)

    def model(x):  # branches on the data: never compiled
        return w * x[0] if x[0] > 0 else w * x[1] - 0.1
    assert accuracy(model, X, Y, loss=hinge_loss) == eager_accuracy(model, X, Y, hinge_loss)
    assert predict_compiles == []


def test_a_model_that_cannot_be_called_is_a_type_error_naming_accuracy():
    with pytest.raises(TypeError, match="accuracy: model must be a model"):
        accuracy(3, X, Y, loss=hinge_loss)
