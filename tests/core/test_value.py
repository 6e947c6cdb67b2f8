"""A Value as Python code handles it: its repr, .data and .item(), its edges, and what a
PyTorch user types (comparisons with numbers either side, max, sorted, an if on a
comparison, hashing, format, detach); leaving the graph silently (float(v), math.exp(v),
an if on a Value) is a TypeError naming .item()."""
from __future__ import annotations

import math
import re

import pytest

from autograd_mini import Value, grad, no_grad


def test_repr_shows_data_grad_label_and_op() -> None:
    a = Value(2.0, label="a")
    assert repr(a) == "Value(data=2.0, grad=0.0, label='a')"
    b = a * 3
    b.backward()
    assert repr(b) == "Value(data=6.0, grad=1.0, op='*')"
    assert repr(a) == "Value(data=2.0, grad=3.0, label='a')"


def test_leaf_has_no_op_and_no_parents() -> None:
    a = Value(1.0)
    assert a.op == "" and a.parents == () and a.local_grads == ()


def test_data_is_assignable_and_item_reads_it() -> None:
    a = Value(1.0)
    a.data = 4.5
    assert a.item() == 4.5 and a.sqrt().data == math.sqrt(4.5)


def test_a_node_used_twice_in_one_op_gets_both_edges() -> None:
    a = Value(3.0)
    square = a * a
    assert square.parents == (a, a)
    square.backward()
    assert a.grad == 6.0


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


@pytest.mark.parametrize("leave", [int, lambda v: round(v, 2), round, lambda v: "%.2f" % v,
                                   float], ids=["int", "round2", "round", "percent", "float"])
def test_every_way_out_of_the_graph_gets_the_same_hint(leave):
    with pytest.raises(TypeError, match=r"leave the graph .* v\.item\(\) .* f'\{v:\.2f\}'"):
        leave(Value(2.5))


def test_a_zero_dimensional_numpy_array_is_read_as_its_number():
    numpy = pytest.importorskip("numpy")
    assert Value(numpy.array(2.5)).data == 2.5 and Value(numpy.array(3)).data == 3.0
    with pytest.raises(TypeError, match="ndarray"):
        Value(numpy.array([1.0, 2.0]))


def test_backward_takes_pytorchs_gradient_keyword():
    x = Value(2.0)
    y = x * x
    y.backward(gradient=3.0)
    assert x.grad == 12.0
    with pytest.raises(TypeError, match="not both"):
        y.backward(1.0, gradient=3.0)
