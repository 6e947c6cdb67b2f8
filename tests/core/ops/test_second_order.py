"""Second derivatives of every op against mpmath across the float range: each row of
ops.py and each operator on its three sides (x op y, x op c, c op x), at inputs from
1e-300 to 1e300, inside functions that scale them, f(t) = w * op(s * t) (s and w powers
of two, so that the scaling is exact). grad(grad(f)) and hessian must agree with the
reference to 1e-12 wherever the true second derivative and every number the two passes
hold on the way (operands, values, first derivatives, the gradients each pass carries)
are ordinary floats: a local slope of a rule that underflows must never lose a path."""
from __future__ import annotations

import math
import sys
from typing import Callable, NamedTuple

import mpmath
import pytest

from autograd_mini import Value, grad, hessian
from autograd_mini import ops

mp = mpmath.mp
SMALLEST_NORMAL = mpmath.mpf(sys.float_info.min)
LARGEST = mpmath.mpf(sys.float_info.max)
TOLERANCE = 1e-12

MAGNITUDES = [10.0 ** k for k in range(-300, 301, 25)] + [0.5, 3.0, 30.0, 700.0]
# Away from the zeros of silu'' and gelu'' (-2.40 and +-1.41), where any float formula
# loses relative digits to cancellation.
POINTS = sorted(MAGNITUDES + [-m for m in MAGNITUDES])
SCALES = [2.0 ** k for k in (-900, -450, 0, 450, 900)]
# Coarser for the operators, whose sweeps run over pairs.
PAIR_MAGNITUDES = [10.0 ** k for k in range(-300, 301, 100)] + [0.5, 3.0]
PAIR_POINTS = sorted(PAIR_MAGNITUDES + [-m for m in PAIR_MAGNITUDES])
PAIR_SCALES = [2.0 ** k for k in (-600, 0, 600)]
EXPONENTS = [-3.5, -2.0, -1.0, -0.5, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 7.0, 1e-30, -1e-10, 1e5]


def _ordinary(*numbers: mpmath.mpf) -> bool:
    """Each number is 0 or a normal float: representable to full precision."""
    return all(n == 0 or SMALLEST_NORMAL <= abs(n) <= LARGEST for n in numbers)


def _wrong(got: float, want: mpmath.mpf) -> bool:
    return abs(mpmath.mpf(got) - want) > TOLERANCE * abs(want)


# -- the reference: each row's value, first and second derivative, exactly -------
def _sigmoid(x):
    return 1 / (1 + mpmath.exp(-x))


def _erfc(x):
    if abs(x) < 1e6:
        return mpmath.erfc(x)
    # (mpmath's erfc fails at 1e175) far out, the leading term: no float holds it anyway
    tail = mpmath.exp(-x * x) / (abs(x) * mpmath.sqrt(mpmath.pi))
    return tail if x > 0 else 2 - tail


def _erf(x):
    return mpmath.erf(x) if abs(x) < 1e6 else mpmath.sign(x) * (1 - _erfc(abs(x)))


def _phi(x):  # the standard normal density
    return mpmath.exp(-x * x / 2) / mpmath.sqrt(2 * mpmath.pi)


def _cdf(x):
    return _erfc(-x / mpmath.sqrt(2)) / 2


def _relu(x):
    return (x, 1, 0) if x > 0 else (0, 0, 0)


def _elu(x, alpha=1):
    return (x, 1, 0) if x > 0 else (alpha * mpmath.expm1(x), alpha * mpmath.exp(x),
                                    alpha * mpmath.exp(x))


