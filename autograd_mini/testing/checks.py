"""check_grads and check_params: derivatives against central differences, any order.

check_grads follows HIPS autograd's and JAX's check_grads: along a random direction v
(seeded), reverse mode's u . J v (u a random cotangent) and forward mode's J v are
compared with central differences of f, then the same is done for the derivative
functions themselves (u . J and J v as functions of the inputs) up to `order`, every
mode after every mode. A disagreement raises GradcheckError (an AssertionError, so
pytest and hypothesis show and shrink it) with a table of every check made.
"""
from __future__ import annotations

import math
import random
from typing import Any, Callable, NamedTuple, Sequence

from autograd_mini.engine import Value
from autograd_mini.functional import GradcheckError
from autograd_mini.numeric import to_float
from autograd_mini.transforms import jvp, vjp

__all__ = ["check_grads", "check_params", "GradcheckError"]

MODES = ("rev", "fwd")
_SMALLEST_SCALE = 1e-2


class _Check(NamedTuple):
    """One comparison: which derivative, at which inputs, along which direction."""

    what: str            # "rev", "fwd of rev", ...
    inputs: list[float]
    direction: list[float]
    analytic: float
    numeric: float
    error: float
    ok: bool


def check_grads(f: Callable[..., Any], args: Any, order: int = 2,
                modes: Sequence[str] = MODES, *, eps: float = 1e-5, atol: float = 1e-6,
                rtol: float = 1e-5, seed: int = 0) -> None:
    """Check f's derivatives at `args` (a number or a sequence of numbers, one per
    argument of f) against central differences, in reverse ("rev") and forward ("fwd")
    mode, to `order` (2: the derivatives of the derivatives too). f takes Values and
    returns a Value, a number or a list/tuple of them.

    The direction moves each input by a random multiple of its size (at least 0.01), the
    step along it is eps; a derivative passes when
    |analytic - numeric| <= atol + rtol * max(|analytic|, |numeric|). Raises
    GradcheckError with a table of the checks; returns None when all pass.
    """
    points = _points(args, "check_grads")
    order = _order(order)
    modes = _modes(modes)
    settings = _Settings(eps, atol, rtol)
    rng = random.Random(seed)
    checks: list[_Check] = []
    _check(f, points, order, modes, settings, rng, "", checks)
    failed = [check for check in checks if not check.ok]
    if failed:
        raise GradcheckError(_table(f"check_grads: {len(failed)} of {len(checks)} derivatives "
                                    f"of {_name(f)} disagree with central differences "
                                    f"({settings})", checks))


class _Settings(NamedTuple):
    eps: float
    atol: float
    rtol: float

    def __str__(self) -> str:
        return f"eps={self.eps}, atol={self.atol}, rtol={self.rtol}"

    def step(self, x: float) -> float:
        """A parameter's step: eps scaled to its size, at least eps."""
        return self.eps * max(1.0, abs(x))

    def passes(self, analytic: float, numeric: float) -> bool:
        scale = max(abs(analytic), abs(numeric))
        return abs(analytic - numeric) <= self.atol + self.rtol * scale


def _check(f: Callable[..., Any], points: list[float], order: int, modes: Sequence[str],
           settings: _Settings, rng: random.Random, done: str, checks: list[_Check]) -> None:
    for mode in modes:
        # each input moves in proportion to its own size (at least 0.01): near a domain's
        # edge at 0 (log at 1e-3) the step stays small enough for a sharp difference
        direction = [rng.gauss(0.0, 1.0) * max(abs(x), _SMALLEST_SCALE) for x in points]
        what = f"{mode} of {done}" if done else mode
        if mode == "fwd":
            derivative = _check_forward(f, points, direction, settings, what, checks)
        else:
            cotangent = _cotangent(f, points, rng)
            derivative = _check_reverse(f, points, direction, cotangent, settings, what, checks)
        if order > 1:
            _check(derivative, points, order - 1, modes, settings, rng, what, checks)


def _check_forward(f: Callable[..., Any], points: list[float], direction: list[float],
                   settings: _Settings, what: str, checks: list[_Check]) -> Callable[..., Any]:
    """Compare J v with central differences of f along v; return x -> J(x) v."""
    _, tangent = jvp(f, points, direction)
    analytic = _flat(tangent)
    numeric = _difference(f, points, direction, settings, what)
    for a, n in zip(analytic, numeric):
        checks.append(_Check(what, points, direction, a, n, abs(a - n), settings.passes(a, n)))
    return lambda *xs: jvp(f, xs, direction)[1]


def _check_reverse(f: Callable[..., Any], points: list[float], direction: list[float],
                   cotangent: Any, settings: _Settings, what: str,
                   checks: list[_Check]) -> Callable[..., Any]:
    """Compare (u . J) . v with central differences of u . f along v; return x -> u . J(x)."""
    _, pullback = vjp(f, *points)
    row = _flat(pullback(cotangent))
    analytic = math.fsum(g * v for g, v in zip(row, direction))
    weights = _flat(cotangent)

    def projected(*xs: Any) -> Any:
        return _dot(weights, f(*xs))

    (numeric,) = _difference(projected, points, direction, settings, what)
    checks.append(_Check(what, points, direction, analytic, numeric, abs(analytic - numeric),
                         settings.passes(analytic, numeric)))
    return lambda *xs: vjp(f, *xs)[1](cotangent)


def _cotangent(f: Callable[..., Any], points: list[float], rng: random.Random) -> Any:
    """A random cotangent shaped as f's output at points."""
    return _shaped(f(*(Value(x) for x in points)), rng)


