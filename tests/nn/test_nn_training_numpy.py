"""fit, accuracy and correctness_rule take numpy arrays and scalars as they take lists and
Python numbers, with bit-identical results; bad data is a clear error naming the place."""
from __future__ import annotations

import math

import pytest

from nn import MLP, SGD, fit, hinge_loss, mse_loss
from nn.datasets import make_moons
from nn.training import accuracy, correctness_rule

np = pytest.importorskip("numpy")


def train(X, y, loss=hinge_loss, epochs=10, batch_size=None, **options):
    """micrograd's demo loop through fit: max-margin loss, SGD with its decaying rate."""
    model = MLP(2, [8, 8, 1], seed=0)
    optimizer = SGD(model.parameters(), lr=lambda step: 1.0 - 0.9 * step / 100)
    history = fit(model, X, y, loss=loss, optimizer=optimizer, epochs=epochs,
                  batch_size=batch_size, progress=False, **options)
    return history, model.state_dict()


def test_micrograd_demo_on_numpy_arrays_trains_exactly_as_on_lists():
    X, y = make_moons(30, noise=0.1, seed=0)
    X_array, y_array = np.array(X), np.array(y) * 2 - 1   # as micrograd's demo: labels -1/+1
    assert X_array.dtype == np.float64 and y_array.dtype == np.int64
    assert train(X_array, y_array) == train(X, [2 * t - 1 for t in y])


@pytest.mark.parametrize("x_dtype", ["float64", "float32", "int64", "int8", "uint8"])
@pytest.mark.parametrize("y_dtype", ["int64", "int32", "float32", "bool"])
def test_any_numeric_dtype_trains_as_the_same_numbers_in_lists(x_dtype, y_dtype):
    X, y = make_moons(12, noise=0.1, seed=1)
    X_array = (np.array(X) * 3).astype(x_dtype)
    y_array = np.array(y).astype(y_dtype)
    same_as_lists = train(X_array.tolist(), y_array.tolist(), loss=mse_loss, epochs=2)
    assert train(X_array, y_array, loss=mse_loss, epochs=2) == same_as_lists


def test_lists_of_numpy_rows_and_scalars_train_as_lists():
    X, y = make_moons(12, noise=0.1, seed=2)
    rows = [np.array(x, dtype=np.float32) for x in X]
    labels = [np.int64(t) for t in y]
    expected = train([row.tolist() for row in rows], y, batch_size=4)
    assert train(rows, labels, batch_size=4) == expected


def test_numpy_integers_for_epochs_batch_size_and_seed():
    X, y = make_moons(12, noise=0.1, seed=3)
    expected = train(X, y, epochs=2, batch_size=5, shuffle_seed=7)
    assert train(X, y, epochs=np.int64(2), batch_size=np.int32(5),
                 shuffle_seed=np.int64(7)) == expected


def test_accuracy_on_numpy_arrays_equals_accuracy_on_lists():
    X, y = make_moons(30, noise=0.1, seed=0)
    model = MLP(2, [8, 1], seed=0)
    fit(model, X, y, loss=hinge_loss, optimizer=SGD(model.parameters(), lr=0.1), epochs=3,
        progress=False)
    on_lists = accuracy(model, X, y, loss=hinge_loss)
    assert on_lists is not None
    assert accuracy(model, np.array(X), np.array(y), loss=hinge_loss) == on_lists


@pytest.mark.parametrize("labels, score, target, right", [
    (np.array([-1, 1]), 0.2, 1, True),                  # -1/+1 labels: cut at 0
    (np.array([0, 1], dtype=np.uint8), 0.6, 1, True),   # 0/1 labels: cut at 0.5
    (np.array([0.0, 1.0], dtype=np.float32), 0.4, 1, False),
])
def test_correctness_rule_reads_numpy_labels(labels, score, target, right):
    assert correctness_rule(mse_loss, labels)(score, target) is right


@pytest.mark.parametrize("X, y, error, message", [
    ([[0.0, 1.0], [1.0]], [0, 1], ValueError,
     r"fit: X is ragged: X\[0\] is a list of 2 but X\[1\] is a list of 1"),
    (np.array([[0.0, 1.0], [1.0, math.nan]]), [0, 1], ValueError,
     r"fit: X\[1\]\[1\] is nan; the data must be finite"),
    ([[0.0, 1.0], [1.0, 0.0]], np.array([0.0, math.inf]), ValueError, r"fit: y\[1\] is inf"),
    ([["0", "1"], ["1", "0"]], [0, 1], TypeError, r"fit: X\[0\]\[0\] is str '0', not a number"),
    (np.array([["a", "b"], ["c", "d"]]), [0, 1], TypeError, r"fit: X\[0\]\[0\] is str 'a'"),
    (np.zeros((2, 2, 2)), [0, 1], TypeError, r"fit: X\[0\]\[0\] is list .*\(samples must be flat"),
    (np.array([[1 + 2j, 0], [0, 1]]), [0, 1], TypeError, r"fit: X\[0\]\[0\] is complex"),
    ((x for x in [[0.0, 1.0]]), [0], TypeError, r"fit: X must be a list \(or array\) of samples"),
    ([[0.0, 1.0], [1.0, 0.0]], "01", TypeError, r"fit: y must be a list"),
])
def test_bad_data_is_a_clear_error_naming_the_place(X, y, error, message):
    with pytest.raises(error, match=message):
        fit(MLP(2, [1], seed=0), X, y, progress=False)
