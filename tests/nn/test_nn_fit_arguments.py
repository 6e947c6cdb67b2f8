"""fit as Keras and PyTorch users write it: keyword-only after y, with an error naming the
keyword a positional value was meant for; the loss and optimizer by name, with lr=."""
from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

from nn import (MLP, SGD, Adam, ConjugateGradient, Rprop, binary_cross_entropy,
                binary_cross_entropy_with_logits, cross_entropy, fit, hinge_loss, mse_loss)
from nn.datasets import make_moons, xor
from nn.losses import LOSSES
from nn.training import accuracy, correctness_rule

X, Y = make_moons(20, noise=0.1, seed=0)


def model():
    return MLP(2, [4, 1], seed=0)


def quick(**options):
    options = {"epochs": 2, "batch_size": 5, "progress": False, **options}
    net = options.pop("model", None) or model()
    return net, fit(net, X, Y, **options)


# --- keyword-only after y -------------------------------------------------------------------

def test_a_value_after_y_is_a_type_error_naming_its_keyword():
    net = model()
    before = net.state_dict()
    with pytest.raises(TypeError, match=r"fit\(model, X, y, epochs=2\)"):
        fit(net, X, Y, 2)
    assert net.state_dict() == before


def test_the_old_positional_order_is_rewritten_as_keywords():
    net = model()
    with pytest.raises(TypeError) as caught:
        fit(net, X, Y, mse_loss, SGD(net.parameters()), 10, 4)
    message = str(caught.value)
    assert "loss=mse_loss, optimizer=SGD(...), epochs=10, batch_size=4" in message
    assert message.startswith("fit: model, X and y are its only positional arguments")


def test_names_given_by_position_are_read_as_the_loss_and_the_optimizer():
    with pytest.raises(TypeError, match=r"fit\(model, X, y, loss='hinge', optimizer='adam'\)"):
        fit(model(), X, Y, "hinge", "adam")


def test_the_message_lists_fits_keywords():
    with pytest.raises(TypeError, match=r"fit's keywords: loss, optimizer, lr, epochs, "
                                        r"batch_size, validation_data, shuffle_seed"):
        fit(model(), X, Y, object())


def test_the_signature_shows_keyword_only_arguments():
    parameters = inspect.signature(fit).parameters
    assert list(parameters)[:3] == ["model", "X", "y"]
    assert all(p.kind is p.KEYWORD_ONLY for p in list(parameters.values())[3:])
    assert {"loss", "optimizer", "lr", "validation_data"} <= set(parameters)


# --- the loss by name -----------------------------------------------------------------------

@pytest.mark.parametrize("name, function", [
    ("mse", mse_loss), ("bce_with_logits", binary_cross_entropy_with_logits),
    ("hinge", hinge_loss)])
def test_a_loss_by_name_trains_exactly_as_the_function(name, function):
    by_name, history_by_name = quick(loss=name)
    by_function, history = quick(loss=function)
    assert history_by_name == history
    assert by_name.state_dict() == by_function.state_dict()


def test_every_loss_name_is_a_loss_of_nn():
    assert dict(LOSSES) == {"mse": mse_loss, "bce": binary_cross_entropy,
                            "bce_with_logits": binary_cross_entropy_with_logits,
                            "hinge": hinge_loss, "cross_entropy": cross_entropy}


def test_bce_and_cross_entropy_by_name_train():
    sigmoid_out = MLP(2, [4, 1], output_activation="sigmoid", seed=0)
    assert quick(model=sigmoid_out, loss="bce")[1][-1]["loss"] > 0
    assert quick(model=MLP(2, [4, 2], seed=0), loss="cross_entropy")[1][-1]["accuracy"] >= 0


def test_the_accuracy_rule_follows_a_loss_given_by_name():
    # one output scored at 0 for hinge (not 0.5, as mse on 0/1 labels): a score of 0.3 is
    # class 1 for hinge and class 0 for mse
    def constant(x):
        return MLP(2, [1], seed=0)(x) * 0.0 + 0.3

    inputs, labels = [[0.0, 0.0]] * 3, [1, 1, 0]
    assert accuracy(constant, inputs, labels, loss="hinge") == 2 / 3
    assert accuracy(constant, inputs, labels, loss="mse") == 1 / 3
    assert correctness_rule("bce_with_logits", [0, 1])(0.3, 1) is True
    # and in fit's history: the same accuracy by name as by function
    assert quick(loss="hinge")[1] == quick(loss=hinge_loss)[1]


