"""Every row of ops.py, tested from the table itself, so that a new row is tested as soon
as it is written: its value against `math`, its domain error, its float slope against
its Value rule (same number), the rule's own derivative against central differences of
the float slope (a rule that is wrong to second order fails), and its wiring (a Value
method with a docstring, an nn activation, a formula function)."""
from __future__ import annotations

import math
import operator
import struct
import sys

import pytest

from autograd_mini import Value
from autograd_mini import ops
from autograd_mini.engine import OPS
from autograd_mini.cli.formula import evaluate
from nn import MLP

EPS = sys.float_info.epsilon
TINY = 5e-324
HALF_PI = math.pi / 2
REALS = [-1e200, -1000.0, -800.0, -40.0, -30.0, -10.0, -3.0, -1.0, -0.5, -1e-17, -1e-300,
         -0.0, 0.0, TINY, 1e-300, 1e-17, 0.5, 1.0, 3.0, 10.0, 30.0, 40.0, 800.0, 1000.0, 1e200]
# Where a row's formula changes or its function turns: poles, edges, switch-overs.
EDGES = {
    "tan": [HALF_PI, -HALF_PI, 3 * HALF_PI, math.nextafter(HALF_PI, 0.0),
            math.nextafter(HALF_PI, 2.0), HALF_PI - 1e-3, HALF_PI + 1e-6, math.pi],
    "log1p": [-1.0 + EPS, -1.0 + 1e-6, -0.9999, -1.0, -1.5],
    "atan": [1e150, -1e150, 1e160, 1e300],
    "tanh": [0.5493, 0.5494, 400.0, 401.0, -401.0, 20.0],
    "erf": [6.0, -6.0, 27.0, 30.0, 31.0],
    "erfc": [6.0, -6.0, 27.0, 30.0, 31.0],
    "gelu": [5.0, -5.0, 39.9, 40.1, -40.1],
    "sinh": [710.0, 711.0, -711.0],
    "cosh": [710.0, 711.0, -711.0],
    "expm1": [709.0, 710.0, -1e-17],
    "exp": [709.0, 710.0],
}
PARAMS = {"leaky_relu": [0.01, 0.2], "elu": [1.0, 0.25, 2.5]}  # default first


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -700.0 else math.exp(x)


# An independent reference per row, from math or a closed form over it: (x, param) -> float.
REFERENCE = {
    "neg": lambda x, p: -x,
    "abs": lambda x, p: abs(x),
    "exp": lambda x, p: math.exp(x),
    "log": lambda x, p: math.log(x),
    "sqrt": lambda x, p: math.sqrt(x),
    "log1p": lambda x, p: math.log1p(x),
    "expm1": lambda x, p: math.expm1(x),
    "sin": lambda x, p: math.sin(x),
    "cos": lambda x, p: math.cos(x),
    "tan": lambda x, p: math.tan(x),
    "atan": lambda x, p: math.atan(x),
    "sinh": lambda x, p: math.sinh(x),
    "cosh": lambda x, p: math.cosh(x),
    "tanh": lambda x, p: math.tanh(x),
    "sigmoid": lambda x, p: _sigmoid(x),
    "erf": lambda x, p: math.erf(x),
    "erfc": lambda x, p: math.erfc(x),
    "relu": lambda x, p: x if x > 0 else 0.0,
    "leaky_relu": lambda x, p: x if x > 0 else p * x,
    "elu": lambda x, p: x if x > 0 else p * math.expm1(x),
    "softplus": lambda x, p: math.log1p(math.exp(x)) if x < 700.0 else x,
    "silu": lambda x, p: x * _sigmoid(x),
    # x * Phi(x) with erfc: no cancellation in 1 + erf(x / sqrt 2) for x << 0
    "gelu": lambda x, p: 0.5 * x * math.erfc(-x / math.sqrt(2.0)),
}
# Points where a row's slope is not smooth (kinks, and the domain edges of the rows).
SINGULAR = {"abs": [0.0], "relu": [0.0], "leaky_relu": [0.0], "elu": [0.0],
            "log": [0.0], "sqrt": [0.0], "log1p": [-1.0]}
def _apply(row: ops.Unary, x: float, param: float | None = None) -> Value:
    """The row's method on a fresh leaf; the leaf is the node's parent."""
    method = getattr(Value(x), row.method or row.name)
    return method() if param is None else method(param)


def _in_domain(row: ops.Unary, x: float) -> bool:
    """The row's own domain text (`x > 0`, ...) evaluated at x."""
    return not row.domain or eval(compile(row.domain, "<domain>", "eval"), {}, {"x": x})


