"""fit(validation_data=(X_val, y_val)): each epoch's record and progress bar get val_loss and
val_accuracy, by the training's loss and accuracy rule, computed without a graph; the
validation data is checked as X and y are."""
from __future__ import annotations

import io
import math

import pytest

from autograd_mini import Value
from nn import MLP, SGD, fit, hinge_loss, mse_loss
from nn.datasets import make_moons
from nn.training import accuracy

X, Y = make_moons(30, noise=0.1, seed=0)
X_VAL, Y_VAL = make_moons(12, noise=0.1, seed=1)


def train(model, **options):
    options = {"loss": "hinge", "optimizer": "sgd", "lr": 0.1, "epochs": 3, "batch_size": 10,
               "progress": False, **options}
    return fit(model, X, Y, **options)


def test_each_record_gets_the_validation_loss_and_accuracy():
    history = train(MLP(2, [4, 1], seed=0), validation_data=(X_VAL, Y_VAL))
    assert [list(record) for record in history] == [
        ["epoch", "loss", "accuracy", "val_loss", "val_accuracy"]] * 3


def test_they_are_the_models_loss_and_accuracy_on_the_validation_data_after_the_epoch():
    model = MLP(2, [4, 1], seed=0)
    seen = []

    def after_epoch(record):
        mean = sum(hinge_loss(model(x), t).data for x, t in zip(X_VAL, Y_VAL)) / len(X_VAL)
        seen.append((mean, accuracy(model, X_VAL, Y_VAL, loss=hinge_loss)))

    history = train(model, validation_data=(X_VAL, Y_VAL), callbacks=[after_epoch])
    assert [(r["val_loss"], r["val_accuracy"]) for r in history] == seen


def test_validation_changes_nothing_in_training():
    with_validation, without = MLP(2, [4, 1], seed=0), MLP(2, [4, 1], seed=0)
    history = train(with_validation, validation_data=(X_VAL, Y_VAL))
    plain = train(without)
    assert [{k: r[k] for k in ("epoch", "loss", "accuracy")} for r in history] == plain
    assert with_validation.state_dict() == without.state_dict()


def test_the_training_labels_decide_the_accuracy_rule():
    # validation labels all 1 would alone read as -1/+1 labels (scored at 0); with the
    # training's 0/1 labels and mse the score is cut at 0.5, so 0.3 is class 0: wrong
    def constant(x):
        return MLP(2, [1], seed=0)(x) * 0.0 + 0.3

    history = fit(constant, X, Y, loss=mse_loss, optimizer=SGD([Value(0.0)], lr=0.1),
                  epochs=1, validation_data=([[0.0, 0.0]] * 2, [1, 1]), progress=False)
    assert history[0]["val_accuracy"] == 0.0


def test_regression_has_no_validation_accuracy():
    X_sine = [[i / 10] for i in range(10)]
    history = fit(MLP(1, [4, 1], seed=0), X_sine, [math.sin(x[0]) for x in X_sine],
                  optimizer="adam", lr=0.01, epochs=2, progress=False,
                  validation_data=([[0.25], [0.75]], [math.sin(0.25), math.sin(0.75)]))
    assert history[-1]["val_accuracy"] is None and history[-1]["val_loss"] > 0


def test_validation_builds_no_graph():
    net = MLP(2, [4, 1], seed=0)
    outputs = []

    def model(x):
        out = net(x)
        if x in X_VAL:
            outputs.append(out)
        return out

    fit(model, X, Y, optimizer=SGD(net.parameters(), lr=0.1), epochs=2, compile=False,
        validation_data=(X_VAL, Y_VAL), progress=False)
    assert len(outputs) == 2 * len(X_VAL)
    assert all(out.parents == () for out in outputs)


def test_callbacks_can_stop_on_the_validation_loss():
    history = train(MLP(2, [4, 1], seed=0), validation_data=(X_VAL, Y_VAL), epochs=10,
                    callbacks=[lambda record: record["epoch"] == 2 and "val_loss" in record])
    assert len(history) == 2


def test_the_progress_bar_shows_the_validation_numbers(monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    train(MLP(2, [4, 1], seed=0), validation_data=(X_VAL, Y_VAL), progress=True)
    assert "val_loss=" in err.getvalue() and "val_acc=" in err.getvalue()


def test_a_validation_sample_that_overflows_counts_as_an_infinite_loss_and_wrong():
    net = MLP(2, [4, 1], seed=0)

    def model(x):
        return net(x) * 0.0 + Value(x[0]).exp()  # overflows at x[0] = 1000

    history = fit(model, X, Y, loss="hinge", optimizer=SGD(net.parameters(), lr=0.1), epochs=1,
                  compile=False, validation_data=([[0.0, 0.0], [1000.0, 0.0]], [1, 1]),
                  progress=False)
    assert history[0]["val_loss"] == math.inf and history[0]["val_accuracy"] == 0.5


@pytest.mark.parametrize("validation_data, error, message", [
    (X_VAL, ValueError, r"^fit: validation_data must be a pair \(X_val, y_val\), got 12 "),
    ({"X": X_VAL}, TypeError, r"^fit: validation_data must be a pair \(X_val, y_val\)"),
    (5, TypeError, r"^fit: validation_data must be a pair"),
    ((X_VAL, Y_VAL[:5]), ValueError, r"^fit: validation_data\[0\] has 12 samples but "
                                     r"validation_data\[1\] has 5; give one target per sample"),
    (([], []), ValueError, r"^fit: validation_data has no samples"),
    (([["a", 1.0]], [1]), TypeError, r"^fit: validation_data\[0\]\[0\]\[0\] is str 'a', not a "
                                     r"number"),
    (([[math.nan, 1.0]], [1]), ValueError, r"^fit: validation_data\[0\]\[0\]\[0\] is nan"),
    (([[1.0, 2.0], [1.0]], [1, 0]), ValueError, r"^fit: validation_data\[0\] is ragged"),
    (([[1.0, 2.0, 3.0]], [1]), ValueError, r"^fit: validation_data\[0\]\[0\] is a list of 3 but "
                                           r"X\[0\] is a list of 2: validation samples must "
                                           r"have the shape of the training samples$"),
    (([[1.0, 2.0]], [[1]]), ValueError, r"^fit: validation_data\[1\]\[0\] is a list of 1 but "
                                        r"y\[0\] is a number"),
])
def test_bad_validation_data_is_refused_by_name(validation_data, error, message):
    with pytest.raises(error, match=message):
        train(MLP(2, [4, 1], seed=0), validation_data=validation_data)


def test_swapped_validation_data_says_so():
    with pytest.raises(ValueError, match=r"X_val and y_val look swapped: validation_data is "
                                         r"\(X_val, y_val\), the inputs first"):
        train(MLP(2, [4, 1], seed=0), validation_data=(Y_VAL, X_VAL))


def test_bad_validation_data_is_refused_before_training():
    model = MLP(2, [4, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError):
        train(model, validation_data=(X_VAL, Y_VAL[:3]))
    assert model.state_dict() == before


def test_numpy_validation_data_gives_the_same_history():
    np = pytest.importorskip("numpy")
    as_lists = train(MLP(2, [4, 1], seed=0), validation_data=(X_VAL, Y_VAL))
    as_arrays = train(MLP(2, [4, 1], seed=0), validation_data=(np.array(X_VAL), np.array(Y_VAL)))
    assert as_arrays == as_lists
