"""Compiling what backward(create_graph=True) built: where a rule chose its formula by an
input's value, a replay would keep that choice, so compile_graph refuses, naming the op;
where no rule chose, the compiled gradient is right at every input."""
from __future__ import annotations

import pytest

from autograd_mini import Value, compile_graph, grad, jvp
from autograd_mini.engine import OPS
from autograd_mini.ops import PAIRWISE_BY_NAME, UNARY_BY_NAME

BRANCHING = sorted(key for key, op in OPS.items() if op.branches and ":" not in key
                   and key not in ("**",))


def _penalty(x: Value, f) -> Value:
    """(df/dx)^2, built by backward(create_graph=True): a gradient penalty."""
    f(x).backward(create_graph=True)
    return x.grad * x.grad


def test_the_relu_penalty_is_refused_instead_of_replayed_with_the_old_branch():
    x = Value(-2.0, label="x")
    penalty = _penalty(x, lambda v: (v * 3).relu() + v * v * 0.5)  # df/dx = 3 [x > 0] + x
    with pytest.raises(ValueError, match=r"compile_graph: .* through relu at its input = -6\.0"):
        compile_graph(penalty, [x])


@pytest.mark.parametrize("op", BRANCHING)
def test_a_gradient_through_any_op_whose_rule_branches_is_refused(op):
    x = Value(0.7, label="x")
    if op in PAIRWISE_BY_NAME:  # maximum(x, y): its rule chooses by comparing x and y
        penalty = _penalty(x, lambda v: getattr(v * 1.0, op)(v * v) * v)
    else:
        method = UNARY_BY_NAME[op].method or op  # abs is __abs__
        penalty = _penalty(x, lambda v: getattr(v * 1.0, method)() * v)
    with pytest.raises(ValueError, match=f"through {op} at"):
        compile_graph(penalty, [x])


def test_the_choice_reaches_every_gradient_built_from_it():
    a, b = Value(-1.0, label="a"), Value(2.0, label="b")
    out = ((a * b).relu() + 1.0) * b  # relu's choice reaches a's and b's gradients
    out.backward(create_graph=True)
    for leaf in (a, b):
        with pytest.raises(ValueError, match="relu"):
            compile_graph(leaf.grad + 0.0, [a, b])


def test_a_branch_on_a_constant_operand_is_no_choice():
    x = Value(0.5, label="x")
    penalty = _penalty(x, lambda v: 2.0 ** v)  # the rule tests the base 2.0, for good
    compiled = compile_graph(penalty, [x])
    for point in (0.5, -3.0, 4.0):
        x.data = point
        eager = Value(point)
        assert compiled.forward() == _penalty(eager, lambda v: 2.0 ** v).data


@pytest.mark.parametrize("f", [lambda v: v * v * v, lambda v: (v * 2.0).exp() / (v + 5.0),
                               lambda v: v.sin() * v.cos()], ids=["cube", "exp/", "sin*cos"])
def test_a_gradient_without_choices_compiles_and_is_right_at_other_inputs(f):
    x = Value(0.5, label="x")
    compiled = compile_graph(_penalty(x, f), [x])
    for point in (0.5, -1.5, 2.0):
        x.data = point
        assert compiled.forward() == _penalty(Value(point), f).data


def test_a_nested_grad_and_a_nested_jvp_carry_the_choice_too():
    x = Value(-1.0, label="x")
    slope = grad(lambda v: (v * 2.0).relu() * v)(x)  # a Value: x is one
    with pytest.raises(ValueError, match="relu"):
        compile_graph(slope * 1.0, [x])
    y = Value(-1.0, label="y")
    _, tangent = jvp(lambda v: (v * 2.0).relu() * v, (y,), (Value(1.0),))
    with pytest.raises(ValueError, match="relu"):
        compile_graph(tangent * 1.0, [y])