def _overflows(row: ops.Unary, x: float, param: float | None) -> bool:
    try:
        _apply(row, x, param)
    except ValueError as error:
        return "overflow" in str(error)  # any other error fails the value test
    return False


def _points(row: ops.Unary) -> list[float]:
    return REALS + EDGES.get(row.name, [])


def _cases() -> list:
    """(row name, x, param) over every row, its points and parameter values."""
    cases = []
    for row in ops.UNARY:
        for param in PARAMS.get(row.name, [None]) if row.param else [None]:
            for x in _points(row):
                shown = f"{row.name}({x!r}{'' if param is None else f', {param}'})"
                cases.append(pytest.param(row.name, x, param, id=shown))
    return cases


ALL_CASES = _cases()
DEFINED_CASES = [case for case in ALL_CASES
                 if _in_domain(ops.UNARY_BY_NAME[case.values[0]], case.values[1])
                 and not _overflows(ops.UNARY_BY_NAME[case.values[0]], *case.values[1:])]


def test_every_row_has_a_math_reference() -> None:
    missing = {row.name for row in ops.UNARY} - set(REFERENCE)
    assert not missing, f"add a math reference for {missing} to REFERENCE in this file"


def test_every_row_has_parameter_values_to_test() -> None:
    for row in ops.UNARY:
        if row.param:
            assert PARAMS.get(row.name, [None])[0] == row.param[1], \
                f"add {row.name}'s parameter values, its default first, to PARAMS in this file"


@pytest.mark.parametrize("name, x, param", [c for c in ALL_CASES
                                            if _in_domain(ops.UNARY_BY_NAME[c.values[0]],
                                                          c.values[1])])
def test_value_matches_math_or_overflow_is_refused_naming_the_op(name, x, param) -> None:
    row = ops.UNARY_BY_NAME[name]
    try:
        expected = REFERENCE[name](x, row.param[1] if row.param and param is None else param)
    except OverflowError:
        expected = math.inf
    if not -math.inf < expected < math.inf:
        with pytest.raises(ValueError, match=f"{name}.*overflow"):
            _apply(row, x, param)
        return
    got = _apply(row, x, param).data
    assert type(got) is float
    assert math.isclose(got, expected, rel_tol=4 * EPS, abs_tol=4 * TINY), (got, expected)


OUTSIDE = [-1e300, -2.0, -1.0, -1.0 - EPS, -1e-300, -0.0, 0.0]


@pytest.mark.parametrize("name, x", [(row.name, x) for row in ops.UNARY if row.domain
                                     for x in OUTSIDE if not _in_domain(row, x)])
def test_input_outside_the_domain_is_a_value_error_naming_op_and_value(name, x) -> None:
    with pytest.raises(ValueError) as caught:
        _apply(ops.UNARY_BY_NAME[name], x)
    assert name in str(caught.value) and repr(x) in str(caught.value)
    assert ops.UNARY_BY_NAME[name].hint in str(caught.value)


def _as_float(d: Value | float) -> float:
    return d.data if isinstance(d, Value) else d


@pytest.mark.parametrize("name, x, param", DEFINED_CASES)
def test_float_slope_equals_the_value_rule(name, x, param) -> None:
    out = _apply(ops.UNARY_BY_NAME[name], x, param)
    (slope,) = out.local_grads
    assert out.local_grads_fn is out._op.rule is OPS[name].rule
    if not -math.inf < slope < math.inf:
        # backward never runs the rule there: the float enters as a constant (or is refused)
        return
    (by_rule,) = out.local_grads_fn(out, *out.parents)
    assert _bits(_as_float(by_rule)) == _bits(slope)


def _bits(number: float) -> bytes:
    """The float's IEEE bits: tells -0.0 from 0.0 as well as any rounding."""
    return struct.pack("<d", number)


def _float_slope(name: str, x: float, param: float | None) -> float:
    return _apply(ops.UNARY_BY_NAME[name], x, param).local_grads[0]


def _step(name: str, x: float) -> float:
    """A finite-difference step, well inside the distance to any non-smooth point."""
    h = 1e-6 * max(1.0, abs(x))
    singular = list(SINGULAR.get(name, []))
    if name == "tan":
        singular.append(HALF_PI + math.pi * round((x - HALF_PI) / math.pi))
    distances = [abs(x - s) for s in singular]
    return min([h] + [d / 1e4 for d in distances])


def _central_difference(f, x: float, h: float) -> tuple[float, float]:
    """(f'(x) by central differences, the rounding error it may carry)."""
    plus, minus = f(x + h), f(x - h)
    return (plus - minus) / (2 * h), 4 * EPS * max(abs(plus), abs(minus)) / h


