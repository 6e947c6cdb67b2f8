"""The ops of issue 9 (softplus, silu, gelu, elu, leaky_relu, tan, atan, sinh, cosh, log1p,
expm1, erf): their values and first and second derivatives against PyTorch's, exact at
extreme inputs; and what a PyTorch user types (comparisons, item, format, detach, ...)."""
from __future__ import annotations

import math
import re
import sys

import pytest

from autograd_mini import Value, grad, no_grad

EPS = sys.float_info.epsilon
TINY = 5e-324
HALF_PI = math.pi / 2

# From PyTorch 2.13.0 (CPU wheel), float64 scalar tensors, once, in a throwaway venv:
#   x = torch.tensor(x0, dtype=torch.float64, requires_grad=True); y = f(x)
#   (d1,) = torch.autograd.grad(y, x, create_graph=True); (d2,) = torch.autograd.grad(d1, x)
# with f = F.softplus, F.silu, F.gelu, F.elu(alpha), F.leaky_relu(slope) or torch.<name>.
# Each row: (x, value, first derivative, second derivative); a key (name, p) passes p.
TORCH_FLOAT64 = {
    "softplus": [
        (-1000.0, 0.0, 0.0, 0.0),
        (-30.0, 9.357622968839737e-14, 9.3576229688393e-14, 9.357622968838423e-14),
        (-1.0, 0.31326168751822286, 0.2689414213699951, 0.19661193324148185),
        (0.0, 0.6931471805599453, 0.5, 0.25),
        (0.5, 0.9740769841801067, 0.6224593312018546, 0.2350037122015945),
        (3.0, 3.048587351573742, 0.9525741268224333, 0.045176659730912),
        (20.0, 20.000000002061153, 0.9999999979388464, 0.0),
        (25.0, 25.0, 1.0, 0.0),
        (1000.0, 1000.0, 1.0, 0.0),
    ],
    "silu": [
        (-1000.0, -0.0, -0.0, 0.0),
        (-40.0, -1.6993417021166355e-16, -1.6568581595637197e-16, -1.6143746170108038e-16),
        (-3.0, -0.14227761953270035, -0.08810410601516962, -0.032321404521006174),
        (-1e-17, -5e-18, 0.5, 0.5),
        (0.5, 0.3112296656009273, 0.7399611873026519, 0.4412290269770286),
        (3.0, 2.8577223804672998, 1.0881041060151693, -0.03232140452100613),
        (30.0, 29.999999999997197, 1.000000000002711, -2.6174618028555004e-12),
        (1000.0, 1000.0, 1.0, 0.0),
    ],
    "gelu": [
        (-1000.0, -0.0, 0.0, 0.0),
        (-5.0, -1.4332578593401202e-06, -7.1469460018034646e-06, -3.4194548838888845e-05),
        (-1.0, -0.15865525393145702, -0.08331547058768635, 0.24197072451914337),
        (0.0, 0.0, 0.5, 0.7978845608028654),
        (0.5, 0.34573123063700656, 0.8674951246561629, 0.6161143218375241),
        (3.0, 2.99595030590511, 1.011945647204184, -0.031022938883566054),
        (10.0, 10.0, 1.0, -7.540706654172292e-21),
        (1000.0, 1000.0, 1.0, 0.0),
    ],
    "elu": [
        (-1000.0, -1.0, 0.0, 0.0),
        (-30.0, -0.9999999999999064, 9.357622968840175e-14, 9.357622968840175e-14),
        (-1.0, -0.6321205588285577, 0.36787944117144233, 0.36787944117144233),
        (-1e-17, -1e-17, 1.0, 1.0),
        (0.5, 0.5, 1.0, 0.0),
        (40.0, 40.0, 1.0, 0.0),
    ],
    ("elu", 0.5): [
        (-3.0, -0.475106465816068, 0.024893534183931972, 0.024893534183931972),
        (-1.0, -0.31606027941427883, 0.18393972058572117, 0.18393972058572117),
        (2.0, 2.0, 1.0, 0.0),
    ],
    "leaky_relu": [
        (-1000.0, -10.0, 0.01, 0.0),
        (-1.0, -0.01, 0.01, 0.0),
        (0.5, 0.5, 1.0, 0.0),
    ],
    ("leaky_relu", 0.2): [
        (-3.0, -0.6000000000000001, 0.2, 0.0),
        (3.0, 3.0, 1.0, 0.0),
    ],
    "tan": [
        (-1000.0, -1.4703241557027185, 3.161853122842912, -9.297898046600016),
        (-1.0, -1.5574077246549023, 3.42551882081476, -10.669858944975319),
        (1e-17, 1e-17, 1.0, 2e-17),
        (0.5, 0.5463024898437905, 1.2984464104095248, 1.4186890138709112),
        (1.5, 14.101419947171719, 199.85004452649244, 5636.3388086580735),
        (1.5707963267948966, 1.633123935319537e+16, 2.6670937881135714e+32, 8.711389406220654e+48),
        (20.0, 2.237160944224742, 6.00488909036454, 26.867806694729577),
    ],
    "atan": [
        (-1000.0, -1.5697963271282298, 9.99999000001e-07, 1.999996000006e-09),
        (-1.0, -0.7853981633974483, 0.5, 0.5),
        (0.0, 0.0, 1.0, -0.0),
        (0.5, 0.4636476090008061, 0.8, -0.64),
        (3.0, 1.2490457723982544, 0.1, -0.06),
        (10000000000.0, 1.5707963266948965, 1e-20, -1.9999999999999998e-30),
    ],
    "sinh": [
        (-30.0, -5343237290762.231, 5343237290762.231, -5343237290762.231),
        (-1.0, -1.1752011936438014, 1.5430806348152437, -1.1752011936438014),
        (1e-17, 1e-17, 1.0, 1e-17),
        (0.5, 0.5210953054937474, 1.1276259652063807, 0.5210953054937474),
        (3.0, 10.017874927409903, 10.067661995777765, 10.017874927409903),
        (700.0, 5.0711602736750225e+303, 5.0711602736750225e+303, 5.0711602736750225e+303),
    ],
    "cosh": [
        (-30.0, 5343237290762.231, -5343237290762.231, 5343237290762.231),
        (-1.0, 1.5430806348152437, -1.1752011936438014, 1.5430806348152437),
        (1e-17, 1.0, 1e-17, 1.0),
        (0.5, 1.1276259652063807, 0.5210953054937474, 1.1276259652063807),
        (3.0, 10.067661995777765, 10.017874927409903, 10.067661995777765),
        (700.0, 5.0711602736750225e+303, 5.0711602736750225e+303, 5.0711602736750225e+303),
    ],
    "log1p": [
        (-0.9999999999999998, -36.04365338911715, 4503599627370496.0, -2.028240960365167e+31),
        (-0.9999, -9.210340371976294, 10000.0000000011, -100000000.00002202),
        (-0.5, -0.6931471805599453, 2.0, -4.0),
        (1e-300, 1e-300, 1.0, -1.0),
        (1e-17, 1e-17, 1.0, -1.0),
        (0.5, 0.4054651081081644, 0.6666666666666666, -0.4444444444444444),
        (1000.0, 6.90875477931522, 0.000999000999000999, -9.98002996004994e-07),
    ],
    "expm1": [
        (-40.0, -1.0, 0.0, 0.0),
        (-1.0, -0.6321205588285577, 0.36787944117144233, 0.36787944117144233),
        (1e-300, 1e-300, 1.0, 1.0),
        (1e-17, 1e-17, 1.0, 1.0),
        (0.5, 0.6487212707001282, 1.6487212707001282, 1.6487212707001282),
        (30.0, 10686474581523.463, 10686474581524.463, 10686474581524.463),
        (700.0, 1.0142320547350045e+304, 1.0142320547350045e+304, 1.0142320547350045e+304),
    ],
    "erf": [
        (-10.0, -1.0, 4.197656231354417e-44, 8.395312462708834e-43),
        (-3.0, -0.9999779095030014, 0.00013925305194674786, 0.0008355183116804871),
        (-1.0, -0.8427007929497149, 0.4151074974205947, 0.8302149948411894),
        (1e-17, 1.1283791670955127e-17, 1.1283791670955126, -2.2567583341910254e-17),
        (0.5, 0.5204998778130465, 0.8787825789354448, -0.8787825789354448),
        (3.0, 0.9999779095030014, 0.00013925305194674786, -0.0008355183116804871),
        (6.0, 1.0, 2.617301239249265e-16, -3.1407614870991178e-15),
        (27.0, 1.0, 2.8299433e-317, -1.52816938e-315),
    ],
}


