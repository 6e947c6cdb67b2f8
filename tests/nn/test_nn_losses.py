"""Each loss against values and gradients computed by hand."""
from __future__ import annotations

import math

import pytest

from autograd_mini import Value
from nn import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                hinge_loss, l2_penalty, mse_loss)


def values(*numbers: float) -> list[Value]:
    return [Value(x) for x in numbers]


def test_mse_is_the_mean_of_squared_errors():
    p = values(1.0, 2.0)
    loss = mse_loss(p, [0.0, 4.0])
    loss.backward()
    assert loss.data == 2.5                       # (1 + 4) / 2
    assert [v.grad for v in p] == [1.0, -2.0]     # 2 (p - t) / n


def test_mse_of_plain_numbers_is_still_a_value():
    assert isinstance(mse_loss(3.0, 1.0), Value) and mse_loss(3.0, 1.0).data == 4.0


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="prediction has 2 values but target has 3"):
        mse_loss(values(1.0, 2.0), [1.0, 2.0, 3.0])


def test_binary_cross_entropy_of_one_probability():
    p = Value(0.8)
    loss = binary_cross_entropy(p, 1)
    loss.backward()
    assert loss.data == pytest.approx(-math.log(0.8))
    assert p.grad == pytest.approx(-1 / 0.8)      # d(-log p)/dp


def test_binary_cross_entropy_averages_the_batch():
    expected = (-math.log(1 - 0.2) - math.log(0.9)) / 2
    assert binary_cross_entropy(values(0.2, 0.9), [0, 1]).data == pytest.approx(expected)


def test_binary_cross_entropy_clamps_log_at_minus_100_as_pytorch():
    # torch.nn.functional.binary_cross_entropy(tensor([0.]), tensor([1.])) == 100
    assert binary_cross_entropy(Value(0.0), 1).data == 100.0
    assert binary_cross_entropy(Value(1.0), 1).data == 0.0


def test_binary_cross_entropy_refuses_a_non_probability():
    with pytest.raises(ValueError, match="not a probability"):
        binary_cross_entropy(Value(1.5), 1)


def test_bce_with_logits_at_zero():
    x = Value(0.0)
    loss = binary_cross_entropy_with_logits(x, 1)
    loss.backward()
    assert loss.data == pytest.approx(math.log(2))
    assert x.grad == pytest.approx(-0.5)          # sigmoid(0) - 1


@pytest.mark.parametrize("x, y", [(2.0, 1), (-3.0, 0), (0.5, 0.3)])
def test_bce_with_logits_equals_bce_of_sigmoid_with_gradient_sigmoid_minus_target(x, y):
    s = 1 / (1 + math.exp(-x))
    logit = Value(x)
    loss = binary_cross_entropy_with_logits(logit, y)
    loss.backward()
    assert loss.data == pytest.approx(-(y * math.log(s) + (1 - y) * math.log(1 - s)))
    assert logit.grad == pytest.approx(s - y)


@pytest.mark.parametrize("x, y, expected", [(1000.0, 0, 1000.0), (-1000.0, 1, 1000.0),
                                            (1000.0, 1, 0.0), (-1000.0, 0, 0.0)])
def test_bce_with_logits_is_stable_for_large_logits(x, y, expected):
    assert binary_cross_entropy_with_logits(Value(x), y).data == expected


def test_cross_entropy_is_log_sum_exp_minus_the_target_logit():
    logits = values(1.0, 2.0, 3.0)
    loss = cross_entropy(logits, 2)
    loss.backward()
    total = math.exp(1) + math.exp(2) + math.exp(3)
    assert loss.data == pytest.approx(math.log(total) - 3)
    softmax = [math.exp(z) / total for z in (1, 2, 3)]
    assert [z.grad for z in logits] == pytest.approx([softmax[0], softmax[1], softmax[2] - 1])


def test_cross_entropy_is_stable_with_logits_of_1000():
    assert cross_entropy(values(1000.0, 0.0), 0).data == 0.0
    assert cross_entropy(values(0.0, 1000.0), 0).data == 1000.0


