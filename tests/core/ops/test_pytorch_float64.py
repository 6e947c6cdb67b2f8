"""The activations and functions beyond micrograd's (softplus, silu, gelu, elu,
leaky_relu, tan, atan, sinh, cosh, log1p, expm1, erf): their values and first and second
derivatives against PyTorch's float64 ones; where PyTorch approximates, against math."""
from __future__ import annotations

import math

import pytest

from autograd_mini import Value, grad
from op_cases import EPS, TINY

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
