"""Loss functions: each takes a prediction and a target (one each, or equal-length lists of
them; Values, plain numbers, or numpy arrays and scalars) and returns a Value averaged over
the samples. A NaN, infinite or otherwise meaningless target is refused by name. fit also
takes them by the names of LOSSES ("mse", "bce", "bce_with_logits", "hinge", "cross_entropy")."""
from __future__ import annotations

import math
from collections.abc import Mapping
from functools import reduce
from operator import add
from types import MappingProxyType
from typing import Any, Callable, Iterable, Sequence, Union

from autograd_mini import Value
from nn._checks import as_list, check_int, check_real, is_number, plain, short_repr

Scalar = Union[int, float, Value]

# PyTorch clamps log in binary_cross_entropy to >= -100 so that p = 0 or 1 gives a
# finite loss; below this probability the log term is that constant.
_LOG_FLOOR = -100.0
_TINY_PROBABILITY = math.exp(_LOG_FLOOR)


def mse_loss(prediction: Scalar | Sequence[Scalar], target: Scalar | Sequence[Scalar]) -> Value:
    """Mean of (prediction - target)**2."""
    return _mean(_pairs(prediction, target, "mse_loss", _number_target), _squared_error)


def binary_cross_entropy(prediction: Scalar | Sequence[Scalar],
                         target: Scalar | Sequence[Scalar]) -> Value:
    """Mean of -(y log p + (1 - y) log(1 - p)) for probabilities p in [0, 1] and targets y in
    [0, 1], as PyTorch's (each log clamped at -100, so p = 0 or 1 gives a finite loss)."""
    return _mean(_pairs(prediction, target, "binary_cross_entropy", _probability_target),
                 _bce_term)


def binary_cross_entropy_with_logits(prediction: Scalar | Sequence[Scalar],
                                     target: Scalar | Sequence[Scalar]) -> Value:
    """binary_cross_entropy(sigmoid(x), y) computed from the logit x; exact for any |x|."""
    return _mean(_pairs(prediction, target, "binary_cross_entropy_with_logits",
                        _probability_target), _bce_logit_term)


def hinge_loss(prediction: Scalar | Sequence[Scalar], target: Scalar | Sequence[Scalar]) -> Value:
    """Mean of max(0, 1 - y * score), the max-margin loss of micrograd's demo.
    Labels are -1/+1; 0/1 labels (and booleans) are also accepted, 0 meaning -1."""
    return _mean(_pairs(prediction, target, "hinge_loss", _hinge_label), _hinge_term)


def cross_entropy(logits: Sequence[Scalar] | Sequence[Sequence[Scalar]],
                  target: int | Sequence[int]) -> Value:
    """-log softmax(logits)[target] for a list of logits and a class index, or the mean over
    a list of such lists and a list of indices; stable for logits of any size."""
    target = plain(target)
    if not hasattr(target, "__len__") or isinstance(target, (str, bytes)):  # one sample
        row = _logit_row(logits, "cross_entropy: logits")
        return _softmax_cross_entropy(row, _class_index(target, len(row), "cross_entropy: target"))
    pairs = _pairs(logits, target, "cross_entropy", _keep, prediction_name="logits",
                   check_prediction=_logit_row, targets="a class index or a list of them")
    classes = len(pairs[0][0])
    samples = []
    for i, (row, label) in enumerate(pairs):
        if len(row) != classes:
            raise ValueError(f"cross_entropy: logits[{i}] has {len(row)} logits but logits[0] "
                             f"has {classes}; give every sample one logit per class")
        samples.append((row, _class_index(label, classes, f"cross_entropy: target[{i}]")))
    return _mean(samples, _softmax_cross_entropy)


def l2_penalty(parameters: Iterable[Value], lam: float, m: int = 1) -> Value:
    """(lam / (2 m)) * sum of squares: added to a loss averaged over m samples, the gradient
    becomes the textbook D = (1/m)(Delta + lam * Theta). Pass `model.weights()` to leave
    the biases unpenalised, as the textbook does."""
    lam = check_real(lam, "l2_penalty: lam (the regularisation strength)", least=0.0)
    m = check_int(m, "l2_penalty: m (the number of samples the loss averages over)", 1)
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
    margin = 1 - score * y
    return margin.relu() if isinstance(margin, Value) else max(0.0, margin)


def _softmax_cross_entropy(logits: list[Scalar], target: int) -> Value:
    # log-sum-exp with the largest logit subtracted: every exp is <= 1, so logits of 1000
    # do not overflow. The shift is a constant: it cancels, so it needs no gradient.
    shift = max(z.data if isinstance(z, Value) else z for z in logits)
    total = reduce(add, ((z - shift).exp() if isinstance(z, Value) else math.exp(z - shift)
                         for z in logits))
    log_sum = total.log() if isinstance(total, Value) else math.log(total)
    return _as_value(log_sum + shift - logits[target])


