"""nn takes what scikit-learn and micrograd's demo hand it: numpy arrays and numpy scalars.

Every result on numpy input must be bit-identical to the same computation on the lists
and Python numbers that the arrays hold (`arr.tolist()`); numpy is a test dependency
only, so the whole file is skipped without it.
"""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_mini import Value
from nn import (MLP, Layer, Neuron, binary_cross_entropy, binary_cross_entropy_with_logits,
                cross_entropy, hinge_loss, l2_penalty, mse_loss)
from nn.datasets import make_circles, make_moons, spiral

np = pytest.importorskip("numpy")

FLOAT_DTYPES = ["float64", "float32", "float16"]
INT_DTYPES = ["int64", "int32", "int8", "uint8"]
BINARY_LOSSES = [mse_loss, binary_cross_entropy, binary_cross_entropy_with_logits, hinge_loss]


def loss_and_grads(loss, prediction_data, target):
    """The loss value and the gradients of the predictions (one number or a list), for
    comparing runs exactly."""
    if isinstance(prediction_data, list):
        predictions = [Value(p) for p in prediction_data]
        result = loss(predictions, target)
    else:
        predictions = [Value(prediction_data)]
        result = loss(predictions[0], target)
    result.backward()
    return result.data, [p.grad for p in predictions]


# --- one sample or one target at a time: numpy scalars and sample arrays -----------------

@pytest.mark.parametrize("loss", BINARY_LOSSES)
@pytest.mark.parametrize("dtype", ["int64", "float32", "float64", "uint8", "bool"])
def test_each_loss_takes_a_numpy_scalar_target_as_the_python_number(loss, dtype):
    target = np.array(1, dtype=dtype)[()]          # a numpy scalar, e.g. np.int64(1)
    assert loss_and_grads(loss, 0.3, target) == loss_and_grads(loss, 0.3, target.item())


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_cross_entropy_takes_a_numpy_integer_class_index(dtype):
    target = np.array(1, dtype=dtype)[()]
    assert loss_and_grads(cross_entropy, [0.1, 0.2], target) == \
        loss_and_grads(cross_entropy, [0.1, 0.2], 1)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES + INT_DTYPES + ["bool"])
def test_mlp_on_a_numpy_sample_is_the_mlp_on_its_list(dtype):
    x = np.array([0.75, 3.0, 2.0]).astype(dtype)
    on_array, on_list = MLP(3, [4, 1], seed=0), MLP(3, [4, 1], seed=0)
    out_array, out_list = on_array(x), on_list(x.tolist())
    out_array.backward()
    out_list.backward()
    assert out_array.data == out_list.data
    assert [p.grad for p in on_array.parameters()] == [p.grad for p in on_list.parameters()]


def test_a_list_of_numpy_scalars_is_read_like_the_array():
    x = np.array([0.1, 0.7], dtype="float32")
    model = MLP(2, [3, 2], seed=0)
    assert [v.data for v in model(list(x))] == [v.data for v in model(x.tolist())]


def test_layer_and_neuron_take_numpy_samples_too():
    x = np.array([0.25, -0.5])
    assert [v.data for v in Layer(2, 3, seed=1)(x)] == [v.data for v in Layer(2, 3, seed=1)([0.25, -0.5])]
    assert Neuron(2, seed=1)(x).data == Neuron(2, seed=1)([0.25, -0.5]).data


def test_a_zero_dimensional_array_is_a_lone_input():
    assert MLP(1, [2, 1], seed=0)(np.array(0.5)).data == MLP(1, [2, 1], seed=0)(0.5).data


def test_model_outputs_gathered_in_an_object_array_feed_the_losses():
    model = MLP(2, [3, 1], seed=0)
    X = np.array([[0.5, -1.0], [1.5, 0.25]])
    scores = [model(row) for row in X]
    as_array = np.array(scores, dtype=object)
    assert mse_loss(as_array, np.array([1, -1])).data == mse_loss(scores, [1, -1]).data


# --- batches of every dtype --------------------------------------------------------------

