"""Mistakes fit names: X and y swapped, and a loss that returns something other than a
Value."""
from __future__ import annotations

import pytest

from autograd_mini import Value
from nn import MLP, SGD, fit
from nn.datasets import make_moons

X, Y = make_moons(20, noise=0.1, seed=0)


@pytest.mark.parametrize("compile", [None, False])
def test_swapped_x_and_y_get_a_hint_that_says_so(compile):
    with pytest.raises(ValueError, match=r"X holds single numbers and y lists of 2: were X and "
                                         r"y swapped\? fit takes fit\(model, X, y\)") as caught:
        fit(MLP(2, [4, 1], seed=0), Y, X, epochs=1, compile=compile, progress=False)
    # what the model said is kept, and its error is the cause
    assert "expects 2 inputs per sample" in str(caught.value)
    assert caught.value.__cause__ is not None


def test_the_hint_keeps_the_kind_of_error():
    def model(x):
        return x[0]  # TypeError on a number

    with pytest.raises(TypeError, match=r"were X and y swapped\?"):
        fit(model, Y, X, optimizer=SGD([Value(0.0)], lr=0.1), epochs=1, progress=False)


def test_the_hint_comes_only_when_the_first_step_fails_on_data_that_looks_swapped():
    # numbers in and lists out may be what the model takes: it trains
    w = Value(0.5)
    history = fit(lambda x: [w * x, w * x], [1.0, 2.0], [[1.0, 1.0], [2.0, 2.0]],
                  optimizer=SGD([w], lr=0.1), epochs=3, progress=False)
    assert history[-1]["loss"] < history[0]["loss"]

    def failing(x):
        raise ValueError("the model's own")

    # the model's error on data that does not look swapped is left as it is
    with pytest.raises(ValueError, match=r"^the model's own$"):
        fit(failing, X, Y, optimizer=SGD([Value(0.0)], lr=0.1), epochs=1, progress=False)
    # and gets the hint on data that does
    with pytest.raises(ValueError, match=r"^fit: the first step failed: the model's own\. X "
                                         r"holds single numbers"):
        fit(failing, Y, X, optimizer=SGD([Value(0.0)], lr=0.1), epochs=1, progress=False)


def test_a_loss_returning_a_number_taken_from_data_is_named():
    def my_loss(prediction, target):
        return (prediction.data - target) ** 2

    with pytest.raises(TypeError, match=r"^fit: the loss .*my_loss returned plain numbers for "
                                        r"the whole batch .*nothing to differentiate"):
        fit(MLP(2, [4, 1], seed=0), X, Y, loss=my_loss, epochs=1, progress=False)


@pytest.mark.parametrize("compile", [None, False])
def test_a_loss_returning_a_list_is_named_with_the_sample(compile):
    def listing_loss(prediction, target):
        return [prediction - target]

    with pytest.raises(TypeError, match=r"^fit: the loss .*listing_loss returned list .* for "
                                        r"X\[0\]; a loss must return a Value"):
        fit(MLP(2, [4, 1], seed=0), X, Y, loss=listing_loss, epochs=1, compile=compile,
            progress=False)


def test_a_loss_returning_none_is_named():
    with pytest.raises(TypeError, match=r"^fit: the loss .*<lambda> returned NoneType None"):
        fit(MLP(2, [4, 1], seed=0), X, Y, loss=lambda p, t: None, epochs=1, progress=False)


def test_a_loss_that_is_zero_as_a_plain_number_for_some_samples_still_trains():
    def hinge(prediction, target):  # max() gives the int 0 where the margin is met
        return max(0, 1 - prediction * (2 * target - 1))

    history = fit(MLP(2, [4, 1], seed=0), X, Y, loss=hinge, optimizer="sgd", lr=0.05,
                  epochs=5, progress=False)
    assert history[-1]["loss"] < history[0]["loss"]


def test_a_wrong_loss_on_validation_data_is_named_there():
    calls = []

    def loss(prediction, target):
        calls.append(1)
        return (prediction - target) ** 2 if len(calls) <= len(X) else "oops"

    with pytest.raises(TypeError, match=r"returned str 'oops' for validation_data\[0\]\[0\]"):
        fit(MLP(2, [4, 1], seed=0), X, Y, loss=loss, epochs=1, validation_data=(X, Y),
            progress=False)