def _second_order_cases() -> list:
    """Defined points where finite differences resolve the slope: not beyond |x| = 1000
    (sin(1e200) turns many times within one float step) and not on a kink."""
    cases = []
    for case in DEFINED_CASES:
        name, x, _ = case.values
        if abs(x) <= 1000.0 and _step(name, x) > 1e-12 * max(1.0, abs(x)):
            cases.append(case)
    return cases


def _rule_derivative(name: str, x: float, param: float | None) -> float:
    """d/dx of the rule's output Value, by backprop through it (0 for a constant rule)."""
    out = _apply(ops.UNARY_BY_NAME[name], x, param)
    (leaf,) = out.parents
    (by_rule,) = out.local_grads_fn(out, leaf)
    if not isinstance(by_rule, Value):
        return 0.0
    by_rule.backward()
    return leaf.grad


@pytest.mark.parametrize("name, x, param", _second_order_cases())
def test_rule_derivative_matches_differences_of_the_float_slope(name, x, param) -> None:
    h = _step(name, x)
    numeric, rounding = _central_difference(lambda t: _float_slope(name, t, param), x, h)
    analytic = _rule_derivative(name, x, param)
    assert abs(analytic - numeric) <= 1e-6 * abs(numeric) + rounding + 1e-300, \
        (analytic, numeric, rounding)


def test_a_constant_rule_would_fail_the_second_order_check() -> None:
    # The check above must tell a rule that lost the graph from a right one.
    x = 0.7
    numeric, rounding = _central_difference(lambda t: _float_slope("tanh", t, None), x, 1e-6)
    assert abs(0.0 - numeric) > 1e-6 * abs(numeric) + rounding


# -- binary operators and their constant variants ----------------------------
PAIRS = [(1.5, 2.0), (0.3, -1.7), (2.0, 0.5), (7.0, 3.0), (1e-3, 4.0), (5.0, -2.0),
         (-2.0, 3.0), (-3.0, -2.0), (0.0, 2.0), (0.0, 0.0), (2.0, 0.0), (0.0, 0.5),
         (1e200, 1e-200), (-1e-300, 7.0), (1000.0, -0.25), (-0.0, 1.0)]
SIDES = {"": lambda f, a, b: f(Value(a), Value(b)),
         "right": lambda f, a, b: f(Value(a), b),   # x op c: the node's parent is x
         "left": lambda f, a, b: f(a, Value(b))}    # c op x: the node's parent is x


def _binary_cases() -> list:
    cases = []
    for row in ops.BINARY:
        for side, make in SIDES.items():
            for a, b in PAIRS:
                try:
                    make(getattr(operator, row.method), a, b)
                except ValueError:
                    continue  # outside the domain: tested below
                cases.append(pytest.param(row.symbol, side, a, b,
                                          id=f"{a!r}{row.symbol}{b!r}{':' + side if side else ''}"))
    return cases


def _make(symbol: str, side: str, a: float, b: float) -> Value:
    return SIDES[side](getattr(operator, ops.BINARY_BY_SYMBOL[symbol].method), a, b)


def test_every_binary_key_of_the_engine_is_a_row_and_a_side() -> None:
    keys = {key for key in OPS if key.partition(":")[0] in ops.BINARY_BY_SYMBOL}
    assert keys == {f"{row.symbol}:{side}" if side else row.symbol
                    for row in ops.BINARY for side in SIDES}


@pytest.mark.parametrize("symbol, side, a, b", _binary_cases())
def test_binary_float_slopes_equal_the_value_rule(symbol, side, a, b) -> None:
    out = _make(symbol, side, a, b)
    assert out.op == symbol and len(out.parents) == (2 if side == "" else 1)
    if any(not -math.inf < s < math.inf for s in out.local_grads):
        return  # backward enters them as constants: the rule is never run there
    by_rule = out.local_grads_fn(out, *out.parents)
    # equal numbers; the sign of a zero may differ ((x ** -0.0)'s base slope is -0.0 by the
    # rule, 0.0 in the float pass), which no sum of gradients can see
    assert tuple(map(_as_float, by_rule)) == out.local_grads


def _binary_slopes(symbol: str, side: str, a: float, b: float) -> tuple[float, ...]:
    return _make(symbol, side, a, b).local_grads


def _smooth_pair(symbol: str, a: float, b: float) -> bool:
    """Away from 0 ** y and x / 0, and at a size finite differences resolve."""
    return (abs(a) > 1e-2 and abs(b) > 1e-2 and abs(a) < 1e3 and abs(b) < 1e3
            and not (symbol == "**" and a < 0))