@pytest.mark.parametrize("loss", BINARY_LOSSES)
@pytest.mark.parametrize("dtype", FLOAT_DTYPES + INT_DTYPES + ["bool"])
def test_each_loss_on_a_numpy_label_array_is_the_loss_on_its_list(loss, dtype):
    labels = np.array([1, 0, 1, 1, 0], dtype=dtype)
    scores = [0.2, 0.9, 0.6, 0.01, 0.5]
    assert loss_and_grads(loss, scores, labels) == loss_and_grads(loss, scores, labels.tolist())


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_a_numpy_prediction_array_is_read_as_its_list(dtype):
    predictions = np.array([0.25, 0.5], dtype=dtype)
    assert mse_loss(predictions, [0, 1]).data == mse_loss(predictions.tolist(), [0, 1]).data


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_cross_entropy_on_a_numpy_batch_is_the_loss_on_its_lists(dtype):
    logits = np.array([[0.5, -1.0, 2.0], [0.0, 0.25, -0.5]], dtype="float32")
    target = np.array([2, 0], dtype=dtype)
    assert cross_entropy(logits, target).data == \
        cross_entropy(logits.tolist(), target.tolist()).data


def test_l2_penalty_takes_numpy_lam_and_m():
    params = [Value(1.5), Value(-2.0)]
    assert l2_penalty(params, np.float32(0.1), m=np.int64(4)).data == \
        l2_penalty(params, float(np.float32(0.1)), m=4).data


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-100, 100), min_size=1, max_size=8),
       st.sampled_from(FLOAT_DTYPES))
def test_mse_on_any_float_array_is_bit_identical_to_its_list(numbers, dtype):
    targets = np.array(numbers, dtype=dtype)
    scores = [0.5] * len(numbers)
    assert loss_and_grads(mse_loss, scores, targets) == \
        loss_and_grads(mse_loss, scores, targets.tolist())


# --- what is refused ----------------------------------------------------------------------

def test_numpy_bools_are_not_class_indices_as_python_bools_are_not():
    with pytest.raises(TypeError, match=r"class index in 0..1, got True; pass an int"):
        cross_entropy([0.1, 0.2], np.bool_(True))


def test_numpy_bools_outside_a_label_are_refused_as_python_bools():
    with pytest.raises(TypeError, match=r"mse_loss: prediction\[0\] must be a number, not the bool"):
        mse_loss(np.array([True, False]), [1, 0])


@pytest.mark.parametrize("bad", [np.float64("nan"), np.float32("inf")])
def test_non_finite_numpy_targets_are_refused_by_name(bad):
    with pytest.raises(ValueError, match=r"hinge_loss: target\[1\] must be finite"):
        hinge_loss([Value(0.5), Value(0.5)], np.array([1.0, bad]))


def test_a_string_array_is_a_type_error_naming_the_input():
    with pytest.raises(TypeError, match=r"MLP\(2 -> 1\) input\[0\] must be a real number, got str"):
        MLP(2, [1], seed=0)(np.array(["0.5", "1.0"]))


def test_a_complex_array_is_a_type_error():
    with pytest.raises(TypeError, match=r"mse_loss: target\[0\] must be a real number, got complex"):
        mse_loss([Value(0.5)], np.array([1 + 2j]))


def test_a_ragged_object_array_of_logits_is_refused():
    logits = np.array([[0.5, -1.0], [0.25]], dtype=object)
    with pytest.raises(ValueError, match=r"logits\[1\] has 1 logits but logits\[0\] has 2"):
        cross_entropy(logits, np.array([0, 0]))


def test_a_two_dimensional_array_as_one_sample_says_to_call_once_per_sample():
    with pytest.raises(TypeError, match="call the model once per sample"):
        MLP(2, [1], seed=0)(np.zeros((2, 2)))


def test_float_sizes_stay_refused():
    with pytest.raises(TypeError, match=r"MLP nouts\[0\] must be an int >= 1, got 4.0"):
        MLP(2, np.array([4.0, 1.0]))