def _phi(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -700.0 else math.exp(x)


# Where PyTorch approximates, (op, x, derivative order) -> how; these compare with EXACT.
PYTORCH_APPROXIMATES = {
    ("softplus", 20.0, 2): "its double backward gives 0.0; exact sigmoid(20) sigmoid(-20)",
    ("softplus", 25.0, 0): "above threshold=20 F.softplus returns x; exact x + log1p(e^-x)",
    ("softplus", 25.0, 1): "above threshold=20 the slope is 1.0; exact sigmoid(25)",
    ("softplus", 25.0, 2): "above threshold=20 the curvature is 0.0",
    ("silu", 30.0, 2): "1 - 2 sigmoid(30) by subtraction: 0.1% off",
    ("expm1", -40.0, 1): "its backward is expm1(x) + 1, which is 0.0 here; exact e^-40",
    ("expm1", -40.0, 2): "the same, once more",
    ("gelu", -5.0, 0): "0.5 x (1 + erf(x / sqrt 2)) cancels: 4e-11 off; exact 0.5 x erfc(-x / sqrt 2)",
    ("gelu", -5.0, 1): "the same cancellation in Phi(x) + x phi(x)",
}
# (value, first, second derivative) from math, where PyTorch approximates.
EXACT = {
    "softplus": lambda x: (math.log1p(math.exp(x)), _sigmoid(x), _sigmoid(x) * _sigmoid(-x)),
    "silu": lambda x: (x * _sigmoid(x), _sigmoid(x) * (1.0 + x * _sigmoid(-x)),
                       _sigmoid(x) * _sigmoid(-x) * (2.0 + x * (_sigmoid(-x) - _sigmoid(x)))),
    "expm1": lambda x: (math.expm1(x), math.exp(x), math.exp(x)),
    "gelu": lambda x: (0.5 * x * math.erfc(-x / math.sqrt(2.0)),
                       0.5 * math.erfc(-x / math.sqrt(2.0)) + x * _phi(x), _phi(x) * (2.0 - x * x)),
}
# Different libms round differently: values to a few ulps, derivatives (longer
# formulas) to a few more.
REL_TOLERANCE = (4 * EPS, 16 * EPS, 32 * EPS)


def _op(key: str | tuple) -> tuple[str, tuple]:
    return (key, ()) if isinstance(key, str) else (key[0], key[1:])


def _function(name: str, params: tuple):
    return lambda v: getattr(v, name)(*params)


def _value_and_derivatives(name: str, params: tuple, x: float) -> tuple[float, float, float]:
    f = _function(name, params)
    return f(Value(x)).data, grad(f)(x), grad(grad(f))(x)


CASES = [pytest.param(key, row, id=f"{_op(key)[0]}{list(_op(key)[1]) or ''}({row[0]!r})")
         for key, rows in TORCH_FLOAT64.items() for row in rows]


@pytest.mark.parametrize("key, row", CASES)
def test_value_and_derivatives_match_pytorch_float64(key, row) -> None:
    name, params = _op(key)
    x, *expected = row
    for order, got in enumerate(_value_and_derivatives(name, params, x)):
        reference = (EXACT[name](x)[order] if (name, x, order) in PYTORCH_APPROXIMATES
                     else expected[order])
        assert math.isclose(got, reference, rel_tol=REL_TOLERANCE[order], abs_tol=4 * TINY), \
            (order, got, reference)


@pytest.mark.parametrize("name, x, order", PYTORCH_APPROXIMATES)
def test_where_pytorch_approximates_it_really_differs_from_math(name, x, order) -> None:
    # keeps the list above honest: each is a real PyTorch difference, and ours is exact
    (torch_row,) = [row for row in TORCH_FLOAT64[name] if row[0] == x]
    exact = EXACT[name](x)[order]
    assert not math.isclose(torch_row[1 + order], exact, rel_tol=REL_TOLERANCE[order])


# -- exact at extreme inputs --------------------------------------------------
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


@pytest.mark.parametrize("name", ["sinh", "cosh", "expm1"])
def test_sinh_cosh_expm1_overflow_is_a_value_error_naming_the_op(name: str) -> None:
    assert math.isfinite(getattr(Value(709.0), name)().data)
    with pytest.raises(ValueError, match=f"{name}.*overflows"):
        getattr(Value(711.0), name)()


def test_elu_alpha_scales_the_negative_side_exactly() -> None:
    assert Value(-1000.0).elu(alpha=2.0).data == -2.0
    assert Value(-1e-17).elu(alpha=3.0).data == 3.0 * math.expm1(-1e-17) == -3e-17
    assert grad(lambda v: v.elu(alpha=0.5))(-2.0) == 0.5 * math.exp(-2.0)


@pytest.mark.parametrize("name, param", [("elu", "alpha"), ("leaky_relu", "slope")])
def test_a_bad_parameter_is_refused_naming_it(name: str, param: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"{name}({param}=...) with the number nan")):
        getattr(Value(-1.0), name)(math.nan)
    with pytest.raises(TypeError, match=re.escape(f"{name}({param}=...) takes a real number")):
        getattr(Value(-1.0), name)("0.1")