def test_cross_entropy_averages_a_batch_of_samples():
    one = cross_entropy([0.0, 0.0], 0).data        # log 2
    two = cross_entropy([0.0, math.log(3)], 0).data  # log 4
    assert cross_entropy([[0.0, 0.0], [0.0, math.log(3)]], [0, 0]).data == pytest.approx(
        (one + two) / 2)


def test_cross_entropy_refuses_an_out_of_range_class():
    with pytest.raises(ValueError, match=r"class index in 0..2, got 3"):
        cross_entropy(values(1.0, 2.0, 3.0), 3)


def test_hinge_loss_is_the_mean_margin_violation():
    scores = values(0.5, -2.0)
    loss = hinge_loss(scores, [1, -1])
    loss.backward()
    assert loss.data == 0.25                        # (max(0, 1 - 0.5) + max(0, 1 - 2)) / 2
    assert [s.grad for s in scores] == [-0.5, 0.0]


def test_hinge_loss_reads_label_0_as_minus_1():
    assert hinge_loss(Value(0.5), 0).data == hinge_loss(Value(0.5), -1).data == 1.5


def test_hinge_loss_refuses_other_labels():
    with pytest.raises(ValueError, match="label 2 is not -1/\\+1"):
        hinge_loss(Value(0.5), 2)


def test_l2_penalty_gives_the_textbook_regularised_gradient():
    # D = (1/m)(Delta + lambda * Theta) (Ng's machine-learning course): for the loss
    # mean of (w x)^2 / 2 over x = 1, 2, 3, Delta = w * (1 + 4 + 9) = 28 at w = 2, so with
    # lambda = 0.5 and m = 3, D = (28 + 0.5 * 2) / 3.
    w = Value(2.0)
    samples = [1.0, 2.0, 3.0]
    data_loss = sum((w * x) * (w * x) * 0.5 for x in samples) / len(samples)
    (data_loss + l2_penalty([w], 0.5, m=len(samples))).backward()
    assert w.grad == pytest.approx((28 + 0.5 * 2) / 3)


def test_l2_penalty_value():
    assert l2_penalty(values(1.0, 2.0), 0.1).data == pytest.approx(0.1 / 2 * 5)


ALL_BINARY_LOSSES = [mse_loss, binary_cross_entropy, binary_cross_entropy_with_logits,
                     hinge_loss]


@pytest.mark.parametrize("loss", ALL_BINARY_LOSSES)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_nan_or_infinite_target_is_refused_by_name(loss, bad):
    with pytest.raises(ValueError, match=rf"{loss.__name__}: target\[1\] must be finite"):
        loss(values(0.5, 0.5), [1, bad])


@pytest.mark.parametrize("loss", ALL_BINARY_LOSSES)
def test_a_nan_plain_number_prediction_is_refused_by_name(loss):
    with pytest.raises(ValueError, match=rf"{loss.__name__}: prediction must be finite"):
        loss(math.nan, 1)


@pytest.mark.parametrize("loss", ALL_BINARY_LOSSES)
def test_a_bool_prediction_is_a_type_error(loss):
    # `model(x).data > 0` passed by mistake would give a loss with no gradient
    with pytest.raises(TypeError, match="prediction\\[0\\] must be a number, not the bool"):
        loss([True, False], [1, 1])


@pytest.mark.parametrize("loss", ALL_BINARY_LOSSES)
def test_a_string_target_is_a_type_error(loss):
    with pytest.raises(TypeError, match=f"{loss.__name__}: target must be a number or a list "
                                        f"of numbers, got the string '1'"):
        loss(Value(0.5), "1")


@pytest.mark.parametrize("loss", ALL_BINARY_LOSSES)
def test_an_unordered_target_is_a_type_error(loss):
    with pytest.raises(TypeError, match="target must be .* got a set, which has no fixed order"):
        loss(values(0.5, 0.5), {0, 1})


@pytest.mark.parametrize("loss", [binary_cross_entropy, binary_cross_entropy_with_logits])
@pytest.mark.parametrize("label", [-1, 2, 1.5])
def test_binary_targets_outside_0_1_are_refused_with_the_mapping(loss, label):
    with pytest.raises(ValueError, match=rf"{loss.__name__}: target\[0\] is {label}, not in "
                                         rf"\[0, 1\].*\(y \+ 1\) / 2"):
        loss(values(0.5), [label])


