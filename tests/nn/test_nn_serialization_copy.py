"""copy.deepcopy and pickle of models: the copy computes the same outputs, bit for bit, and
its parameters are its own."""
from __future__ import annotations

import copy
import pickle

import pytest

from nn import MLP, SGD, Layer, Neuron, mse_loss
from nn.modules import ACTIVATIONS

SAMPLES = [[0.5, -1.0], [2.0, 0.25], [-3.0, 1.5]]


def by_pickle(model):
    return pickle.loads(pickle.dumps(model))


def outputs(model) -> list[str]:
    return [model(x).data.hex() for x in SAMPLES]


def trained(activation: str = "tanh") -> MLP:
    model = MLP(2, [4, 3, 1], activation=activation, seed=0)
    optimizer = SGD(model.parameters(), lr=0.05, momentum=0.9)
    for x in SAMPLES:
        model.zero_grad()
        mse_loss(model(x), 1.0).backward()
        optimizer.step()
    return model


@pytest.mark.parametrize("duplicate", [copy.deepcopy, by_pickle], ids=["deepcopy", "pickle"])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_a_copy_computes_the_same_outputs(duplicate, activation):
    model = trained(activation)
    twin = duplicate(model)
    assert type(twin) is MLP and repr(twin) == repr(model)
    assert outputs(twin) == outputs(model)


@pytest.mark.parametrize("duplicate", [copy.deepcopy, by_pickle], ids=["deepcopy", "pickle"])
def test_a_copy_keeps_the_gradients(duplicate):
    model = trained()
    twin = duplicate(model)
    assert [p.grad for p in twin.parameters()] == [p.grad for p in model.parameters()]


@pytest.mark.parametrize("duplicate", [copy.deepcopy, by_pickle], ids=["deepcopy", "pickle"])
def test_a_copy_has_its_own_parameters(duplicate):
    model = trained()
    twin = duplicate(model)
    before = model.state_dict()
    assert not {id(p) for p in twin.parameters()} & {id(p) for p in model.parameters()}
    optimizer = SGD(twin.parameters(), lr=0.5)
    twin.zero_grad()
    mse_loss(twin(SAMPLES[0]), -5.0).backward()
    optimizer.step()
    assert model.state_dict() == before
    assert twin.state_dict() != before


@pytest.mark.parametrize("duplicate", [copy.deepcopy, by_pickle], ids=["deepcopy", "pickle"])
@pytest.mark.parametrize("make", [lambda: Neuron(3, "relu", seed=1), lambda: Layer(3, 2, seed=1)],
                         ids=["Neuron", "Layer"])
def test_neurons_and_layers_copy_too(duplicate, make):
    module = make()
    twin = duplicate(module)
    x = [0.5, -1.0, 2.0]
    expected = module(x)
    got = twin(x)
    if isinstance(expected, list):
        assert [v.data for v in got] == [v.data for v in expected]
    else:
        assert got.data == expected.data
    assert twin.state_dict() == module.state_dict()


def test_a_deep_model_pickles_without_recursion():
    model = MLP(1, [1] * 2000, seed=0)
    twin = by_pickle(model)
    assert twin([0.3]).data == model([0.3]).data


def test_the_model_pickles_in_the_middle_of_training():
    # parameters that are part of a live graph (a loss not yet backpropagated)
    model = trained()
    loss = mse_loss(model(SAMPLES[0]), 1.0)
    twin = by_pickle(model)
    loss.backward()
    assert outputs(twin) == outputs(model)
