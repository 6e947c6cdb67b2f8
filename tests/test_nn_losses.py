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