@pytest.mark.parametrize("loss", [binary_cross_entropy, binary_cross_entropy_with_logits])
def test_bool_targets_are_0_1_labels(loss):
    p = [0.25, 0.75]
    assert loss(values(*p), [True, False]).data == loss(values(*p), [1, 0]).data


def test_hinge_loss_names_the_bad_label_by_position():
    with pytest.raises(ValueError, match=r"hinge_loss: target\[1\]: label 2 is not -1/\+1"):
        hinge_loss(values(0.5, 0.5), [1, 2])


def test_hinge_loss_reads_bool_labels_as_1_and_0():
    assert hinge_loss(values(0.5, 0.5), [True, False]).data == \
        hinge_loss(values(0.5, 0.5), [1, -1]).data


def test_cross_entropy_refuses_ragged_logits():
    with pytest.raises(ValueError, match=r"logits\[1\] has 2 logits but logits\[0\] has 3"):
        cross_entropy([[1.0, 2.0, 3.0], [1.0, 2.0]], [0, 1])


@pytest.mark.parametrize("target", [1.0, True])
def test_cross_entropy_target_must_be_an_int(target):
    with pytest.raises(TypeError, match=rf"class index in 0..1, got {target}; pass an int"):
        cross_entropy([1.0, 2.0], target)


@pytest.mark.parametrize("target", ["1", None, Value(1.0)])
def test_cross_entropy_target_that_is_not_a_number_is_a_type_error(target):
    with pytest.raises(TypeError, match="cross_entropy: target must be a class index"):
        cross_entropy([1.0, 2.0], target)


def test_cross_entropy_refuses_a_nan_logit_by_position():
    with pytest.raises(ValueError, match=r"cross_entropy: logits\[1\] must be finite"):
        cross_entropy([1.0, math.nan], 0)


@pytest.mark.parametrize("m", [0, -1])
def test_l2_penalty_m_below_1_is_a_value_error_naming_m(m):
    with pytest.raises(ValueError, match=rf"l2_penalty: m .*must be an int >= 1, got {m}"):
        l2_penalty(values(1.0), 1.0, m=m)


@pytest.mark.parametrize("m", [1.5, True])
def test_l2_penalty_m_must_be_an_int(m):
    with pytest.raises(TypeError, match="l2_penalty: m .*must be an int >= 1"):
        l2_penalty(values(1.0), 1.0, m=m)


@pytest.mark.parametrize("lam, message", [(-0.1, "must be >= 0"), (math.nan, "must be finite"),
                                          (math.inf, "must be finite")])
def test_l2_penalty_lam_must_be_finite_and_not_negative(lam, message):
    with pytest.raises(ValueError, match=f"l2_penalty: lam .*{message}"):
        l2_penalty(values(1.0), lam)


@pytest.mark.parametrize("lam, message", [("0.1", "must be a real number, got str"),
                                          (True, "not the bool True")])
def test_l2_penalty_lam_that_is_not_a_number_is_a_type_error(lam, message):
    with pytest.raises(TypeError, match=f"l2_penalty: lam .*{message}"):
        l2_penalty(values(1.0), lam)


def test_l2_penalty_lam_zero_is_allowed():
    assert l2_penalty(values(3.0), 0).data == 0.0


@pytest.mark.parametrize("huge", [10 ** 400, -10 ** 400])
def test_an_int_too_large_for_a_float_is_a_value_error_naming_the_argument(huge):
    with pytest.raises(ValueError, match=r"l2_penalty: lam .*must be finite \(too large for a "
                                         r"float\)"):
        l2_penalty(values(1.0), huge)
    with pytest.raises(ValueError, match=r"mse_loss: target\[0\] must be finite \(too large"):
        mse_loss(values(1.0), [huge])


def test_cross_entropy_refuses_an_unordered_batch_of_targets():
    with pytest.raises(TypeError, match="cross_entropy: target must be a class index or a list "
                                        "of them, got a set"):
        cross_entropy([[1.0, 2.0], [3.0, 4.0]], {0, 1})