# name -> x -> (f, f', f''), written without cancellation (sigmoid's 1 - 2 sigmoid(x)
# is -tanh(x / 2)); None outside the row's domain.
REFERENCE: dict[str, Callable] = {
    "neg": lambda x: (-x, -1, 0),
    "abs": lambda x: (abs(x), mpmath.sign(x), 0) if x else None,
    "exp": lambda x: (mpmath.exp(x),) * 3,
    "log": lambda x: (mpmath.log(x), 1 / x, -1 / x ** 2) if x > 0 else None,
    "sqrt": lambda x: (mpmath.sqrt(x), 1 / (2 * mpmath.sqrt(x)), -1 / (4 * x * mpmath.sqrt(x)))
    if x > 0 else None,
    "log1p": lambda x: (mpmath.log1p(x), 1 / (1 + x), -1 / (1 + x) ** 2) if x > -1 else None,
    "expm1": lambda x: (mpmath.expm1(x), mpmath.exp(x), mpmath.exp(x)),
    "sin": lambda x: (mpmath.sin(x), mpmath.cos(x), -mpmath.sin(x)),
    "cos": lambda x: (mpmath.cos(x), -mpmath.sin(x), -mpmath.cos(x)),
    "tan": lambda x: (mpmath.tan(x), mpmath.sec(x) ** 2, 2 * mpmath.tan(x) * mpmath.sec(x) ** 2),
    "atan": lambda x: (mpmath.atan(x), 1 / (1 + x * x), -2 * x / (1 + x * x) ** 2),
    "sinh": lambda x: (mpmath.sinh(x), mpmath.cosh(x), mpmath.sinh(x)),
    "cosh": lambda x: (mpmath.cosh(x), mpmath.sinh(x), mpmath.cosh(x)),
    "tanh": lambda x: (mpmath.tanh(x), mpmath.sech(x) ** 2,
                       -2 * mpmath.tanh(x) * mpmath.sech(x) ** 2),
    "sigmoid": lambda x: (_sigmoid(x), _sigmoid(x) * _sigmoid(-x),
                          -_sigmoid(x) * _sigmoid(-x) * mpmath.tanh(x / 2)),
    "erf": lambda x: (_erf(x), 2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-x * x),
                      -4 * x / mpmath.sqrt(mpmath.pi) * mpmath.exp(-x * x)),
    "erfc": lambda x: (_erfc(x), -2 / mpmath.sqrt(mpmath.pi) * mpmath.exp(-x * x),
                       4 * x / mpmath.sqrt(mpmath.pi) * mpmath.exp(-x * x)),
    "relu": _relu,
    # the bound included, as torch.clamp: the slope is 1 at x = 0
    "clamp_min": lambda x: (x, 1, 0) if x >= 0 else (0, 0, 0),
    "clamp_max": lambda x: (x, 1, 0) if x <= 0 else (0, 0, 0),
    "leaky_relu": lambda x: (x, 1, 0) if x > 0 else (0.01 * x, mpmath.mpf(0.01), 0),
    "elu": _elu,
    "softplus": lambda x: (mpmath.log1p(mpmath.exp(x)), _sigmoid(x),
                           _sigmoid(x) * _sigmoid(-x)),
    "silu": lambda x: (x * _sigmoid(x), _sigmoid(x) * (1 + x * _sigmoid(-x)),
                       _sigmoid(x) * _sigmoid(-x) * (2 - x * mpmath.tanh(x / 2))),
    "gelu": lambda x: (x * _cdf(x), _cdf(x) + x * _phi(x), _phi(x) * (2 - x * x)),
}


class Derivatives(NamedTuple):
    """An op at a point: its value, its first derivatives, its second derivatives (for two
    operands: d/dx, d/dy and dxx, dxy, dyy)."""

    value: mpmath.mpf
    first: tuple
    second: tuple


def _at(reference: Callable, *point: float) -> Derivatives | None:
    with mpmath.workprec(160):
        exact = reference(*map(mpmath.mpf, point))
    if exact is None:
        return None
    value, first, second = exact
    return Derivatives(value, first if isinstance(first, tuple) else (first,),
                       second if isinstance(second, tuple) else (second,))


# -- the sweeps ------------------------------------------------------------------
def _exactly_scaled(x: float, s: float) -> float | None:
    t = x / s
    return t if t * s == x and _ordinary(mpmath.mpf(t)) and t != 0 else None


