"""jacobian, hessian, jvp and vjp: JAX shapes, closed forms, forward mode without a
reverse pass, nesting with grad to any order, and errors that say what to do."""
from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import autograd_mini
from autograd_mini import Value, grad, hessian, jacobian, jvp, no_grad, vjp
from autograd_mini import backprop, engine, functional, transforms
from strategies import OPS_BY_NAME, Program, programs

PROPERTY = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
H = 1e-6


def rosenbrock(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def rosenbrock_hessian(x: float, y: float) -> list[list[float]]:
    # d2/dx2 = 1200x^2 - 400y + 2, d2/dxdy = -400x, d2/dy2 = 200
    return [[1200 * x * x - 400 * y + 2, -400 * x], [-400 * x, 200.0]]


def every_node(program: Program, inputs: list) -> list:
    """Each step's result: the program as a function with one output per step."""
    nodes = list(inputs)
    for name, args, const in program.steps:
        op = OPS_BY_NAME[name]
        nodes.append((op.on_values if isinstance(inputs[0], Value) else op.on_floats)(
            *(nodes[i] for i in args), const))
    return nodes[len(inputs):]


def stays_defined(program: Program, point: list[float]) -> bool:
    nodes = list(point)
    for name, args, const in program.steps:
        operands = [nodes[i] for i in args]
        if not OPS_BY_NAME[name].defined(*operands, const):
            return False
        nodes.append(OPS_BY_NAME[name].on_floats(*operands, const))
    return True


def shifted(point: list[float], i: int, step: float) -> list[float]:
    return [x + step if k == i else x for k, x in enumerate(point)]


# -- jacobian -----------------------------------------------------------------
def test_jacobian_rows_are_outputs_and_columns_the_entries_of_a_list_argument() -> None:
    x, y = 0.5, 2.0
    J = jacobian(lambda p: [p[0] * p[1], p[0].sin(), p[1].exp()])([x, y])
    assert J == [[y, x], [math.cos(x), 0.0], [0.0, math.exp(y)]]
    assert all(type(cell) is float for row in J for cell in row)


def test_jacobian_shape_follows_the_output_then_the_argument() -> None:
    assert jacobian(lambda x: x * x)(3.0) == 6.0
    assert jacobian(lambda x: [x * x, 2 * x])(3.0) == [6.0, 2.0]
    assert jacobian(lambda p: p[0] * p[1])([3.0, 4.0]) == [4.0, 3.0]
    assert jacobian(lambda p: (p[0] * p[1],))((3.0, 4.0)) == [(4.0, 3.0)]  # rows as the argument


def test_jacobian_argnums_tuple_gives_one_block_per_argument() -> None:
    f = lambda a, p: [a * p[0], a + p[1]]
    assert jacobian(f, argnums=(0, 1))(2.0, [3.0, 5.0]) == ([3.0, 1.0], [[2.0, 0.0], [0.0, 1.0]])
    assert jacobian(f, argnums=1)(2.0, [3.0, 5.0]) == [[2.0, 0.0], [0.0, 1.0]]


def test_jacobian_passes_other_arguments_and_constant_outputs_through() -> None:
    f = lambda x, scale, name="": [x * scale, 7.0, len(name)]
    assert jacobian(f)(2.0, 3, name="ab") == [3.0, 0.0, 0.0]


def test_jacobian_inside_grad_is_differentiated_again() -> None:
    # d/dx of d/dx [x^3, sin x] row 1 is -sin x
    f = lambda x: jacobian(lambda t: [t ** 3, t.sin()])(x)[1]
    assert grad(f)(0.4) == pytest.approx(-math.sin(0.4), rel=1e-15)
    # through the argument and a closure: d/dp0 (p0^2 p1 x) = 2 p0 p1 x = 4 x^2 at p = [x, 2]
    assert grad(lambda x: jacobian(lambda p: [p[0] * p[0] * p[1] * x])([x, 2.0])[0][0])(3.0) == 24.0


def test_jacobian_of_values_returns_values_of_them() -> None:
    x = Value(1.5)
    (slope,) = jacobian(lambda t: [t * t * t])(x)
    assert isinstance(slope, Value) and x.grad == 0.0
    slope.backward()
    assert x.grad == 9.0


def test_transforms_leave_every_grad_untouched() -> None:
    w = Value(4.0)
    w.grad = 0.25
    assert jacobian(lambda x: [x * w])(2.0) == [4.0]
    assert hessian(lambda x: x * x * w)(2.0) == 8.0
    assert jvp(lambda x: x * w, (2.0,), (1.0,)) == (8.0, 4.0)
    assert vjp(lambda x: x * w, 2.0)[1](1.0) == (4.0,)
    assert w.grad == 0.25


# -- hessian ------------------------------------------------------------------
@pytest.mark.parametrize("x, y", [(0.3, 0.8), (1.0, 1.0), (-1.2, 1.0), (2.0, -3.5)])
def test_rosenbrock_hessian_matches_its_closed_form(x: float, y: float) -> None:
    H_ = hessian(rosenbrock)([x, y])
    expected = rosenbrock_hessian(x, y)
    for row, want in zip(H_, expected):
        assert row == pytest.approx(want, rel=1e-14, abs=1e-12)
    assert H_[0][1] == H_[1][0]  # exactly symmetric


def test_hessian_argnums_tuple_gives_a_tuple_of_tuples_of_blocks() -> None:
    f = lambda x, y: rosenbrock([x, y])
    blocks = hessian(f, argnums=(0, 1))(0.3, 0.8)
    expected = rosenbrock_hessian(0.3, 0.8)
    assert isinstance(blocks, tuple) and all(isinstance(row, tuple) for row in blocks)
    for row, want in zip(blocks, expected):
        assert list(row) == pytest.approx(want, rel=1e-14)


def test_hessian_is_the_jacobian_of_the_gradient() -> None:
    f = lambda x: x.sin() * x.exp()
    assert hessian(f)(0.7) == jacobian(grad(f))(0.7) == grad(grad(f))(0.7)
    by_jacobians = jacobian(jacobian(rosenbrock))([0.3, 0.8])
    H_ = hessian(rosenbrock)([0.3, 0.8])
    assert H_[0] == by_jacobians[0]  # the same passes; the lower triangle is mirrored
    assert H_[1] == pytest.approx(by_jacobians[1], rel=1e-15)


def test_hessian_nests_with_grad_for_third_derivatives() -> None:
    # d/dx of d2/dx2 x^2 y^3 = 0, d/dy of it = 6 y^2
    f = lambda x, y: x * x * y ** 3
    assert grad(lambda y: hessian(f)(1.5, y))(2.0) == 24.0
    assert grad(lambda x: hessian(f)(x, 2.0))(1.5) == 0.0


def test_hessian_refuses_a_list_output_and_names_jacobian() -> None:
    with pytest.raises(TypeError, match=r"hessian needs .* one number.*jacobian\(jacobian\(f\)\)"):
        hessian(lambda x: [x, x])(1.0)


# -- jvp ------------------------------------------------------------------------
def test_jvp_is_the_value_and_the_directional_derivative() -> None:
    value, tangent = jvp(lambda x, y: x.sin() * y, (0.3, 2.0), (2.0, -1.0))
    assert value == math.sin(0.3) * 2.0
    assert tangent == pytest.approx(2.0 * math.cos(0.3) * 2.0 - math.sin(0.3), rel=1e-15)
    assert type(value) is float and type(tangent) is float


def test_jvp_with_list_primals_and_list_outputs_keeps_their_shapes() -> None:
    value, tangent = jvp(lambda p: [p[0] * p[1], p[1]], ([2.0, 3.0],), ([1.0, 0.5],))
    assert value == [6.0, 3.0] and tangent == [3.0 + 1.0, 0.5]


def _refuse_reverse_passes(monkeypatch) -> None:
    def no_reverse_pass(*args, **kwargs):
        raise AssertionError("jvp ran a reverse pass")

    for module, name in [(backprop, "gradients"), (backprop, "backpropagate"),
                         (backprop, "_chain_rule"), (engine, "gradients"),
                         (engine, "backpropagate"), (functional, "gradients"),
                         (transforms, "gradients")]:
        if hasattr(module, name):
            monkeypatch.setattr(module, name, no_reverse_pass)
    monkeypatch.setattr(Value, "backward", no_reverse_pass)


def test_jvp_runs_f_once_and_no_reverse_pass(monkeypatch) -> None:
    f = lambda x, y: (x * y).tanh() / y + x.log() * x.sigmoid()
    expected = [grad(f, argnums=(0, 1))(0.3, 1.2)[0], grad(f, argnums=(0, 1))(0.3, 1.2)[1]]
    calls = []
    _refuse_reverse_passes(monkeypatch)
    with pytest.raises(AssertionError, match="reverse pass"):  # the trap catches grad and vjp
        grad(f)(0.3, 1.2)
    with pytest.raises(AssertionError, match="reverse pass"):
        vjp(f, 0.3, 1.2)[1](1.0)
    traced = lambda x, y: calls.append(1) or f(x, y)
    assert jvp(traced, (0.3, 1.2), (1.0, 0.0))[1] == pytest.approx(expected[0], rel=1e-15)
    assert jvp(traced, (0.3, 1.2), (0.0, 1.0))[1] == pytest.approx(expected[1], rel=1e-15)
    # nested: the tangent is built from the ops' rules, still without a reverse pass
    assert isinstance(jvp(f, (Value(0.3), 1.2), (1.0, 0.0))[1], Value)
    assert len(calls) == 2


def test_grad_of_jvp_is_the_second_derivative() -> None:
    f = lambda x: x.sin() * x.exp()
    expected = 2 * math.cos(0.3) * math.exp(0.3)  # (sin e^x)'' = 2 cos(x) e^x
    assert grad(lambda x: jvp(f, (x,), (1.0,))[1])(0.3) == pytest.approx(expected, rel=1e-14)
    third = grad(grad(lambda x: jvp(f, (x,), (1.0,))[1]))(0.3)
    assert third == pytest.approx(grad(grad(grad(f)))(0.3), rel=1e-14)


def test_forward_over_forward_and_forward_over_reverse_give_second_derivatives() -> None:
    f = lambda x: x ** 5
    assert jvp(lambda x: jvp(f, (x,), (1.0,))[1], (2.0,), (1.0,))[1] == 160.0
    assert jvp(grad(f), (2.0,), (1.0,)) == (80.0, 160.0)


def test_grad_through_the_tangent_direction() -> None:
    # d/dt of jvp(f, x, t) = f'(x): the tangent out is linear in the direction
    f = lambda x: x.exp()
    assert grad(lambda t: jvp(f, (0.5,), (t,))[1])(3.0) == math.exp(0.5)


# -- vjp ------------------------------------------------------------------------
def test_vjp_pulls_a_cotangent_back_to_each_primal() -> None:
    value, pullback = vjp(lambda a, p: [a * p[0], a.sin() + p[1]], 0.5, [2.0, 3.0])
    assert value == [1.0, math.sin(0.5) + 3.0]
    assert pullback([1.0, 2.0]) == (2.0 + 2 * math.cos(0.5), [0.5, 2.0])
    assert pullback([0.0, 1.0]) == (math.cos(0.5), [0.0, 1.0])  # callable again


def test_vjp_of_one_output_is_value_and_grad() -> None:
    f = lambda x, y: x * y + y.tanh()
    value, pullback = vjp(f, 2.0, 3.0)
    assert (value, pullback(1.0)) == functional.value_and_grad(f, argnums=(0, 1))(2.0, 3.0)
    assert pullback(2.0) == tuple(2 * g for g in pullback(1.0))


def test_grad_of_a_pullback_is_the_second_derivative() -> None:
    f = lambda x: x.sin() * x.exp()
    second = grad(lambda x: vjp(f, x)[1](1.0)[0])(0.3)
    assert second == pytest.approx(2 * math.cos(0.3) * math.exp(0.3), rel=1e-14)


# -- non-finite derivatives, as grad -------------------------------------------
def test_an_infinite_slope_is_refused_by_name_unless_allowed() -> None:
    with pytest.raises(ValueError, match="sqrt at 0.0 has an infinite slope"):
        jacobian(lambda x: [x.sqrt()])(0.0)
    assert jacobian(lambda x: [x.sqrt()], allow_nonfinite=True)(0.0) == [math.inf]
    with pytest.raises(ValueError, match=r"jvp: the tangent became non-finite at 'sqrt' node.*"
                                         r"allow_nonfinite=True"):
        jvp(lambda x: x.sqrt(), (0.0,), (1.0,))
    assert jvp(lambda x: x.sqrt(), (0.0,), (1.0,), allow_nonfinite=True) == (0.0, math.inf)
    with pytest.raises(ValueError, match="sqrt at 0.0 has an infinite slope"):
        vjp(lambda x: x.sqrt(), 0.0)[1](1.0)


def test_an_infinite_second_derivative_is_refused() -> None:
    with pytest.raises(ValueError, match=r"\*\* at 0\.0 has an infinite slope"):
        hessian(lambda x: x ** 1.5)(0.0)
    with pytest.raises(ValueError, match="jvp: the tangent became non-finite"):
        grad(lambda x: jvp(lambda t: t.sqrt(), (x,), (1.0,))[1])(0.0)


def test_a_tangent_that_overflows_is_refused() -> None:
    with pytest.raises(ValueError, match=r"non-finite at '\*' node"):
        jvp(lambda x: x * 1e300 * 1e10, (1e-300,), (1.0,))


def test_a_zero_tangent_does_not_move_an_input_with_an_infinite_slope() -> None:
    # d/dy of sqrt(x) * y at x = 0 is sqrt(0) = 0, whatever the slope in x
    assert jvp(lambda x, y: x.sqrt() * y, (0.0, 2.0), (0.0, 1.0)) == (0.0, 0.0)


# -- errors ----------------------------------------------------------------------
@pytest.mark.parametrize("out, match", [
    ({"y": 1.0}, r"return a number \(a Value or float\) or a list of them; it returned dict"),
    ("x", "it returned str 'x'"),
    (None, "it returned NoneType"),
    ([1.0, "a"], "a list whose entry 1 is str 'a'"),
])
def test_a_bad_output_is_refused_by_name(out, match: str) -> None:
    for transform in (lambda f: jacobian(f)(1.0), lambda f: jvp(f, (1.0,), (1.0,)),
                      lambda f: vjp(f, 1.0)):
        with pytest.raises(TypeError, match=match):
            transform(lambda x: out)


@pytest.mark.parametrize("primals, tangents, error, match", [
    (0.3, (1.0,), TypeError, r"primals must be a tuple .* \(0\.3,\)"),
    ((0.3,), 1.0, TypeError, "tangents must be a tuple"),
    ((0.3, 0.4), (1.0,), ValueError, r"2 primals but 1 tangents; pass one tangent per primal"),
    ((0.3,), ("1",), TypeError, r"tangents\[0\] must be a real number or a Value; got str"),
    ((0.3,), (True,), TypeError, r"tangents\[0\] must be a real number or a Value; got bool"),
    ((0.3,), (math.nan,), ValueError, r"tangents\[0\] is nan; NaN and infinity would poison"),
    ((0.3,), (-math.inf,), ValueError, r"tangents\[0\] is -inf"),
    (([0.3, 0.4],), ([1.0],), ValueError, r"tangents\[0\] must be a list of 2 numbers"),
    (([0.3, 0.4],), (1.0,), ValueError, r"tangents\[0\] must be a list of 2 numbers"),
    ((0.3,), ([1.0],), ValueError, r"tangents\[0\] must be one number"),
    (([0.3, 0.4],), ([1.0, math.nan],), ValueError, r"tangents\[0\]\[1\] is nan"),
])
def test_jvp_refuses_bad_primals_and_tangents_by_name(primals, tangents, error, match) -> None:
    with pytest.raises(error, match=match):
        jvp(lambda *args: 1.0, primals, tangents)


def test_a_bad_cotangent_is_refused_by_name() -> None:
    _, pullback = vjp(lambda x: [x, x * 2], 1.0)
    with pytest.raises(ValueError, match="cotangent must be a list of 2 numbers"):
        pullback([1.0])
    with pytest.raises(ValueError, match=r"cotangent\[1\] is nan"):
        pullback([1.0, math.nan])
    with pytest.raises(TypeError, match=r"cotangent\[0\] must be a real number or a Value; got"):
        pullback(["1", 0.0])


@pytest.mark.parametrize("arg, error, match", [
    ("1.0", TypeError, r"jacobian: argument 0 must be a real number.*got str"),
    ([1.0, None], TypeError, r"jacobian: argument 0\[1\] must be a real number.*NoneType"),
    ([1.0, {2.0}], TypeError, r"argument 0\[1\] must be a real number.*got set"),
    (math.nan, ValueError, r"jacobian: argument 0 is nan; NaN and infinity would poison every"),
])
def test_a_bad_argument_is_refused_by_name(arg, error, match: str) -> None:
    with pytest.raises(error, match=match):
        jacobian(lambda x: [x])(arg)


def test_bad_argnums_and_missing_arguments_are_refused() -> None:
    with pytest.raises(TypeError, match="argnums"):
        hessian(lambda x: x, argnums=(0, 0))
    with pytest.raises(TypeError, match="jacobian: argnums asks for positional argument 1"):
        jacobian(lambda x, y=1.0: [x * y], argnums=1)(2.0)


def test_transforms_inside_no_grad_differentiate_as_outside() -> None:
    # As torch.func.grad: a transform ignores an outer no_grad, which would make every
    # derivative a silent 0.
    with no_grad():
        assert jvp(lambda x: x * x, (1.5,), (1.0,)) == (2.25, 3.0)
        assert hessian(lambda x: x * x * x)(2.0) == 12.0
        assert jacobian(lambda x: [x * x, x])(3.0) == [6.0, 1.0]
        assert grad(lambda x: x * x)(3.0) == 6.0
        _, pullback = vjp(lambda x: [x * x, x], 1.0)
        assert pullback([1.0, 2.0]) == (4.0,)
        assert (Value(1.0) * 2).op == ""  # and the block itself still records nothing


def test_the_package_exports_the_transforms() -> None:
    assert autograd_mini.jvp is jvp and autograd_mini.hessian is hessian


# -- properties on random programs -----------------------------------------------
@settings(PROPERTY)
@given(programs(), st.data())
def test_forward_mode_agrees_with_reverse_mode(program: Program, data) -> None:
    point = program.inputs
    direction = data.draw(st.lists(st.floats(-2, 2), min_size=len(point), max_size=len(point)))
    values, tangents = jvp(lambda p: every_node(program, p), (point,), (direction,))
    assert values == pytest.approx(every_node(program, point), rel=1e-12, abs=1e-12)
    J = jacobian(lambda p: every_node(program, p))(point)
    for tangent, row in zip(tangents, J):
        terms = [slope * d for slope, d in zip(row, direction)]
        assert tangent == pytest.approx(math.fsum(terms), rel=1e-9,
                                        abs=1e-12 * max(1.0, *map(abs, terms)))


@settings(PROPERTY)
@given(programs(max_steps=8), st.data())
def test_pullback_is_the_adjoint_of_the_forward_derivative(program: Program, data) -> None:
    # <w, J v> = <J^T w, v> for every v and w: vjp (reverse) against jvp (forward)
    point, n_out = program.inputs, len(program.steps)
    v = data.draw(st.lists(st.floats(-2, 2), min_size=len(point), max_size=len(point)))
    w = data.draw(st.lists(st.floats(-2, 2), min_size=n_out, max_size=n_out))
    _, tangents = jvp(lambda p: every_node(program, p), (point,), (v,))
    _, pullback = vjp(lambda p: every_node(program, p), point)
    (pulled,) = pullback(w)
    left, right = [a * b for a, b in zip(w, tangents)], [a * b for a, b in zip(pulled, v)]
    scale = max(1.0, *map(abs, left + right))
    assert math.fsum(left) == pytest.approx(math.fsum(right), rel=1e-9, abs=1e-11 * scale)


@settings(PROPERTY)
@given(programs(max_steps=8))
def test_jacobian_matches_central_differences(program: Program) -> None:
    point = program.inputs
    steps = [H * max(1.0, abs(x)) for x in point]
    for i, step in enumerate(steps):
        assume(stays_defined(program, shifted(point, i, step)))
        assume(stays_defined(program, shifted(point, i, -step)))
    J = jacobian(lambda p: every_node(program, p))(point)
    for j, step in enumerate(steps):
        plus = every_node(program, shifted(point, j, step))
        minus = every_node(program, shifted(point, j, -step))
        for row, a, b in zip(J, plus, minus):
            numeric = (a - b) / (2 * step)
            assert abs(row[j] - numeric) <= 1e-5 * max(1.0, abs(numeric)), (j, row, numeric)


@settings(PROPERTY)
@given(programs(max_steps=6))
def test_hessian_is_symmetric_and_agrees_with_forward_over_reverse(program: Program) -> None:
    point = program.inputs
    f = lambda p: every_node(program, p)[-1]
    H_ = hessian(f)(point)
    gradient = jacobian(f)
    for i, row in enumerate(H_):
        assert row == [H_[j][i] for j in range(len(point))]
        one_hot = [1.0 if k == i else 0.0 for k in range(len(point))]
        _, column = jvp(lambda p: gradient(p), (point,), (one_hot,))
        scale = max(1.0, *map(abs, column))
        assert row == pytest.approx(column, rel=1e-9, abs=1e-11 * scale)


@settings(PROPERTY)
@given(programs(max_inputs=1, max_steps=6))
def test_grad_of_jvp_is_grad_of_grad(program: Program) -> None:
    (x,) = program.inputs
    f = lambda v: program.on_values([v])
    second = grad(lambda v: jvp(f, (v,), (1.0,))[1])(x)
    expected = grad(grad(f))(x)
    assert second == pytest.approx(expected, rel=1e-9, abs=1e-11 * max(1.0, abs(expected)))
