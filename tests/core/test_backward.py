"""What backward() promises: each node once, every path summed, the accumulation
invariant, zero_grad, no recursion limit, no reference cycles, no_grad, create_graph."""
from __future__ import annotations

import gc
import math

import pytest

from autograd_mini import Value, no_grad
from autograd_mini.engine import topological_order


def test_diamond_sums_gradients_over_both_paths() -> None:
    x = Value(3.0)
    left, right = x * 2, x * 5
    (left * right).backward()  # d(10 x^2)/dx = 20 x
    assert x.grad == 60.0


def test_shared_subexpression_is_visited_once() -> None:
    x = Value(0.5)
    shared = x.tanh()
    out = shared * shared + shared
    order = topological_order(out)
    assert len(order) == len({id(node) for node in order}) == 4
    out.backward()
    t = math.tanh(0.5)
    assert x.grad == pytest.approx((2 * t + 1) * (1 - t * t), rel=1e-15)


def test_topological_order_puts_parents_before_children() -> None:
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c
    order = topological_order(e)
    position = {id(node): i for i, node in enumerate(order)}
    assert order[-1] is e
    assert all(position[id(p)] < position[id(n)] for n in order for p in n.parents)


def test_two_backward_calls_add_the_derivative_twice_not_more() -> None:
    # x -> y = 2x -> z = 3y: micrograd gives x.grad 18 here, propagating accumulated grads.
    x = Value(1.0)
    y = 2 * x
    z = 3 * y
    z.backward()
    z.backward()
    assert (x.grad, y.grad, z.grad) == (12.0, 6.0, 2.0)


def test_backward_from_two_roots_sums_their_derivatives() -> None:
    x = Value(2.0)
    y = x * x
    first, second = y * 3, y.exp()
    first.backward()
    second.backward()
    assert y.grad == pytest.approx(3 + math.exp(4.0), rel=1e-15)
    assert x.grad == pytest.approx((3 + math.exp(4.0)) * 4, rel=1e-15)


def test_backward_seed_scales_every_gradient() -> None:
    x = Value(2.0)
    (x * x).backward(grad=0.5)
    assert x.grad == 2.0


def test_zero_grad_resets_the_node_and_everything_below() -> None:
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c.tanh()
    d.backward()
    c.zero_grad()
    assert (a.grad, b.grad, c.grad) == (0.0, 0.0, 0.0)
    assert d.grad == 1.0  # above the node: untouched


@pytest.mark.slow
def test_a_chain_of_a_million_nodes_needs_no_recursion() -> None:
    x = Value(0.3)
    h = x
    for _ in range(1_000_000):
        h = h * 1.0
    h.backward()
    assert x.grad == 1.0
    h.zero_grad()
    assert x.grad == 0.0


def _live_values() -> int:
    return sum(1 for obj in gc.get_objects() if type(obj) is Value)


@pytest.mark.slow
def test_a_million_node_graph_is_freed_without_the_cyclic_collector() -> None:
    gc.collect()
    gc.disable()
    try:
        before = _live_values()
        x = Value(0.1)
        h = x
        for _ in range(250_000):
            h = (h * 0.5 + x).tanh() - 0.1  # 4 nodes a step, x shared by every step
        h.backward()
        assert _live_values() - before >= 1_000_000
        del h, x
        assert _live_values() == before
    finally:
        gc.enable()


def test_no_grad_records_no_parents() -> None:
    x = Value(2.0)
    with no_grad():
        y = x * 3 + x.tanh()
    assert y.parents == () and y.op == ""
    assert y.data == pytest.approx(6 + math.tanh(2.0), rel=1e-15)
    z = x * 3
    assert z.parents == (x,)  # recording resumes after the block


def test_no_grad_restores_recording_after_an_exception() -> None:
    with pytest.raises(ValueError):
        with no_grad():
            Value(-1.0).log()
    assert (Value(1.0) * 2).parents != ()