def sweep_one_input(apply: Callable[[Value], Value], reference: Callable, points: list[float],
                    scales: list[float]) -> list:
    """grad(grad(t -> w * apply(s * t))) against the reference, at every point and pair
    of scales where every number on the way is ordinary: the failures."""
    failures = []
    for x in points:
        exact = _at(reference, x)
        if exact is None:
            continue
        value, (slope,), (curvature,) = exact
        for s in scales:
            t = _exactly_scaled(x, s)
            for w in scales if t is not None else ():
                s_, w_ = mpmath.mpf(s), mpmath.mpf(w)
                want = w_ * s_ * s_ * curvature
                if not _ordinary(mpmath.mpf(x), value, w_ * value, slope, w_ * slope,
                                 w_ * s_ * slope, w_ * s_, w_ * s_ * curvature, want):
                    continue
                got = grad(grad(lambda v, s=s, w=w: apply(v * s) * w))(t)
                if _wrong(got, want):
                    failures.append((x, s, w, got, float(want)))
    return failures


def sweep_two_inputs(apply: Callable[[Value, Value], Value], reference: Callable,
                     pairs: list[tuple[float, float]], scales: list[float]) -> list:
    """hessian((t1, t2) -> w * apply(s1 * t1, s2 * t2)) against the reference, likewise."""
    failures = []
    for x, y in pairs:
        exact = _at(reference, x, y)
        if exact is None:
            continue
        for s1 in scales:
            for s2 in scales:
                t1, t2 = _exactly_scaled(x, s1), _exactly_scaled(y, s2)
                for w in scales if t1 is not None and t2 is not None else ():
                    want = _scaled_hessian(exact, (s1, s2), w, x, y)
                    if want is None:
                        continue
                    h = hessian(lambda a, b, s1=s1, s2=s2, w=w: apply(a * s1, b * s2) * w,
                                argnums=(0, 1))(t1, t2)
                    got = (h[0][0], h[0][1], h[1][1])
                    if any(map(_wrong, got, want)):
                        failures.append((x, y, s1, s2, w, got, [float(v) for v in want]))
    return failures


def _scaled_hessian(exact: Derivatives, scales: tuple[float, float], w: float, x: float,
                    y: float) -> tuple | None:
    """The Hessian of w * op(s1 t1, s2 t2), or None where a number on the way is not
    ordinary."""
    s, w_ = tuple(map(mpmath.mpf, scales)), mpmath.mpf(w)
    dxx, dxy, dyy = exact.second
    second = {(0, 0): dxx, (0, 1): dxy, (1, 0): dxy, (1, 1): dyy}
    on_the_way = [mpmath.mpf(x), mpmath.mpf(y), exact.value, w_ * exact.value]
    for i in (0, 1):
        on_the_way += [exact.first[i], w_ * exact.first[i], w_ * s[i] * exact.first[i],
                       w_ * s[i]]
        on_the_way += [w_ * s[i] * second[i, j] for j in (0, 1)]
    want = (w_ * s[0] * s[0] * dxx, w_ * s[0] * s[1] * dxy, w_ * s[1] * s[1] * dyy)
    return want if _ordinary(*on_the_way, *want) else None


# -- every row -------------------------------------------------------------------
def test_every_row_has_a_reference() -> None:
    assert set(REFERENCE) == {row.name for row in ops.UNARY}, \
        "give the new row its exact derivatives in REFERENCE"


@pytest.mark.parametrize("row", ops.UNARY, ids=lambda row: row.name)
def test_row_second_derivatives_hold_across_the_float_range(row: ops.Unary) -> None:
    method = getattr(Value, row.method or row.name)
    failures = sweep_one_input(method, REFERENCE[row.name], POINTS, SCALES)
    assert not failures, f"{len(failures)} wrong (x, s, w, got, want): {failures[:5]}"


# -- the operators on their three sides --------------------------------------------
def _power(x, y):
    if x < 0 and y != int(y) or x == 0 and y <= 0:
        return None
    log = mpmath.log(abs(x)) if x else 0
    return (x ** y, (y * x ** (y - 1), x ** y * log),
            (y * (y - 1) * x ** (y - 2), x ** (y - 1) * (1 + y * log), x ** y * log ** 2))


OPERATORS = {
    "+": (lambda a, b: a + b, lambda x, y: (x + y, (1, 1), (0, 0, 0))),
    "-": (lambda a, b: a - b, lambda x, y: (x - y, (1, -1), (0, 0, 0))),
    "*": (lambda a, b: a * b, lambda x, y: (x * y, (y, x), (0, 1, 0))),
    "/": (lambda a, b: a / b, lambda x, y: (x / y, (1 / y, -x / y ** 2),
                                            (0, -1 / y ** 2, 2 * x / y ** 3)) if y else None),
    "**": (lambda a, b: a ** b, _power),
}


