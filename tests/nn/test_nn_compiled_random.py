"""Compiled training is eager training, bit for bit, on random setups: MLPs of random
sizes and activations, each built-in loss with its kind of targets, SGD or Adam, any
batch size (a partial last batch included)."""
from __future__ import annotations

import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from nn import MLP, SGD, Adam, fit
from nn.datasets import make_moons, spiral

ACTIVATIONS = ["tanh", "relu", "sigmoid", "leaky_relu", "softplus", "silu", "gelu", "elu"]
# loss name -> (outputs of the model, targets made from the two-moons labels 0/1)
LOSSES = {"mse": (1, float), "hinge": (1, int), "bce_with_logits": (1, int),
          "cross_entropy": (3, None)}


def bits(model) -> list[bytes]:
    return [struct.pack("<d", p.data) for p in model.parameters()]


@settings(max_examples=40, deadline=None)
@given(hidden=st.lists(st.integers(1, 6), min_size=0, max_size=2),
       activation=st.sampled_from(ACTIVATIONS), loss=st.sampled_from(sorted(LOSSES)),
       samples=st.integers(3, 13), batch_size=st.one_of(st.none(), st.integers(1, 6)),
       adam=st.booleans(), seed=st.integers(0, 3))
def test_random_setups_train_compiled_as_eager(hidden, activation, loss, samples, batch_size,
                                               adam, seed):
    outputs, kind = LOSSES[loss]
    if outputs == 1:
        X, labels = make_moons(samples, noise=0.2, seed=seed)
        y = [kind(label) for label in labels]
    else:
        X, y = spiral(samples, classes=outputs, seed=seed)

    def train(compile: bool):
        model = MLP(2, [*hidden, outputs], activation=activation, seed=seed)
        optimizer = (Adam(model.parameters(), lr=0.05) if adam
                     else SGD(model.parameters(), lr=0.1, momentum=0.9))
        history = fit(model, X, y, loss=loss, optimizer=optimizer, epochs=2,
                      batch_size=batch_size, progress=False, compile=compile)
        return history, bits(model)
    assert train(True) == train(False)
