"""pickle and copy.deepcopy of Value graphs: iterative (a million-node chain works),
shared nodes stay shared, and the copy computes what the original does."""
from __future__ import annotations

import copy
import gc
import pickle

import pytest

from autograd_mini import Value


def _chain(length: int) -> tuple[Value, Value]:
    x = Value(0.5, label="x")
    out = x
    for _ in range(length):
        out = out * 1.0000001 + 0.0
    return x, out


@pytest.mark.slow
@pytest.mark.parametrize("clone", [copy.deepcopy, lambda v: pickle.loads(pickle.dumps(v))],
                         ids=["deepcopy", "pickle"])
def test_a_million_node_chain_copies_without_recursion(clone) -> None:
    x, out = _chain(500_000)  # two nodes a step
    gc.disable()  # speed only: a million live nodes make every collection rescan them all
    try:
        twin = clone(out)
    finally:
        gc.enable()
    assert twin is not out and twin.data == out.data
    leaf = twin
    while leaf.parent1 is not None:
        leaf = leaf.parent1
    assert leaf is not x and leaf.label == "x" and leaf.data == 0.5


@pytest.mark.parametrize("clone", [copy.deepcopy, lambda v: pickle.loads(pickle.dumps(v))],
                         ids=["deepcopy", "pickle"])
def test_a_copied_graph_backpropagates_like_the_original(clone) -> None:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    shared = a * b
    out = (shared.tanh() + shared * a) ** 2 / (b ** 2 + 1.0)
    a2, b2, out2 = clone([a, b, out])
    assert out2.op == out.op and out2.data == out.data
    out.backward()
    out2.backward()
    assert (a2.grad, b2.grad) == (a.grad, b.grad)
    assert a.grad != 0.0


def test_copies_keep_shared_nodes_shared() -> None:
    a = Value(2.0)
    b = a * a + a ** 3
    for a2, b2 in (copy.deepcopy([a, b]), pickle.loads(pickle.dumps([a, b]))):
        square = b2.parent1
        assert square.parent1 is square.parent2 is a2
        assert b2.parent2.parent1 is a2


def test_copies_keep_gradients_and_create_graph_gradients() -> None:
    x = Value(3.0)
    y = x ** 3
    y.backward(create_graph=True)  # x.grad = 3 x**2, a Value that refers back to x
    for clone in (copy.deepcopy, lambda v: pickle.loads(pickle.dumps(v))):
        x2 = clone(x)
        assert isinstance(x2.grad, Value) and x2.grad.data == 27.0
        first = x2.grad
        first.backward()
        assert x2.grad.data == 27.0 + 18.0  # d(3 x**2)/dx = 6 x, added to the Value


def test_a_copied_graph_holds_no_reference_cycle() -> None:
    _, out = _chain(1_000)
    twin = copy.deepcopy(out)
    gc.collect()
    gc.disable()
    try:
        before = sum(isinstance(o, Value) for o in gc.get_objects())
        del twin
        after = sum(isinstance(o, Value) for o in gc.get_objects())
    finally:
        gc.enable()
    assert before - after == 2_001


def _tanh_chain_with_value_gradients(length: int) -> tuple[Value, Value]:
    x = Value(0.5, label="x")
    out = x
    for _ in range(length):
        out = out.tanh()
    out.backward(create_graph=True)
    return x, out


def _gradients_as_numbers(root: Value) -> list[float]:
    from autograd_mini.backprop import topological_order
    return [node.grad.data for node in topological_order(root)]


CLONES = [copy.deepcopy, lambda v: pickle.loads(pickle.dumps(v)), copy.copy]


@pytest.mark.parametrize("clone", CLONES, ids=["deepcopy", "pickle", "copy"])
def test_a_chain_with_value_gradients_copies_with_its_gradients(clone) -> None:
    x, out = _tanh_chain_with_value_gradients(300)  # RecursionError at 100 steps before
    twin = clone(out)
    assert _gradients_as_numbers(twin) == _gradients_as_numbers(out)
    assert isinstance(twin.grad, Value)


@pytest.mark.parametrize("clone", CLONES[:2], ids=["deepcopy", "pickle"])
def test_a_copied_value_gradient_is_built_on_the_copy_not_the_original(clone) -> None:
    from autograd_mini.backprop import topological_order
    x, out = _tanh_chain_with_value_gradients(5)
    twin = clone(out)
    leaf = twin
    while leaf.parent1 is not None:
        leaf = leaf.parent1
    originals = {id(node) for node in topological_order(x.grad)}
    copies = topological_order(leaf.grad)
    assert len(copies) == len(originals) and not originals & {id(node) for node in copies}
    assert [node.data for node in copies] == [node.data for node in topological_order(x.grad)]


@pytest.mark.slow
@pytest.mark.parametrize("clone", CLONES[:2], ids=["deepcopy", "pickle"])
def test_a_long_chain_with_value_gradients_copies_without_recursion(clone) -> None:
    x, out = _tanh_chain_with_value_gradients(100_000)
    gc.disable()  # speed only, as above
    try:
        twin = clone(out)
    finally:
        gc.enable()
    assert _gradients_as_numbers(twin) == _gradients_as_numbers(out)