def test_an_unknown_loss_name_is_a_value_error_listing_the_names():
    with pytest.raises(ValueError, match=r"^fit: loss: unknown loss 'mae'; choose one of mse, "
                                         r"bce, bce_with_logits, hinge, cross_entropy$"):
        quick(loss="mae")


def test_a_loss_of_another_kind_is_a_type_error_listing_the_names():
    with pytest.raises(TypeError, match=r"^fit: loss must be a function .* or one of the "
                                        r"names mse, bce, bce_with_logits, hinge, cross_entropy"):
        quick(loss=3)


# --- the optimizer by name, with lr= ----------------------------------------------------------

@pytest.mark.parametrize("name, kind, lr", [
    ("sgd", SGD, 0.05), ("adam", Adam, 0.01), ("rprop", Rprop, 0.02),
    ("cg", ConjugateGradient, 0.5)])
def test_an_optimizer_by_name_trains_exactly_as_the_object(name, kind, lr):
    by_name, history_by_name = quick(optimizer=name, lr=lr)
    net = model()
    history = fit(net, X, Y, optimizer=kind(net.parameters(), lr=lr), epochs=2, batch_size=5,
                  progress=False)
    assert history_by_name == history
    assert by_name.state_dict() == net.state_dict()


def test_sgd_by_name_without_lr_is_fits_default_optimizer():
    assert quick(optimizer="sgd")[1] == quick()[1] == quick(optimizer=None)[1]


def test_an_optimizer_name_without_lr_takes_its_class_default():
    net, history = quick(optimizer="adam")
    other = model()
    assert history == fit(other, X, Y, optimizer=Adam(other.parameters()), epochs=2,
                          batch_size=5, progress=False)


def test_lr_alone_sets_the_default_sgd():
    net = model()
    assert quick(lr=0.3)[1] == fit(net, X, Y, optimizer=SGD(net.parameters(), lr=0.3),
                                   epochs=2, batch_size=5, progress=False)


def test_lr_with_an_optimizer_object_says_to_set_it_there():
    net = model()
    with pytest.raises(TypeError, match=r"^fit: lr=0.1 is for an optimizer given by name.*"
                                        r"Adam\(model.parameters\(\), lr=0.1\)"):
        fit(net, X, Y, optimizer=Adam(net.parameters()), lr=0.1, progress=False)


def test_an_unknown_optimizer_name_is_a_value_error_listing_the_names():
    with pytest.raises(ValueError, match=r"^fit: optimizer: unknown optimizer 'lbfgs'; choose "
                                         r"one of sgd, adam, rprop, cg$"):
        quick(optimizer="lbfgs")


def test_an_optimizer_of_another_kind_is_a_type_error_listing_the_names():
    with pytest.raises(TypeError, match=r"^fit: optimizer must be an optimizer .* or one of "
                                        r"the names sgd, adam, rprop, cg"):
        quick(optimizer=0.1)


@pytest.mark.parametrize("lr, error", [("0.1", TypeError), (-1.0, ValueError),
                                       (float("nan"), ValueError)])
def test_a_bad_lr_is_refused_by_name(lr, error):
    with pytest.raises(error, match=r"^fit: lr "):
        quick(optimizer="adam", lr=lr)


def test_cg_by_name_refuses_a_rate_of_zero():
    with pytest.raises(ValueError, match=r"^fit: lr must be a finite number > 0"):
        quick(optimizer="cg", lr=0.0)


def test_an_optimizer_by_name_needs_a_module():
    with pytest.raises(TypeError, match=r"^fit: model must be a Module \(with parameters\(\)\)"):
        fit(lambda x: x[0], X, Y, optimizer="adam", progress=False)


def test_names_solve_xor():
    net = MLP(2, [4, 1], seed=0)
    history = fit(net, *xor(), loss="bce_with_logits", optimizer="adam", lr=0.1, epochs=200,
                  progress=False)
    assert history[-1]["accuracy"] == 1.0


@pytest.mark.slow
def test_a_type_checker_also_refuses_a_value_after_y(tmp_path):
    pytest.importorskip("mypy")
    script = tmp_path / "script.py"
    script.write_text("from nn import MLP, fit\n"
                      "fit(MLP(2, [1]), [[0.0, 1.0]], [1], 2)\n"
                      "fit(MLP(2, [1]), [[0.0, 1.0]], [1], epochs=2, loss='hinge', lr=0.1)\n")
    done = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                           str(script)], cwd=tmp_path, capture_output=True, text=True)
    assert 'script.py:2: error: Too many positional arguments for "fit"' in done.stdout
    assert "script.py:3" not in done.stdout, done.stdout
