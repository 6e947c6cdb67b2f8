"""The 2-2-2 sigmoid network of Matt Mazur, "A Step by Step Backpropagation Example" (2015),
https://mattmazur.com/2015/03/17/a-step-by-step-backpropagation-example/ , reproduced to
1e-8: one forward pass, the total error, and one gradient step with learning rate 0.5.
His total error is sum(1/2 (target - out)^2) over the two outputs, which is exactly the
mean squared error over two outputs; his text updates the weights, not the biases."""
from __future__ import annotations

import pytest

from nn import MLP, SGD, mse_loss
from published import MAZUR_INPUTS as INPUTS, MAZUR_STATE, MAZUR_TARGETS as TARGETS


@pytest.fixture
def network() -> MLP:
    model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid")
    model.load_state_dict(MAZUR_STATE)
    return model


def test_forward_pass_gives_the_published_outputs(network):
    out_o1, out_o2 = network(INPUTS)
    assert out_o1.data == pytest.approx(0.75136507, abs=1e-8)
    assert out_o2.data == pytest.approx(0.772928465, abs=1e-8)


def test_total_error_is_the_published_value(network):
    assert mse_loss(network(INPUTS), TARGETS).data == pytest.approx(0.298371109, abs=1e-8)


def test_one_step_gives_the_published_weights(network):
    optimizer = SGD(network.weights(), lr=0.5)
    optimizer.zero_grad()
    mse_loss(network(INPUTS), TARGETS).backward()
    optimizer.step()
    state = network.state_dict()
    published_hidden = [[0.149780716, 0.19956143], [0.24975114, 0.29950229]]  # w1+ .. w4+
    published_output = [[0.35891648, 0.408666186], [0.511301270, 0.561370121]]  # w5+ .. w8+
    for got_rows, published_rows in ((state["layers.0.weight"], published_hidden),
                                     (state["layers.1.weight"], published_output)):
        for got, published in zip(got_rows, published_rows):
            assert got == pytest.approx(published, abs=1e-8)
    assert state["layers.0.bias"] == [0.35, 0.35]
    assert state["layers.1.bias"] == [0.60, 0.60]