# --- constructors and datasets with numpy numbers ----------------------------------------

def test_mlp_sizes_and_seed_may_be_numpy_integers_and_stay_json():
    model = MLP(np.int64(2), np.array([4, 1]), seed=np.int64(7))
    assert model.state_dict() == MLP(2, [4, 1], seed=7).state_dict()
    assert json.loads(json.dumps(model.config())) == MLP(2, [4, 1], seed=7).config()


@pytest.mark.parametrize("make", [make_moons, make_circles, spiral])
def test_datasets_take_numpy_numbers_as_the_python_ones(make):
    noise = np.float32(0.1)
    assert make(np.int64(30), noise=noise, seed=np.int32(4)) == \
        make(30, noise=float(noise), seed=4)


# --- micrograd's demo loop, on numpy and on lists ----------------------------------------
# As micrograd's demo.ipynb: sklearn-style moons as arrays, labels y * 2 - 1 (np.int64),
# random mini-batches X[ri], y[ri], each row fed to the model, the loss summed per sample
# over zip(yb, scores) (so each target is a numpy scalar) or taken on the whole batch,
# an L2 term, plain SGD with a decaying rate. The same loop on the lists the arrays hold
# must give the same numbers, bit for bit.

def demo_labels(y01):
    """Each loss with the labels a user would hand it, built with numpy from 0/1 labels."""
    return {
        "hinge": (hinge_loss, y01 * 2 - 1, 1),
        "hinge, bool labels": (hinge_loss, y01 == 1, 1),
        "mse": (mse_loss, (y01 * 2 - 1).astype("float32"), 1),
        "bce with logits": (binary_cross_entropy_with_logits, y01, 1),
        "bce of sigmoid": (lambda s, t: binary_cross_entropy(_sigmoid(s), t),
                           y01.astype(bool), 1),
        "cross entropy": (cross_entropy, y01.astype("uint8"), 2),
    }


def _sigmoid(scores):
    return scores.sigmoid() if isinstance(scores, Value) else [s.sigmoid() for s in scores]


def demo_run(X, y, loss, outputs, batches, per_sample):
    model = MLP(2, [8, 8, outputs], seed=0)
    history = []
    for k, ri in enumerate(batches):
        Xb, yb = take(X, ri), take(y, ri)
        scores = [model(row) for row in Xb]
        if per_sample:
            data_loss = sum(loss(s, yi) for yi, s in zip(yb, scores)) * (1.0 / len(scores))
        else:
            data_loss = loss(scores, yb)
        total = data_loss + l2_penalty(model.parameters(), 2e-4)  # micrograd's 1e-4 * sum p^2
        model.zero_grad()
        total.backward()
        learning_rate = 1.0 - 0.9 * k / len(batches)
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        history.append((total.data, [p.data for p in model.parameters()]))
    return history


def take(data, rows):
    return data[rows] if isinstance(data, np.ndarray) else [data[i] for i in rows.tolist()]


@pytest.mark.parametrize("case", list(demo_labels(np.array([0, 1]))))
@pytest.mark.parametrize("x_dtype", ["float64", "float32"])
@pytest.mark.parametrize("per_sample", [True, False], ids=["per sample", "whole batch"])
def test_micrograd_demo_loop_on_numpy_is_bit_identical_to_lists(case, x_dtype, per_sample):
    X_list, y_list = make_moons(40, noise=0.1, seed=0)
    X = np.array(X_list, dtype=x_dtype)
    loss, labels, outputs = demo_labels(np.array(y_list))[case]
    shuffle = np.random.default_rng(0)
    batches = [shuffle.permutation(len(X))[:10] for _ in range(4)]
    on_numpy = demo_run(X, labels, loss, outputs, batches, per_sample)
    on_lists = demo_run(X.tolist(), labels.tolist(), loss, outputs, batches, per_sample)
    assert on_numpy == on_lists
    assert on_numpy[-1][0] < on_numpy[0][0]  # and it trains
