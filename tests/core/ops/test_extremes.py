"""Exact at extreme inputs: where a naive formula loses its digits, underflows to 0 or
meets inf * 0 (far out, near 0, next to a pole or a domain edge), each op still gives
the exact value and slope."""
from __future__ import annotations

import math

import pytest

from autograd_mini import Value, grad
from op_cases import EPS, HALF_PI, TINY


@pytest.mark.parametrize("name", ["softplus", "silu", "gelu"])
def test_activations_at_1000_pass_x_through_with_slope_1(name: str) -> None:
    x = Value(1000.0)
    out = getattr(x, name)()
    out.backward()
    assert (out.data, x.grad) == (1000.0, 1.0)


@pytest.mark.parametrize("name", ["softplus", "silu", "gelu"])
def test_activations_at_minus_1000_are_zero_with_slope_0_not_nan(name: str) -> None:
    x = Value(-1000.0)
    out = getattr(x, name)()
    out.backward()
    assert (out.data, x.grad) == (0.0, 0.0)  # e^-1000 underflows; no inf * 0 on the way


def test_softplus_keeps_its_tiny_tail_where_log_of_1_plus_exp_rounds_to_0() -> None:
    assert Value(-40.0).softplus().data == math.log1p(math.exp(-40.0)) > 0.0
    assert Value(-700.0).softplus().data == pytest.approx(math.exp(-700.0), rel=4 * EPS, abs=0)


def test_silu_far_left_keeps_its_tiny_value() -> None:
    assert Value(-700.0).silu().data == pytest.approx(-700.0 * math.exp(-700.0), rel=4 * EPS, abs=0)


@pytest.mark.parametrize("name, x", [(n, x) for n in ("log1p", "expm1")
                                     for x in (1e-300, 1e-17, -1e-17, TINY)])
def test_log1p_and_expm1_near_0_are_x_with_slope_1(name: str, x: float) -> None:
    # log(1 + 1e-17) and exp(1e-17) - 1 would both be 0.0
    leaf = Value(x)
    out = getattr(leaf, name)()
    out.backward()
    assert out.data == getattr(math, name)(x) == x
    assert leaf.grad == 1.0


def test_log1p_just_above_minus_1_is_exact_and_steep() -> None:
    x = Value(-1.0 + EPS)
    out = x.log1p()
    out.backward()
    assert out.data == math.log(EPS) and x.grad == 1.0 / EPS


@pytest.mark.parametrize("x", [HALF_PI, -HALF_PI, 3 * HALF_PI, -5 * HALF_PI,
                               math.nextafter(HALF_PI, 0.0), math.nextafter(HALF_PI, 2.0)])
def test_tan_at_the_floats_nearest_its_poles_is_exact_and_finite(x: float) -> None:
    t = math.tan(x)
    assert Value(x).tan().data == t and abs(t) > 1e15
    assert grad(lambda v: v.tan())(x) == 1.0 + t * t
    curvature = 2 * t * (1 + t * t)
    assert grad(grad(lambda v: v.tan()))(x) == pytest.approx(curvature, rel=8 * EPS, abs=0)


@pytest.mark.parametrize("x", [6.0, -6.0, 30.0, -1000.0])
def test_erf_saturates_to_plus_or_minus_1_exactly(x: float) -> None:
    assert Value(x).erf().data == math.copysign(1.0, x)


@pytest.mark.parametrize("x", [10.0, -10.0, 26.0, 1e-300])
def test_erf_slope_keeps_the_gaussian_tail(x: float) -> None:
    expected = 2.0 / math.sqrt(math.pi) * math.exp(-x * x)
    assert grad(lambda v: v.erf())(x) == pytest.approx(expected, rel=4 * EPS, abs=0)


@pytest.mark.parametrize("x", [-5.0, -10.0, -30.0])
def test_gelu_far_left_keeps_its_tiny_value(x: float) -> None:
    exact = 0.5 * x * math.erfc(-x / math.sqrt(2.0))
    assert Value(x).gelu().data == pytest.approx(exact, rel=8 * EPS, abs=0)


def test_atan_slope_far_out_does_not_underflow_through_x_squared() -> None:
    # 1 / (1 + x * x) would be 1 / inf = 0.0 at 1e160; the slope is 1e-320 (subnormal)
    assert grad(lambda v: v.atan())(1e160) == (1 / 1e160) ** 2 > 0.0
    assert Value(1e300).atan().data == HALF_PI


def test_elu_alpha_scales_the_negative_side_exactly() -> None:
    assert Value(-1000.0).elu(alpha=2.0).data == -2.0
    assert Value(-1e-17).elu(alpha=3.0).data == 3.0 * math.expm1(-1e-17) == -3e-17
    assert grad(lambda v: v.elu(alpha=0.5))(-2.0) == 0.5 * math.exp(-2.0)