def test_leaky_relu_slope_times_x_overflowing_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=re.escape("leaky_relu(-1e+300, slope=1e+300) overflows")):
        Value(-1e300).leaky_relu(slope=1e300)


# -- what a PyTorch user types ------------------------------------------------
@pytest.mark.parametrize("a, b", [(Value(1.0), 2), (1, Value(2.0)), (Value(1.0), Value(2.0)),
                                  (Value(1.0), 2.5), (Value(-1e300), math.inf)])
def test_comparisons_with_numbers_either_side_return_bools(a, b) -> None:
    results = (a < b, a <= b, b > a, b >= a, a > b, a >= b, b < a, b <= a)
    assert results == (True,) * 4 + (False,) * 4
    assert all(type(r) is bool for r in results)


def test_comparing_equal_numbers_is_le_and_ge_but_not_lt() -> None:
    a, b = Value(2.0), Value(2.0)
    assert (a <= b, a >= b, a < b, a > b, a <= 2, 2 >= a) == (True, True, False, False, True, True)


def test_comparing_with_a_non_number_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        Value(1.0) < "2"


@pytest.mark.parametrize("pick, chosen", [(max, 1), (min, 0)])
def test_max_and_min_return_one_of_the_values_and_its_gradient_flows(pick, chosen) -> None:
    values = [Value(-1.0), Value(3.0)]
    out = pick(values[0], values[1])
    assert out is values[chosen]
    (out * 5).backward()
    assert values[chosen].grad == 5.0 and values[1 - chosen].grad == 0.0


