"""Functions of containers: grad and the transforms take lists, tuples and dicts of
numbers (nested, mixed) and give derivatives of the same shape, as HIPS autograd and JAX."""
from __future__ import annotations

import math
import sys
from collections import OrderedDict, namedtuple
from typing import Any, Iterator

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd_mini import Value, grad, hessian, jacobian, jvp, value_and_grad, vjp
from strategies import Program, containers, programs

PROPERTY = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
Point = namedtuple("Point", "x y")


def leaves_of(tree: Any) -> list:
    """The numbers of a container, depth first: the tests' own flatten."""
    if isinstance(tree, dict):
        return [leaf for child in tree.values() for leaf in leaves_of(child)]
    if isinstance(tree, (list, tuple)):
        return [leaf for child in tree for leaf in leaves_of(child)]
    return [tree]


def shaped_like(tree: Any, numbers: Iterator) -> Any:
    """A container shaped as tree holding the next numbers: the tests' own rebuild."""
    if isinstance(tree, dict):
        return {key: shaped_like(child, numbers) for key, child in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(shaped_like(child, numbers) for child in tree)
    return next(numbers)


def skeleton(tree: Any) -> Any:
    """tree's types and keys in order, which == on containers does not compare."""
    if isinstance(tree, dict):
        return (dict, [(key, skeleton(child)) for key, child in tree.items()])
    if isinstance(tree, (list, tuple)):
        return (type(tree), [skeleton(child) for child in tree])
    return None


# -- grad: the derivative has the argument's shape --------------------------------
def test_grad_of_a_function_of_a_list_is_a_list() -> None:
    assert grad(lambda xs: sum(x * x for x in xs))([1.0, 2.0]) == [2.0, 4.0]


def test_grad_of_a_function_of_a_dict_is_a_dict_with_its_keys() -> None:
    assert grad(lambda d: d["a"] * d["b"])({"a": 2.0, "b": 3.0}) == {"a": 3.0, "b": 2.0}


def test_grad_of_a_nest_of_lists_and_dicts_has_the_nest_shape() -> None:
    slopes = grad(lambda p: p[0][0] * p[1]["w"])([[2.0], {"w": 3.0}])
    assert slopes == [[3.0], {"w": 2.0}]
    assert all(type(slope) is float for slope in leaves_of(slopes))


def test_tuples_stay_tuples_and_dicts_keep_their_key_order() -> None:
    tree = {"z": (1.0, [2.0]), "a": ((3.0,),)}
    slopes = grad(lambda t: t["z"][0] * t["z"][1][0] * t["a"][0][0])(tree)
    assert slopes == {"z": (6.0, [3.0]), "a": ((2.0,),)}
    assert skeleton(slopes) == skeleton(tree) and list(slopes) == ["z", "a"]


def test_a_namedtuple_stays_one() -> None:
    assert grad(lambda p: p.x * p.y)(Point(2.0, 3.0)) == Point(3.0, 2.0)


def test_empty_containers_come_back_empty() -> None:
    assert grad(lambda t: t["x"] * 2)({"x": 1.0, "none": [], "also": ({}, ())}) == {
        "x": 2.0, "none": [], "also": ({}, ())}
    assert grad(lambda t: 1.0)([]) == []


def test_ints_and_numpy_scalars_inside_are_numbers() -> None:
    slopes = grad(lambda t: t[0] * t[1] * t[2])([2, np.float32(3.0), np.int64(4)])
    assert slopes == [12.0, 8.0, 6.0] and all(type(slope) is float for slope in slopes)


def test_values_inside_give_values_of_them() -> None:
    x = Value(1.5)
    slopes = grad(lambda t: t["x"] ** 3 * t["c"])({"x": x, "c": 2.0})
    assert isinstance(slopes["x"], Value) and slopes["x"].data == 13.5
    slopes["x"].backward()
    assert x.grad == 18.0


def test_value_and_grad_of_a_container_returns_both() -> None:
    value, slopes = value_and_grad(lambda d: d["a"] * d["b"][0])({"a": 2.0, "b": [5.0]})
    assert (value, slopes) == (10.0, {"a": 5.0, "b": [2.0]})


def test_argnums_picks_whole_containers_and_passes_the_rest_through() -> None:
    f = lambda w, x, b: sum(wi * xi for wi, xi in zip(w, x)) + b["bias"]
    w, x, b = (1.0, 2.0), [3.0, 4.0], {"bias": 0.5}
    assert grad(f, argnums=(0, 2))(w, x, b) == ((3.0, 4.0), {"bias": 1.0})
    assert grad(f, argnums=1)(w, x, b) == [1.0, 2.0]


def test_a_constant_function_of_a_container_has_zero_slopes() -> None:
    assert grad(lambda t: 3.0)({"a": [1.0, 2.0]}) == {"a": [0.0, 0.0]}


def test_a_nest_deeper_than_the_recursion_limit_is_taken_apart() -> None:
    depth = sys.getrecursionlimit() + 100
    tree: Any = 2.0
    for _ in range(depth):
        tree = [tree]

    def innermost(t: Any) -> Any:
        while isinstance(t, list):
            t = t[0]
        return t

    slope = grad(lambda t: innermost(t) ** 2)(tree)
    assert innermost(slope) == 4.0
    levels = 0
    while isinstance(slope, list):
        slope, levels = slope[0], levels + 1
    assert levels == depth


# -- jacobian and hessian: the output's shape outside, the argument's inside ---------
def test_jacobian_rows_are_outputs_each_shaped_as_the_argument() -> None:
    J = jacobian(lambda d: [d["a"] * d["b"][0], d["a"]])({"a": 2.0, "b": (3.0,)})
    assert J == [{"a": 3.0, "b": (2.0,)}, {"a": 1.0, "b": (0.0,)}]


def test_jacobian_of_one_output_is_one_row_shaped_as_the_argument() -> None:
    f = lambda t: t[0]["x"] * t[1]
    assert jacobian(f)([{"x": 2.0}, 5.0]) == grad(f)([{"x": 2.0}, 5.0]) == [{"x": 5.0}, 2.0]


def test_jacobian_keeps_a_tuple_argument_a_tuple_in_every_row() -> None:
    assert jacobian(lambda p: [p[0] * p[1], p[1]])((3.0, 4.0)) == [(4.0, 3.0), (0.0, 1.0)]


def test_jacobian_argnums_tuple_gives_one_block_per_container() -> None:
    f = lambda w, x: [w["a"] * x[0], w["a"] + x[1]]
    blocks = jacobian(f, argnums=(0, 1))({"a": 2.0}, [3.0, 5.0])
    assert blocks == ([{"a": 3.0}, {"a": 1.0}], [[2.0, 0.0], [0.0, 1.0]])


def test_hessian_of_a_function_of_a_dict_is_a_dict_of_dicts() -> None:
    a, b = 2.0, 3.0
    H = hessian(lambda d: d["a"] ** 2 * d["b"] + d["b"] ** 3)({"a": a, "b": b})
    assert H == {"a": {"a": 2 * b, "b": 2 * a}, "b": {"a": 2 * a, "b": 6 * b}}
    assert list(H) == ["a", "b"] and list(H["b"]) == ["a", "b"]


def test_hessian_is_shaped_argument_by_argument_for_a_nest() -> None:
    # f = x^2 y: d2/dx2 = 2y, d2/dxdy = 2x, d2/dy2 = 0
    x, y = 2.0, 3.0
    H = hessian(lambda p: p[0][0] ** 2 * p[1]["w"])([[x], {"w": y}])
    assert H == [[[[2 * y], {"w": 2 * x}]], {"w": [[2 * x], {"w": 0.0}]}]
    assert H[1]["w"][0][0] == H[0][0][1]["w"]  # H[p][q] is d2f / dp dq, symmetric


def test_the_diagonal_of_the_hessian_is_grad_of_grad_per_entry() -> None:
    f = lambda p: p[0] ** 3 * p[1] + (p[1] * p[2]).sin() + p[2].exp()
    point = [0.5, 1.2, -0.3]
    H = hessian(f)(point)
    for i in range(len(point)):
        second = grad(lambda p: grad(f)(p)[i])(point)[i]
        assert second == pytest.approx(H[i][i], rel=1e-14)


def test_hessian_argnums_tuple_gives_blocks_shaped_by_both_arguments() -> None:
    f = lambda w, x: w["a"] * x[0] * x[1]
    blocks = hessian(f, argnums=(0, 1))({"a": 2.0}, (3.0, 5.0))
    assert blocks[0][0] == {"a": {"a": 0.0}}
    assert blocks[0][1] == {"a": (5.0, 3.0)}
    assert blocks[1][0] == ({"a": 5.0}, {"a": 3.0})
    assert blocks[1][1] == ((0.0, 2.0), (2.0, 0.0))


# -- jvp and vjp: tangents shaped as the primals, cotangents as the output ----------
def test_jvp_takes_tangents_shaped_as_their_primals() -> None:
    f = lambda d: d["a"] * d["b"][0]
    # a dict's tangent may list the same keys in another order
    assert jvp(f, ({"a": 2.0, "b": [3.0]},), ({"b": [1.0], "a": 0.5},)) == (6.0, 1.5 + 2.0)


def test_a_tangent_of_another_shape_is_refused_where_it_differs() -> None:
    primal = {"a": 2.0, "b": [3.0, 1.0]}
    with pytest.raises(ValueError, match=r"^jvp: tangents\[0\]\['b'\] must be a list of 2 "
                                         r"numbers, shaped as primals\[0\]\['b'\]; got \[1\.0\]"):
        jvp(lambda d: d["a"], (primal,), ({"a": 1.0, "b": [1.0]},))
    with pytest.raises(ValueError, match=r"^jvp: tangents\[0\] must be a dict with keys 'a', 'b'"):
        jvp(lambda d: d["a"], (primal,), ({"a": 1.0, "c": [1.0, 0.0]},))
    with pytest.raises(TypeError, match=r"^jvp: tangents\[0\]\['b'\]\[1\] must be a real number"):
        jvp(lambda d: d["a"], (primal,), ({"a": 1.0, "b": [1.0, "0"]},))


def test_vjp_pulls_back_to_each_primal_shaped_as_it() -> None:
    value, pullback = vjp(lambda w, x: [w["a"] * x[0], x[1]], {"a": 2.0}, (3.0, 5.0))
    assert value == [6.0, 5.0]
    assert pullback([1.0, 2.0]) == ({"a": 3.0}, (2.0, 2.0))


def test_the_transforms_name_themselves_and_the_path() -> None:
    for name, transform in [("jacobian", lambda f: jacobian(f)), ("hessian", hessian),
                            ("vjp", lambda f: lambda t: vjp(f, t))]:
        with pytest.raises(TypeError, match=rf"^{name}: argument 0\['a'\]\[0\] must be a real"):
            transform(lambda t: 1.0)({"a": [None]})


# -- errors name the argument and the place inside it ------------------------------
@pytest.mark.parametrize("arg, error, match", [
    ({"a": [1.0, "x"]}, TypeError,
     r"^grad: argument 0\['a'\]\[1\] must be a real number, a Value, or a list, tuple or "
     r"dict of them .*; got str 'x'$"),
    ([1.0, None], TypeError, r"^grad: argument 0\[1\] must be a real number.*got NoneType"),
    ([1.0, {2.0}], TypeError, r"^grad: argument 0\[1\] must be a real number.*got set"),
    ({"on": True}, TypeError, r"^grad: argument 0\['on'\] must be a real number.*got bool"),
    ({1: [OrderedDict(a=1.0)]}, TypeError, r"^grad: argument 0\[1\]\[0\] .*got OrderedDict"),
    (np.array([1.0, 2.0]), TypeError, r"argument 0 must be .*\.tolist\(\).*got ndarray"),
    ({"a": (0.0, math.nan)}, ValueError,
     r"^grad: argument 0\['a'\]\[1\] is nan; NaN and infinity would poison every derivative"),
    ([[math.inf]], ValueError, r"^grad: argument 0\[0\]\[0\] is inf"),
])
def test_a_bad_number_inside_is_refused_with_its_path(arg: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        grad(lambda t: 1.0)(arg)


def test_the_error_names_the_argument_by_its_position_and_the_function() -> None:
    f = lambda x, t: x * t["w"]
    with pytest.raises(TypeError, match=r"^grad: argument 1\['w'\] must be a real number"):
        grad(f, argnums=(0, 1))(1.0, {"w": "2"})
    with pytest.raises(TypeError, match=r"^value_and_grad: argument 1\['w'\]"):
        value_and_grad(f, argnums=1)(1.0, {"w": "2"})


# -- nesting: second derivatives through containers --------------------------------
def test_grad_of_grad_of_a_function_of_a_list_is_its_second_derivative() -> None:
    f = lambda p: p[0] ** 3 * p[1] + p[1].sin()
    point = [0.5, 1.2]
    d2_dx2 = grad(lambda p: grad(f)(p)[0])(point)[0]
    d2_dxdy = grad(lambda p: grad(f)(p)[0])(point)[1]
    assert d2_dx2 == pytest.approx(6 * 0.5 * 1.2, rel=1e-15)
    assert d2_dxdy == pytest.approx(3 * 0.5 ** 2, rel=1e-15)


def test_grad_through_a_container_and_a_closure_over_the_outer_variable() -> None:
    # d/dx of (d/da a * b * x) at a = x, b = 2: d/dx (2x) = 2
    inner = lambda x: grad(lambda d: d["a"] * d["b"] * x)({"a": x, "b": 2.0})["a"]
    assert grad(inner)(3.0) == 2.0


# -- the property: a container is its flat numbers, shaped ----------------------------
@PROPERTY
@given(programs(max_inputs=6), st.data())
def test_grad_over_a_container_is_grad_over_its_flat_numbers_rebuilt(program: Program,
                                                                     data: Any) -> None:
    tree = data.draw(containers(program.inputs))
    slopes = grad(lambda t: program.on_values(leaves_of(t)))(tree)
    flat = grad(lambda xs: program.on_values(xs))(program.inputs)
    assert skeleton(slopes) == skeleton(tree)
    assert slopes == shaped_like(tree, iter(flat))


@settings(PROPERTY, max_examples=60)
@given(programs(max_inputs=4, max_steps=6), st.data())
def test_hessian_over_a_container_is_the_flat_hessian_rebuilt(program: Program,
                                                              data: Any) -> None:
    tree = data.draw(containers(program.inputs))
    H = hessian(lambda t: program.on_values(leaves_of(t)))(tree)
    flat = hessian(lambda xs: program.on_values(xs))(program.inputs)
    assert H == shaped_like(tree, iter([shaped_like(tree, iter(row)) for row in flat]))
