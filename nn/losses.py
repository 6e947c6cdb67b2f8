"""Loss functions: each takes a prediction and a target (one each, or equal-length lists of
them; Values or plain numbers) and returns a Value averaged over the samples."""
from __future__ import annotations

import math
from functools import reduce
from operator import add
from typing import Any, Iterable, Sequence, Union

from autograd_mini import Value

Scalar = Union[int, float, Value]

# PyTorch clamps log in binary_cross_entropy to >= -100 so that p = 0 or 1 gives a
# finite loss; below this probability the log term is that constant.
_LOG_FLOOR = -100.0
_TINY_PROBABILITY = math.exp(_LOG_FLOOR)


def mse_loss(prediction: Scalar | Sequence[Scalar], target: Scalar | Sequence[Scalar]) -> Value:
    """Mean of (prediction - target)**2."""
    return _mean(_pairs(prediction, target, "mse_loss"), _squared_error)


def binary_cross_entropy(prediction: Scalar | Sequence[Scalar],
                         target: Scalar | Sequence[Scalar]) -> Value:
    """Mean of -(y log p + (1 - y) log(1 - p)) for probabilities p in [0, 1], as PyTorch's
    (each log clamped at -100, so p = 0 or 1 gives a finite loss)."""
    return _mean(_pairs(prediction, target, "binary_cross_entropy"), _bce_term)


def binary_cross_entropy_with_logits(prediction: Scalar | Sequence[Scalar],
                                     target: Scalar | Sequence[Scalar]) -> Value:
    """binary_cross_entropy(sigmoid(x), y) computed from the logit x; exact for any |x|."""
    return _mean(_pairs(prediction, target, "binary_cross_entropy_with_logits"), _bce_logit_term)


def hinge_loss(prediction: Scalar | Sequence[Scalar], target: Scalar | Sequence[Scalar]) -> Value:
    """Mean of max(0, 1 - y * score), the max-margin loss of micrograd's demo.
    Labels are -1/+1; 0/1 labels are also accepted, 0 meaning -1."""
    return _mean(_pairs(prediction, target, "hinge_loss"), _hinge_term)


def cross_entropy(logits: Sequence[Scalar] | Sequence[Sequence[Scalar]],
                  target: int | Sequence[int]) -> Value:
    """-log softmax(logits)[target] for a list of logits and a class index, or the mean over
    a list of such lists and a list of indices; stable for logits of any size."""
    if _is_scalar(target):
        return _softmax_cross_entropy(logits, target)
    return _mean(_pairs(logits, target, "cross_entropy"), _softmax_cross_entropy)


def l2_penalty(parameters: Iterable[Value], lam: float, m: int = 1) -> Value:
    """(lam / (2 m)) * sum of squares: added to a loss averaged over m samples, the gradient
    becomes the textbook D = (1/m)(Delta + lam * Theta). Pass `model.weights()` to leave
    the biases unpenalised, as the textbook does."""
    return _as_value(reduce(add, (p * p for p in parameters), 0.0)) * (lam / (2.0 * m))


def _squared_error(p: Scalar, y: Scalar) -> Value:
    difference = p - y
    return difference * difference


def _bce_term(p: Scalar, y: Scalar) -> Value | float:
    p_data = p.data if isinstance(p, Value) else p
    if not 0.0 <= p_data <= 1.0:
        raise ValueError(f"binary_cross_entropy: prediction {p_data!r} is not a probability "
                         f"in [0, 1]; apply sigmoid first or use "
                         f"binary_cross_entropy_with_logits")
    # Terms with weight 0 are skipped: PyTorch gives them 0 * clamp(log(...)) = 0.
    loss = 0.0
    if y != 0:
        loss = loss - y * _clamped_log(p, p_data)
    if y != 1:
        loss = loss - (1 - y) * _clamped_log(1 - p, 1.0 - p_data)
    return loss


def _clamped_log(p: Scalar, p_data: float) -> Value | float:
    if p_data <= _TINY_PROBABILITY:
        return _LOG_FLOOR  # the clamp: constant, so no gradient, as in PyTorch
    return p.log() if isinstance(p, Value) else math.log(p)


def _bce_logit_term(x: Scalar, y: Scalar) -> Value | float:
    # -y log s(x) - (1-y) log(1 - s(x)) = (1 - y) x + log(1 + exp(-x))
    #                                   = -y x + log(1 + exp(x)).
    # Using the first form for x >= 0 and the second for x < 0 keeps exp's argument <= 0,
    # and both are smooth, so the gradient s(x) - y is exact everywhere, 0 included.
    x_data = x.data if isinstance(x, Value) else x
    if x_data >= 0:
        return (1 - y) * x + _log1p_exp(-x)
    return -y * x + _log1p_exp(x)


def _log1p_exp(z: Scalar) -> Value | float:
    return (z.exp() + 1.0).log() if isinstance(z, Value) else math.log1p(math.exp(z))


def _hinge_term(score: Scalar, y: Scalar) -> Value | float:
    label = y.data if isinstance(y, Value) else y
    if label == 0:
        y = -1
    elif label not in (-1, 1):
        raise ValueError(f"hinge_loss: label {label!r} is not -1/+1 (or 0/1); map the classes "
                         f"to -1 and +1")
    margin = 1 - score * y
    return margin.relu() if isinstance(margin, Value) else max(0.0, margin)


def _softmax_cross_entropy(logits: Sequence[Scalar], target: Any) -> Value:
    if _is_scalar(logits) or not logits:
        raise ValueError(f"cross_entropy: logits must be a non-empty list (one per class), "
                         f"got {logits!r}")
    if isinstance(target, bool) or not isinstance(target, int) or not 0 <= target < len(logits):
        raise ValueError(f"cross_entropy: target must be a class index in "
                         f"0..{len(logits) - 1}, got {target!r}")
    # log-sum-exp with the largest logit subtracted: every exp is <= 1, so logits of 1000
    # do not overflow. The shift is a constant: it cancels, so it needs no gradient.
    shift = max(z.data if isinstance(z, Value) else z for z in logits)
    total = reduce(add, ((z - shift).exp() if isinstance(z, Value) else math.exp(z - shift)
                         for z in logits))
    log_sum = total.log() if isinstance(total, Value) else math.log(total)
    return _as_value(log_sum + shift - logits[target])


def _is_scalar(x: Any) -> bool:
    return isinstance(x, (int, float, Value))


def _pairs(prediction: Any, target: Any, name: str) -> list[tuple[Scalar, Scalar]]:
    if _is_scalar(prediction) and _is_scalar(target):
        return [(prediction, target)]
    if _is_scalar(prediction) or _is_scalar(target):
        raise ValueError(f"{name}: prediction and target must both be single numbers or both "
                         f"lists, got {type(prediction).__name__} and {type(target).__name__}")
    if len(prediction) != len(target):
        raise ValueError(f"{name}: prediction has {len(prediction)} values but target has "
                         f"{len(target)}; they must have equal lengths")
    if not prediction:
        raise ValueError(f"{name}: empty prediction and target; give at least one value")
    return list(zip(prediction, target))


def _mean(pairs: list[tuple[Scalar, Scalar]], term: Any) -> Value:
    total = _as_value(reduce(add, (term(p, y) for p, y in pairs)))
    return total if len(pairs) == 1 else total / len(pairs)


def _as_value(x: Value | float) -> Value:
    return x if isinstance(x, Value) else Value(float(x))