def test_sorted_orders_values_by_their_numbers() -> None:
    values = [Value(2.0), Value(-1.0), Value(0.5)]
    assert [v.data for v in sorted(values)] == [-1.0, 0.5, 2.0]


def test_an_if_on_a_comparison_picks_the_branch_and_the_gradient_follows_it() -> None:
    def clipped(x: Value) -> Value:
        return x * 2 if x > 0 else x * 0.1
    assert grad(clipped)(3.0) == 2.0 and grad(clipped)(-3.0) == 0.1


def test_equality_is_identity_and_values_hash() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a == a and a != b and not (a == 1.0)
    assert {a: "a", b: "b"}[b] == "b" and len({a, b, a}) == 2


def test_item_is_the_float() -> None:
    out = Value(3) * 2
    assert out.item() == 6.0 and type(out.item()) is float


def test_format_spec_formats_the_number() -> None:
    v = Value(math.pi)
    assert f"{v:.4f}" == "3.1416" and f"{v:>8.2e}" == "3.14e+00"


def test_detach_is_a_new_leaf_with_the_same_number_outside_the_graph() -> None:
    x = Value(1.5)
    y = x * 2
    d = y.detach()
    assert d is not y and d.data == 3.0 and d.parents == () and d.op == ""
    (d * 4 + y).backward()
    assert x.grad == 2.0 and d.grad == 4.0  # nothing reached x through d


@pytest.mark.parametrize("leave_graph", [float, bool, math.exp, math.sqrt],
                         ids=["float", "bool", "math.exp", "math.sqrt"])
def test_leaving_the_graph_silently_is_a_type_error_naming_item(leave_graph) -> None:
    with pytest.raises(TypeError, match=re.escape(".item()")):
        leave_graph(Value(2.0))


def test_an_if_on_a_value_itself_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="compare it"):
        if Value(1.0):
            pass


def test_backward_on_a_result_computed_under_no_grad_is_a_runtime_error() -> None:
    x = Value(2.0)
    with no_grad():
        y = (x * 3).tanh()
    with pytest.raises(RuntimeError, match="no_grad"):
        y.backward()
    assert x.grad == 0.0