def _shaped(out: Any, rng: random.Random) -> Any:
    if isinstance(out, (list, tuple)):
        return type(out)(_shaped(x, rng) for x in out)
    return rng.gauss(0.0, 1.0)


def _difference(f: Callable[..., Any], points: list[float], direction: list[float],
                settings: _Settings, what: str) -> list[float]:
    """Central differences of f's outputs along direction (scaled to the inputs)."""
    h = settings.eps  # the direction is already scaled to the inputs
    ends = []
    for sign in (1.0, -1.0):
        shifted = [x + sign * h * v for x, v in zip(points, direction)]
        try:
            ends.append(_flat(f(*(Value(x) for x in shifted))))
        except ValueError as error:  # a DomainError, FloatOverflowError, ...
            raise ValueError(f"check_grads ({what}): {_name(f)} failed a step of {h:g} "
                             f"away from {points}: {error}. Move the point away from the "
                             "domain's edge, or lower eps") from error
    return [(plus - minus) / (2.0 * h) for plus, minus in zip(*ends)]


def _dot(weights: list[float], out: Any) -> Any:
    total: Any = 0.0
    for w, x in zip(weights, _leaves(out)):
        total = total + w * x
    return total


def _leaves(out: Any) -> list[Any]:
    if isinstance(out, (list, tuple)):
        return [leaf for x in out for leaf in _leaves(x)]
    return [out]


def _flat(out: Any) -> list[float]:
    """f's output as floats, in order (a Value's data)."""
    return [x.data if isinstance(x, Value) else to_float(x, "check_grads: f's output")
            for x in _leaves(out)]


def check_params(loss_fn: Callable[[], Value], params: Sequence[Value], *, eps: float = 1e-6,
                 atol: float = 1e-6, rtol: float = 1e-5) -> None:
    """Check the backprop gradient of `loss_fn()` (which rebuilds the loss from the
    parameters' current .data) for every parameter against central differences. Every
    .data and .grad is left exactly as it was; raises GradcheckError with a table of the
    parameters that disagree."""
    params = list(params)
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"check_params: params[{i}] is {type(p).__name__} {p!r}, not a "
                            "Value; pass model.parameters()")
    settings = _Settings(eps, atol, rtol)
    saved = [(p._data, p._grad) for p in params]  # the slots: None and Value grads too
    try:
        for p in params:
            p._grad = 0.0
        loss = _loss(loss_fn)
        loss.backward()
        analytic = [float(p.grad.data if isinstance(p.grad, Value) else p.grad or 0.0)
                    for p in params]
        numeric = [_parameter_difference(loss_fn, p, settings) for p in params]
    finally:
        for p, (data, grad) in zip(params, saved):
            p._data, p._grad = data, grad
    rows = [_Check(p.label or f"params[{i}]", [p._data], [1.0], a, n, abs(a - n),
                   settings.passes(a, n))
            for i, (p, a, n) in enumerate(zip(params, analytic, numeric))]
    failed = [row for row in rows if not row.ok]
    if failed:
        raise GradcheckError(_table(f"check_params: {len(failed)} of {len(rows)} parameter "
                                    f"gradients of {_name(loss_fn)} disagree with central "
                                    f"differences ({settings})", failed, "parameter"))


def _loss(loss_fn: Callable[[], Value]) -> Value:
    loss = loss_fn()
    if not isinstance(loss, Value):
        raise TypeError(f"check_params: {_name(loss_fn)}() returned {type(loss).__name__}, "
                        "not a Value: it must rebuild the loss from the parameters")
    return loss


def _parameter_difference(loss_fn: Callable[[], Value], p: Value, settings: _Settings) -> float:
    x = p._data
    h = settings.step(x)
    ends = []
    for shifted in (x + h, x - h):
        p._data = shifted
        ends.append(_loss(loss_fn).data)
    p._data = x
    return (ends[0] - ends[1]) / (2.0 * h)


def _points(args: Any, where: str) -> list[float]:
    if isinstance(args, (int, float)) or getattr(args, "shape", None) == ():
        args = [args]
    if not isinstance(args, Sequence) and not hasattr(args, "tolist"):
        raise TypeError(f"{where}: args must be a number or a sequence of numbers (one per "
                        f"argument of f), got {type(args).__name__} {args!r}")
    if hasattr(args, "tolist"):
        args = args.tolist()
    return [to_float(x, f"{where}: args[{i}]") for i, x in enumerate(args)]


def _order(order: Any) -> int:
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"check_grads: order must be an int >= 1, got {order!r}")
    return order


def _modes(modes: Any) -> tuple[str, ...]:
    found = (modes,) if isinstance(modes, str) else tuple(modes)
    unknown = [m for m in found if m not in MODES]
    if unknown or not found:
        raise ValueError(f"check_grads: modes must be among {MODES}, got {modes!r}")
    return found


def _table(headline: str, checks: list[_Check], first: str = "derivative") -> str:
    lines = [headline, f"  {first:<14} {'input':<24} {'direction':<24} {'analytic':>16} "
                       f"{'numeric':>16} {'error':>10}"]
    for c in checks:
        lines.append(f"  {c.what:<14} {_numbers(c.inputs):<24} {_numbers(c.direction):<24} "
                     f"{c.analytic:>16.10g} {c.numeric:>16.10g} {c.error:>10.3g}"
                     f"{'' if c.ok else '  FAIL'}")
    return "\n".join(lines)


def _numbers(xs: Sequence[float]) -> str:
    return "(" + ", ".join(f"{x:.4g}" for x in xs) + ")"


def _name(f: Callable[..., Any]) -> str:
    return getattr(f, "__name__", repr(f))