def test_create_graph_makes_gradients_values_with_their_own_graph() -> None:
    x = Value(2.0)
    y = x ** 3
    y.backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == 12.0
    first = x.grad
    x.grad = 0.0
    first.backward()  # d(3x^2)/dx = 6x
    assert x.grad == 12.0


def test_create_graph_third_derivative_of_tanh() -> None:
    x = Value(0.7)
    x.tanh().backward(create_graph=True)
    first = x.grad
    x.grad = 0.0
    first.backward(create_graph=True)
    second = x.grad
    x.grad = 0.0
    second.backward()
    t = math.tanh(0.7)
    assert first.data == pytest.approx(1 - t * t, rel=1e-14)
    assert second.data == pytest.approx(-2 * t * (1 - t * t), rel=1e-14)
    assert x.grad == pytest.approx(-2 * (1 - t * t) * (1 - 3 * t * t), rel=1e-13)


def test_create_graph_twice_accumulates_like_plain_backward() -> None:
    x = Value(1.5)
    y = x * x
    y.backward(create_graph=True)
    y.backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == 6.0


def test_a_failing_backward_leaves_every_gradient_as_it_was() -> None:
    x = Value(0.0)
    (x * 2).backward()
    bad = x.sqrt() + x
    with pytest.raises(ValueError, match="sqrt"):
        bad.backward()
    with pytest.raises(ValueError, match="sqrt"):
        bad.backward(create_graph=True)
    assert x.grad == 2.0 and bad.grad == 0.0 and bad.parent1.grad == 0.0


def test_a_failing_backward_on_fresh_gradients_leaves_them_zero() -> None:
    x = Value(4.0)
    y = x * 3
    bad = y.sqrt() * 0 + Value(0.0).sqrt()
    with pytest.raises(ValueError):
        bad.backward()
    assert (x.grad, y.grad, bad.grad) == (0.0, 0.0, 0.0)


def test_an_interrupted_backward_leaves_every_gradient_as_it_was() -> None:
    from autograd_mini.engine import Op

    def interrupted(out, a):
        raise KeyboardInterrupt

    x = Value(1.0)
    (x * 5).backward()
    y = x * 2
    z = y * 1.0
    z._made_by = Op("*", interrupted)
    with pytest.raises(KeyboardInterrupt):
        z.backward(create_graph=True)
    assert x.grad == 5.0 and y.grad == 0.0 and z.grad == 0.0


def test_a_failing_grad_leaves_the_callers_gradients_untouched() -> None:
    from autograd_mini import grad
    x = Value(3.0)
    (x * x).backward()

    def f(t: Value) -> Value:
        return (t * x).sqrt() * 0 + Value(0.0).sqrt()

    with pytest.raises(ValueError):
        grad(f)(1.0)
    assert x.grad == 6.0


def test_create_graph_makes_every_gradient_a_value_even_through_a_zero_slope() -> None:
    x = Value(-1.0)
    y = x.relu() * 3  # x is reached only through relu's zero slope
    y.backward(create_graph=True)
    grads = [node.grad for node in topological_order(y)]
    assert all(isinstance(g, Value) for g in grads)
    assert x.grad.data == 0.0


def test_create_graph_after_a_float_pass_makes_the_sums_values() -> None:
    x = Value(2.0)
    y = x * x
    y.backward()
    y.backward(create_graph=True)
    assert isinstance(x.grad, Value) and x.grad.data == 8.0
    assert isinstance(y.grad, Value) and y.grad.data == 2.0


def test_the_latest_root_is_remembered_per_thread_but_not_kept_alive() -> None:
    from autograd_mini.backprop import last_root
    x = Value(2.0)
    root = x * x
    root.backward()
    assert last_root() is root
    del root
    assert last_root() is None  # a weak reference: the graph is freed as before


def test_a_node_stays_in_112_bytes() -> None:
    import sys
    labelled = Value(1.0, label="x") * 3
    labelled.label = "y"
    assert sys.getsizeof(Value(1.0)) <= 112 and (labelled.label, labelled.constant) == ("y", 3.0)