def _is_single(x: Any) -> bool:
    return isinstance(x, Value) or is_number(x)


def _pairs(prediction: Any, target: Any, name: str, check_target: Callable[[Any, str], Any], *,
           prediction_name: str = "prediction",
           check_prediction: Callable[[Any, str], Any] | None = None,
           targets: str = "a number or a list of numbers") -> list[tuple[Any, Any]]:
    """(prediction, target) pairs, each checked, from one of each or from equal-length lists
    (numpy arrays and scalars are read as the lists and numbers they hold)."""
    if check_prediction is None and prediction.__class__ is Value and target.__class__ in (
            int, float):  # fit's case: one Value and one plain number, what the rest passes
        return [(prediction, check_target(target, f"{name}: target"))]
    check_prediction = check_prediction or _prediction
    prediction, target = plain(prediction), plain(target)
    single = _is_single(prediction)
    if single and _is_single(target):
        return [(check_prediction(prediction, f"{name}: {prediction_name}"),
                 check_target(target, f"{name}: target"))]
    if not single:
        prediction = as_list(prediction, f"{name}: {prediction_name}",
                             "a Value, a number or a list of them")
    if not _is_single(target):
        target = as_list(target, f"{name}: target", targets)
    if single or _is_single(target):
        raise ValueError(f"{name}: {prediction_name} and target must both be single numbers "
                         f"or both lists, got {_kind(prediction)} and {_kind(target)}")
    if len(prediction) != len(target):
        raise ValueError(f"{name}: {prediction_name} has {len(prediction)} values but target "
                         f"has {len(target)}; they must have equal lengths")
    if not prediction:
        raise ValueError(f"{name}: empty {prediction_name} and target; give at least one value")
    return [(check_prediction(p, f"{name}: {prediction_name}[{i}]"),
             check_target(y, f"{name}: target[{i}]"))
            for i, (p, y) in enumerate(zip(prediction, target))]


def _kind(x: Any) -> str:
    return f"a list of {len(x)}" if isinstance(x, list) else f"a single {type(x).__name__}"


def _prediction(p: Any, where: str) -> Scalar:
    """A Value as it is; a plain number must be finite, and not a bool."""
    return p if isinstance(p, Value) else check_real(p, where)


def _number_target(y: Any, where: str) -> Scalar:
    """A Value as it is; a finite number, a bool read as 0/1."""
    return y if isinstance(y, Value) else check_real(y, where, bools=True)


def _probability_target(y: Any, where: str) -> Scalar:
    y = _number_target(y, where)
    label = y.data if isinstance(y, Value) else y
    if not 0 <= label <= 1:
        raise ValueError(f"{where} is {label!r}, not in [0, 1]: binary targets are 0/1 labels "
                         f"or probabilities; map -1/+1 labels to 0/1 with (y + 1) / 2")
    return y


def _hinge_label(y: Any, where: str) -> Scalar:
    y = _number_target(y, where)
    label = y.data if isinstance(y, Value) else y
    if label == 0:
        return -1
    if label not in (-1, 1):
        raise ValueError(f"{where}: label {label!r} is not -1/+1 (or 0/1); map the classes "
                         f"to -1 and +1")
    return y


def _logit_row(logits: Any, where: str) -> list[Scalar]:
    logits = plain(logits)
    row = as_list(logits, where, "a non-empty list of logits (one per class)")
    if not row:
        raise ValueError(f"{where} must be a non-empty list (one per class), got "
                         f"{short_repr(logits)}")
    return [_prediction(z, f"{where}[{j}]") for j, z in enumerate(row)]


def _class_index(target: Any, classes: int, where: str) -> int:
    return check_int(target, where, 0, most=classes - 1,
                     expected=f"a class index in 0..{classes - 1}")


def _keep(y: Any, where: str) -> Any:
    return y


def _mean(pairs: list[tuple[Scalar, Scalar]], term: Any) -> Value:
    if len(pairs) == 1:
        return _as_value(term(*pairs[0]))
    return _as_value(reduce(add, (term(p, y) for p, y in pairs))) / len(pairs)


def _as_value(x: Value | float) -> Value:
    return x if isinstance(x, Value) else Value(float(x))


# The names fit takes for its loss, as Keras users write them.
LOSSES: Mapping[str, Callable[[Any, Any], Value]] = MappingProxyType({
    "mse": mse_loss, "bce": binary_cross_entropy,
    "bce_with_logits": binary_cross_entropy_with_logits, "hinge": hinge_loss,
    "cross_entropy": cross_entropy})
