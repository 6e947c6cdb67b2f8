"""One rule for every argument nn takes: a wrong kind is a TypeError (a string for a number,
a bool for a number, a float such as 2.0 for a count, a number for a list), a wrong value a
ValueError (a negative count, NaN, a number out of range); the message names the argument."""
from __future__ import annotations

import math

import pytest

from autograd_mini import Value
from nn import (MLP, SGD, Adam, ConjugateGradient, Layer, Neuron, Rprop, cross_entropy, fit,
                l2_penalty, mse_loss)
from nn.datasets import make_circles, make_moons, spiral


def params():
    return [Value(1.0), Value(-2.0)]


WRONG_KINDS = [
    (lambda: MLP(2.0, [1]), "MLP nin"),
    (lambda: MLP(True, [1]), "MLP nin"),
    (lambda: MLP(2, 3), "MLP nouts"),
    (lambda: MLP(2, [4, 2.0]), r"MLP nouts\[1\]"),
    (lambda: MLP(2, [1], seed=1.0), "MLP seed"),
    (lambda: MLP(2, [1], activation=5), "MLP activation"),
    (lambda: MLP(2, [1], output_activation=None), "MLP output_activation"),
    (lambda: Layer(2, 3.0), "Layer nout"),
    (lambda: Layer(2, 3, activation=["tanh"]), "Layer activation"),
    (lambda: Neuron("2"), "Neuron nin"),
    (lambda: Neuron(2, seed=False), "Neuron seed"),
    (lambda: Neuron(2, rng=0), "Neuron rng"),
    (lambda: ConjugateGradient(params(), max_eval=2.0), "ConjugateGradient: max_eval"),
    (lambda: SGD(params(), lr=True), "SGD: lr"),
    (lambda: Adam(params(), betas={0.9, 0.999}), "Adam: betas"),
    (lambda: Rprop(params(), etas="ab"), "Rprop: etas"),
    (lambda: mse_loss([True], [1.0]), r"mse_loss: prediction\[0\]"),
    (lambda: cross_entropy([1.0, 2.0], 1.0), "cross_entropy: target"),
    (lambda: cross_entropy(2.0, 0), "cross_entropy: logits"),
    (lambda: l2_penalty(params(), True), "l2_penalty: lam"),
    (lambda: l2_penalty(params(), 1.0, m=2.0), "l2_penalty: m"),
    (lambda: make_moons(10.0), "make_moons: n"),
    (lambda: make_moons(10, noise=False), "make_moons: noise"),
    (lambda: make_circles(10, seed=0.0), "make_circles: seed"),
    (lambda: make_circles(10, factor=True), "make_circles: factor"),
    (lambda: spiral(10, classes=2.0), "spiral: classes"),
    (lambda: MLP(2, [1]).load_state_dict({"layers.0.weight": [[1.0, False]],
                                          "layers.0.bias": [0.0]}),
     r"load_state_dict: layers.0.weight\[0\]\[1\]"),
    (lambda: MLP(2, [1]).load_state_dict({"layers.0.weight": 1.0, "layers.0.bias": [0.0]}),
     "load_state_dict: layers.0.weight"),
]


@pytest.mark.parametrize("call, argument", WRONG_KINDS)
def test_a_wrong_kind_of_argument_is_a_type_error_naming_it(call, argument):
    with pytest.raises(TypeError, match=rf"^{argument} "):
        call()


WRONG_VALUES = [
    (lambda: MLP(0, [1]), "MLP nin"),
    (lambda: MLP(2, []), "MLP nouts"),
    (lambda: MLP(2, [4, -1]), r"MLP nouts\[1\]"),
    (lambda: MLP(2, [1], activation="swish"), "MLP activation"),
    (lambda: Layer(2, 3, activation="swish"), "Layer activation"),
    (lambda: SGD(params(), lr=-1), "SGD: lr"),
    (lambda: SGD(params(), momentum=math.nan), "SGD: momentum"),
    (lambda: Adam(params(), betas=(0.9,)), "Adam: betas"),
    (lambda: ConjugateGradient(params(), max_eval=-1), "ConjugateGradient: max_eval"),
    (lambda: cross_entropy([1.0, 2.0], -1), "cross_entropy: target"),
    (lambda: l2_penalty(params(), 1.0, m=-2), "l2_penalty: m"),
    (lambda: make_moons(-10), "make_moons: n"),
    (lambda: make_moons(10, noise=-0.5), "make_moons: noise"),
    (lambda: spiral(10, classes=-3), "spiral: classes"),
    (lambda: MLP(2, [1]).load_state_dict({"layers.0.weight": [[1.0]],
                                          "layers.0.bias": [0.0]}),
     r"load_state_dict: layers.0.weight\[0\]"),
]


@pytest.mark.parametrize("call, argument", WRONG_VALUES)
def test_a_wrong_value_is_a_value_error_naming_it(call, argument):
    with pytest.raises(ValueError, match=rf"^{argument}"):
        call()


def test_a_count_given_as_a_float_says_to_pass_an_int():
    with pytest.raises(TypeError, match=r"^MLP nin must be an int >= 1, got 2.0; pass an int$"):
        MLP(2.0, [1])


def test_an_activation_of_the_wrong_kind_lists_the_choices():
    with pytest.raises(TypeError, match=r"^MLP activation must be the name of an activation, "
                                        r"got 5; choose one of tanh, "):
        MLP(2, [1], activation=5)


X, Y = [[0.0, 1.0], [1.0, 0.0]], [0.0, 1.0]


def fit_with(model=None, **options):
    return fit(model or MLP(2, [1], seed=0), X, Y, **{"epochs": 1, "progress": False, **options})


@pytest.mark.parametrize("options, argument", [
    ({"epochs": 2.0}, "epochs"),
    ({"batch_size": True}, "batch_size"),
    ({"compile": 1.5}, "compile"),
    ({"shuffle_seed": 1.5}, "shuffle_seed"),
    ({"progress": "no"}, "progress"),            # a string is truthy: it would show the bar
    ({"metrics": [len]}, "metrics"),
    ({"metrics": {"size": 5}}, r"metrics\['size'\]"),
    ({"callbacks": print}, "callbacks"),          # one function, not a list of them
    ({"callbacks": [None]}, r"callbacks\[0\]"),
    ({"loss": 5}, "loss"),
    ({"optimizer": 0.1}, "optimizer"),
    ({"model": 5}, "model"),
    ({"model": lambda x: x[0]}, "model"),        # no parameters() for the default optimizer
])
def test_a_wrong_kind_of_fit_argument_is_a_type_error_naming_it(options, argument):
    with pytest.raises(TypeError, match=rf"^fit: {argument} "):
        fit_with(**options)


@pytest.mark.parametrize("options, argument", [
    ({"epochs": -1}, "epochs"), ({"batch_size": 0}, "batch_size"), ({"compile": 0}, "compile"),
])
def test_a_wrong_value_of_a_fit_argument_is_a_value_error_naming_it(options, argument):
    with pytest.raises(ValueError, match=rf"^fit: {argument} "):
        fit_with(**options)