@pytest.mark.parametrize("symbol, side, a, b",
                         [c for c in _binary_cases() if _smooth_pair(c.values[0], *c.values[2:])])
def test_binary_rule_derivatives_match_differences_of_the_float_slopes(symbol, side, a, b):
    out = _make(symbol, side, a, b)
    position = {"": (0, 1), "right": (0,), "left": (1,)}[side]  # which of (a, b) are Values
    for i, by_rule in enumerate(out.local_grads_fn(out, *out.parents)):
        for parent in out.parents:
            parent.grad = 0.0
        if isinstance(by_rule, Value):
            by_rule.backward()
        for j, parent in zip(position, out.parents):
            point = [a, b]
            h = 1e-6 * max(1.0, abs(point[j]))

            def slope_at(t: float, i=i, j=j) -> float:
                moved = [a, b]
                moved[j] = t
                return _binary_slopes(symbol, side, *moved)[i]
            numeric, rounding = _central_difference(slope_at, point[j], h)
            analytic = parent.grad
            assert abs(analytic - numeric) <= 1e-6 * abs(numeric) + rounding, \
                (i, j, analytic, numeric)


@pytest.mark.parametrize("make, symbol, shown", [
    (lambda: Value(3.0) / Value(0.0), "/", "3.0"),
    (lambda: Value(3.0) / 0, "/", "3.0"),
    (lambda: 2 / Value(0.0), "/", "2"),
    (lambda: Value(0.0) ** -1, "**", "-1"),
    (lambda: Value(-8.0) ** (1 / 3), "**", "-8.0"),
    (lambda: Value(-2.0) ** Value(2.0), "**", "-2.0"),
    (lambda: (-2) ** Value(0.5), "**", "-2"),
])
def test_binary_domain_errors_name_the_operator_and_the_value(make, symbol, shown) -> None:
    with pytest.raises(ValueError) as caught:
        make()
    assert symbol in str(caught.value) and shown in str(caught.value)


# -- wiring: every row reaches the method, the docstring, nn and formulas --------
@pytest.mark.parametrize("row", ops.UNARY, ids=lambda row: row.name)
def test_every_unary_row_is_a_value_method_recording_its_op(row) -> None:
    method = getattr(Value, row.method or row.name)
    assert method.__name__ == (row.method or row.name)
    out = _apply(row, 0.5)
    assert out.op == row.name and out._op is OPS[row.name]
    if row.param:  # the parameter is kept on the node, for the rule and pictures
        assert _apply(row, 0.5, 0.25).constant == 0.25 and out.constant == row.param[1]


@pytest.mark.parametrize("row", [
    pytest.param(row, id=row.name) for row in ops.UNARY])
def test_every_unary_method_has_a_docstring(row) -> None:
    doc = getattr(Value, row.method or row.name).__doc__
    assert doc and row.name in doc


@pytest.mark.parametrize("row", ops.BINARY, ids=lambda row: row.symbol)
def test_every_binary_row_is_an_operator_with_numbers_either_side(row) -> None:
    f = getattr(operator, row.method)
    for out in (f(Value(2.0), Value(3.0)), f(Value(2.0), 3.0), f(2.0, Value(3.0))):
        assert out.op == row.symbol and out.data == f(2.0, 3.0)


@pytest.mark.parametrize("activation", ops.ACTIVATIONS)
def test_every_activation_row_is_accepted_by_mlp(activation) -> None:
    model = MLP(2, [3, 1], activation=activation, seed=0)
    out = model([0.5, -1.0])
    out.backward()
    assert model.layers[0].activation == activation
    assert all(math.isfinite(p.grad) for p in model.parameters())


def test_rows_not_marked_as_activations_are_refused_by_mlp() -> None:
    with pytest.raises(ValueError, match="exp"):
        MLP(2, [3, 1], activation="exp", seed=0)


def test_formula_functions_are_the_table_minus_the_operator_only_rows() -> None:
    assert set(ops.FUNCTIONS) == {row.name for row in ops.UNARY} - {"neg"}


@pytest.mark.parametrize("name", ops.FUNCTIONS)
def test_every_formula_function_computes_what_the_method_does(name) -> None:
    row = ops.UNARY_BY_NAME[name]
    assert evaluate(f"{name}(a)", {"a": 0.5}) == _apply(row, 0.5).data
    if row.param:
        assert evaluate(f"{name}(a, 0.25)", {"a": -0.5}) == _apply(row, -0.5, 0.25).data