def test_every_operator_has_a_reference() -> None:
    assert set(OPERATORS) == {row.symbol for row in ops.BINARY}


def _pairs(symbol: str) -> list[tuple[float, float]]:
    if symbol == "**":  # a Value exponent needs a positive base
        return [(x, y) for x in PAIR_MAGNITUDES for y in EXPONENTS]
    return [(x, y) for x in PAIR_POINTS for y in PAIR_POINTS]


@pytest.mark.parametrize("symbol", sorted(OPERATORS))
def test_operator_between_values_has_the_exact_hessian(symbol: str) -> None:
    apply, reference = OPERATORS[symbol]
    failures = sweep_two_inputs(apply, reference, _pairs(symbol), PAIR_SCALES)
    assert not failures, f"{len(failures)} wrong (x, y, s1, s2, w, got, want): {failures[:3]}"


def _one_side(reference: Callable, side: str, c: float) -> Callable:
    """The reference of x op c (side "right") or c op x ("left") as a function of x."""
    def at(x):
        exact = reference(x, c) if side == "right" else reference(c, x)
        if exact is None:
            return None
        value, first, second = exact
        return (value, first[0], second[0]) if side == "right" else (value, first[1], second[2])
    return at


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("symbol", sorted(OPERATORS))
def test_operator_with_a_number_has_the_exact_second_derivative(symbol: str, side: str) -> None:
    apply, reference = OPERATORS[symbol]
    # x ** c for any real c; c ** x for a positive c only (a negative base has no real
    # slope in the exponent)
    constants = {("**", "right"): EXPONENTS, ("**", "left"): PAIR_MAGNITUDES}.get(
        (symbol, side), PAIR_POINTS)
    failures = []
    for c in constants:
        with_number = ((lambda v, c=c: apply(v, c)) if side == "right"
                       else (lambda v, c=c: apply(c, v)))
        points = PAIR_MAGNITUDES if symbol == "**" and side == "left" else PAIR_POINTS
        failures += [(c, *failure) for failure in sweep_one_input(
            with_number, lambda x, c=c: _one_side(reference, side, mpmath.mpf(c))(x),
            points, PAIR_SCALES)]
    assert not failures, f"{len(failures)} wrong (c, x, s, w, got, want): {failures[:3]}"


# -- the examples ------------------------------------------------------------
def test_second_derivative_of_a_number_over_a_large_product_keeps_both_paths() -> None:
    # d2/dx2 1 / (c x) = 2 / (c x^3); every quantity ordinary, but -out/u has the slope
    # out / u^2 = 8e-360 with respect to u = 5e119, which underflowed and lost half of it
    f = lambda x: 1 / (1e120 * x)
    assert grad(grad(f))(0.5) == pytest.approx(1.6e-119, rel=TOLERANCE, abs=0)
    assert hessian(f)(0.5) == pytest.approx(1.6e-119, rel=TOLERANCE, abs=0)


def test_second_derivative_of_a_value_over_a_value_keeps_both_paths() -> None:
    h = hessian(lambda x, y: x / (y * 1e120), argnums=(0, 1))(1.0, 0.5)
    assert h[1][1] == pytest.approx(1.6e-119, rel=TOLERANCE, abs=0)
    assert h[0][1] == h[1][0] == pytest.approx(-4e-120, rel=TOLERANCE, abs=0)


def test_create_graph_then_backward_keeps_both_paths() -> None:
    x = Value(0.5)
    (1 / (1e120 * x)).backward(create_graph=True)
    first = x.grad
    x.grad = 0.0
    first.backward()
    assert x.grad == pytest.approx(1.6e-119, rel=TOLERANCE, abs=0)


def test_ordinary_numbers_keep_the_plain_division_in_a_rule() -> None:
    # the scaled forms are for the extremes only: create_graph builds no more nodes
    x, y = Value(1.5), Value(2.0)
    out = x / y
    d_numerator, d_divisor = out.local_grads_fn(out, x, y)
    assert d_numerator.op == "/" and d_numerator.parents == (y,)
    assert d_divisor.op == "/" and d_divisor.parents[1] is y
