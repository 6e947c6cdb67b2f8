"""fit: it trains, reports per epoch, shows (or hides) its progress bar and stops cleanly."""
from __future__ import annotations

import gc
import math

import pytest

from nn import (MLP, SGD, Adam, ConjugateGradient, binary_cross_entropy,
                binary_cross_entropy_with_logits, cross_entropy, fit, hinge_loss, mse_loss)
from nn.datasets import make_moons, xor
from nn.training import accuracy, correctness_rule


def small_fit(**options):
    model = MLP(2, [4, 1], seed=0)
    X, y = xor()
    options.setdefault("optimizer", Adam(model.parameters(), lr=0.1))
    return model, fit(model, X, y, loss=binary_cross_entropy_with_logits, **options)


def test_history_has_one_record_per_epoch():
    _, history = small_fit(epochs=3, progress=False)
    assert [sorted(r) for r in history] == [["accuracy", "epoch", "loss"]] * 3
    assert [r["epoch"] for r in history] == [1, 2, 3]


def test_fit_solves_xor():
    model, history = small_fit(epochs=200, progress=False)
    assert history[-1]["accuracy"] == 1.0
    assert accuracy(model, *xor(), loss=binary_cross_entropy_with_logits) == 1.0


def test_fit_reaches_97_percent_on_moons():
    X, y = make_moons(100, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], seed=0)
    # max-margin loss; the rate decays from 0.1 to 0.01 over the 200 steps
    optimizer = SGD(model.parameters(), lr=lambda step: 0.1 - 0.09 * step / 200, momentum=0.9)
    fit(model, X, y, loss=hinge_loss, optimizer=optimizer, epochs=20, batch_size=10,
        progress=False)
    assert accuracy(model, X, y, loss=hinge_loss) >= 0.97


def sine_data():
    X = [[-2 + 4 * i / 14] for i in range(15)]
    return X, [math.sin(2 * x[0]) for x in X]


def test_fit_regresses_a_sine_without_an_accuracy():
    model = MLP(1, [16, 1], seed=0)
    history = fit(model, *sine_data(), optimizer=Adam(model.parameters(), lr=0.05),
                  epochs=150, progress=False)
    assert history[-1]["loss"] < 0.01 < history[0]["loss"]
    assert history[-1]["accuracy"] is None


def test_fit_drives_conjugate_gradient_through_a_closure():
    model = MLP(1, [16, 1], seed=0)
    history = fit(model, *sine_data(), optimizer=ConjugateGradient(model.parameters()),
                  epochs=30, progress=False)
    assert history[-1]["loss"] < 0.01


def test_multi_output_classification_with_cross_entropy():
    X, y = make_moons(40, noise=0.1, seed=1)
    model = MLP(2, [8, 2], seed=0)
    history = fit(model, X, y, loss=cross_entropy, optimizer=Adam(model.parameters(), lr=0.05),
                  epochs=40, batch_size=8, progress=False)
    assert history[-1]["accuracy"] >= 0.85


def test_same_seeds_give_the_same_training():
    def train():
        model = MLP(2, [4, 1], seed=3)
        X, y = make_moons(20, seed=3)
        history = fit(model, X, y, optimizer=SGD(model.parameters(), lr=0.1), epochs=3,
                      batch_size=4, shuffle_seed=5, progress=False)
        return history, model.state_dict()
    assert train() == train()


def test_metrics_are_computed_from_the_epochs_predictions():
    _, history = small_fit(epochs=2, progress=False,
                           metrics={"count": lambda predictions, targets: len(predictions)})
    assert [r["count"] for r in history] == [4, 4]


def test_a_callback_returning_true_stops_training():
    _, history = small_fit(epochs=10, progress=False, callbacks=[lambda r: r["epoch"] == 2])
    assert len(history) == 2


def test_ctrl_c_stops_cleanly_and_keeps_the_model(capsys):
    def interrupt(record):
        if record["epoch"] == 3:
            raise KeyboardInterrupt
    model, history = small_fit(epochs=10, progress=False, callbacks=[interrupt])
    assert len(history) == 3
    assert "stopped by Ctrl-C after 3 of 10 epochs" in capsys.readouterr().err
    assert all(p.data == p.data for p in model.parameters())  # still numbers, still usable


def test_fit_restores_the_garbage_collector():
    small_fit(epochs=1, progress=False)
    assert gc.isenabled()


def test_progress_false_is_silent(capsys):
    small_fit(epochs=3, progress=False)
    assert capsys.readouterr().err == ""


def test_progress_is_silent_when_stderr_is_not_a_terminal(capsys):
    small_fit(epochs=3)  # under capture stderr is not a TTY
    assert capsys.readouterr().err == ""


def test_progress_true_shows_loss_and_accuracy(capsys):
    small_fit(epochs=3, progress=True)
    err = capsys.readouterr().err
    assert "3/3" in err and "loss=" in err and "acc=" in err


def test_mismatched_samples_and_targets_are_refused():
    with pytest.raises(ValueError, match="X has 4 samples but y has 3"):
        fit(MLP(2, [1]), xor()[0], [0, 1, 1], progress=False)


@pytest.mark.parametrize("loss, labels, score, target, right", [
    (hinge_loss, [0, 1], 0.1, 1, True),                        # score > 0
    (hinge_loss, [-1, 1], -0.1, -1, True),
    (binary_cross_entropy_with_logits, [0, 1], 0.3, 0, False),  # logit > 0 means class 1
    (binary_cross_entropy, [0, 1], 0.3, 0, True),               # probability > 0.5
    (mse_loss, [0, 1], 0.6, 1, True),                           # 0/1 labels: cut at 0.5
    (mse_loss, [-1, 1], 0.2, 1, True),                          # -1/+1 labels: cut at 0
    (cross_entropy, [0, 2], [0.1, 0.0, 0.5], 2, True),          # argmax
    (mse_loss, [[0, 1]], [0.2, 0.7], [0, 1], True),             # argmax of a one-hot target
])
def test_accuracy_rule(loss, labels, score, target, right):
    assert correctness_rule(loss, labels)(score, target) is right


def test_regression_targets_have_no_accuracy():
    assert correctness_rule(mse_loss, [0.5, 2.0])(0.4, 0.5) is None
    assert correctness_rule(mse_loss, [[0.01, 0.99]])([0.2, 0.7], [0.01, 0.99]) is None


def test_ctrl_c_inside_a_step_keeps_the_finished_epochs(capsys):
    calls = []

    def interrupted_loss(prediction, target):
        calls.append(1)
        if len(calls) == 6:  # the second sample of the second epoch
            raise KeyboardInterrupt
        return binary_cross_entropy_with_logits(prediction, target)

    model = MLP(2, [4, 1], seed=0)
    history = fit(model, *xor(), loss=interrupted_loss, epochs=5, progress=False)
    assert len(history) == 1
    assert "stopped by Ctrl-C after 1 of 5 epochs" in capsys.readouterr().err
