"""micrograd's names on our Values: the lecture's way of walking and drawing a graph reads
v._prev (a set of parents) and v._op (the op's symbol), and works unchanged."""
from __future__ import annotations

import graphviz

from autograd_mini import Value


def lecture_style_walk(root):
    """Every node and edge below root, found through _prev, as micrograd's lecture does."""
    nodes, edges = set(), set()

    def visit(v):
        if v not in nodes:
            nodes.add(v)
            for parent in v._prev:
                edges.add((parent, v))
                visit(parent)
    visit(root)
    return nodes, edges


def lecture_style_picture(root):
    picture = graphviz.Digraph(format="svg", graph_attr={"rankdir": "LR"})
    nodes, edges = lecture_style_walk(root)
    for n in nodes:
        uid = str(id(n))
        picture.node(name=uid, label="{ %s | data %.4f | grad %.4f }" % (n.label, n.data,
                                                                           n.grad),
                     shape="record")
        if n._op:
            picture.node(name=uid + n._op, label=n._op)
            picture.edge(uid + n._op, uid)
    for a, b in edges:
        picture.edge(str(id(a)), str(id(b)) + b._op)
    return picture


def test_prev_is_the_set_of_parents_and_op_the_symbol():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    square = a * a
    assert c._prev == {a, b} and c._op == "*" and a._prev == set() and a._op == ""
    assert square._prev == {a} and (c + 1.0).tanh()._op == "tanh"


def test_the_lecture_way_of_drawing_a_graph_runs_on_our_values():
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    out = d.tanh()
    out.label = "out"
    out.backward()
    source = lecture_style_picture(out).source
    nodes, edges = lecture_style_walk(out)
    assert len(nodes) == 6 and len(edges) == 5
    assert "{ e | data -6.0000 | grad " in source and 'label="*"' in source


# -- micrograd's way of adding an op: Value(data, children, op) and out._backward --------

import gc
import math

import pytest

from autograd_mini import compile_graph, jvp
from autograd_mini import backprop


def micrograd_mul(a, b):
    """micrograd's __mul__, written against our Values."""
    out = Value(a.data * b.data, (a, b), "*")

    def _backward():
        a.grad += b.data * out.grad
        b.grad += a.data * out.grad
    out._backward = _backward
    return out


def micrograd_tanh(x):
    t = math.tanh(x.data)
    out = Value(t, (x,), "tanh")

    def _backward():
        x.grad += (1 - t ** 2) * out.grad
    out._backward = _backward
    return out


def test_a_node_made_micrograds_way_has_its_children_and_op():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    out = Value(a.data * b.data, (a, b), "*", label="out")
    assert out._prev == {a, b} and out._op == "*" and out.op == "*" and out.label == "out"
    assert out.parents == (a, b) and out.data == -6.0


def test_micrograds_closures_give_the_gradients_of_the_built_in_ops():
    a, b = Value(2.0), Value(-3.0)
    micrograd_tanh(micrograd_mul(a, b) + 1.0).backward()
    x, y = Value(2.0), Value(-3.0)
    ((x * y) + 1.0).tanh().backward()
    assert (a.grad, b.grad) == pytest.approx((x.grad, y.grad))


def test_closures_run_in_topological_order_and_accumulate_across_paths():
    a = Value(3.0)
    square = micrograd_mul(a, a)  # a * a: both edges add
    root = micrograd_mul(square, a) + square
    root.backward()
    assert a.grad == pytest.approx(3 * 9.0 + 2 * 3.0)


def test_backward_twice_adds_as_the_built_in_ops_do():
    x = Value(1.5)
    root = micrograd_mul(Value(2.0), x)
    root.backward()
    root.backward()
    assert x.grad == 4.0


def test_a_node_without_a_closure_passes_no_gradient_on_as_in_micrograd():
    a = Value(2.0)
    out = Value(a.data * 2.0, (a,), "*2")
    (out * 3.0).backward()
    assert a.grad == 0.0 and out.grad == 3.0


def test_the_label_and_allow_nonfinite_keywords_still_work():
    a = Value(1.0, label="a", allow_nonfinite=True)
    out = Value(math.inf, (a,), "blow", label="out", allow_nonfinite=True)
    assert out.label == "out" and a.label == "a" and out.data == math.inf
    assert Value(2.0, "positional").label == "positional"


@pytest.mark.parametrize("children", [(1.0,), (), "ab", [Value(1.0)] * 3])
def test_children_must_be_one_or_two_values(children):
    if not children:
        assert Value(1.0, children, "").op == ""  # no children: a leaf, as micrograd's
        return
    with pytest.raises(TypeError, match="children must be one or two Values"):
        Value(1.0, children, "*")


def test_a_built_in_node_refuses_a_closure_and_offers_its_own_step():
    a, b = Value(2.0), Value(3.0)
    out = a * b
    with pytest.raises(TypeError, match="primitive"):
        out._backward = lambda: None
    out.grad = 1.0
    out._backward()  # micrograd's own loop can call it
    assert (a.grad, b.grad) == (3.0, 2.0)


@pytest.mark.parametrize("what, run", [
    ("create_graph", lambda root, x: root.backward(create_graph=True)),
    ("compile_graph", lambda root, x: compile_graph(root, [x])),
])
def test_where_a_closure_cannot_go_the_error_names_the_node_and_primitive(what, run):
    x = Value(0.5)
    root = micrograd_mul(x, Value(2.0)) * 1.0
    root.parents[0].label = "doubled"
    with pytest.raises(TypeError, match=r"node 'doubled' made as Value\(1.0, children, '\*'\)"
                                        r".*primitive"):
        run(root, x)


def test_jvp_refuses_a_closure_node_naming_primitive():
    with pytest.raises(TypeError, match="jvp.*primitive"):
        jvp(lambda v: micrograd_tanh(v), (0.3,), (1.0,))


def test_the_step_player_refuses_a_closure_node_naming_primitive():
    from autograd_mini import StepPlayer
    x = Value(0.5)
    with pytest.raises(TypeError, match="the step player.*primitive"):
        StepPlayer(micrograd_tanh(x))


def test_closure_nodes_are_counted_while_alive():
    gc.collect()
    before = backprop.closures_alive
    node = micrograd_tanh(Value(0.1))
    assert backprop.closures_alive == before + 1
    del node
    gc.collect()  # the closure holds its node: a cycle, as in micrograd
    assert backprop.closures_alive == before


def test_a_closure_node_made_under_no_grad_records_nothing():
    from autograd_mini import no_grad
    with no_grad():
        out = Value(1.0, (Value(2.0),), "f")
    assert out.parents == () and out.op == ""


@pytest.mark.parametrize("copy_it", [lambda v: __import__("pickle").dumps(v),
                                     lambda v: __import__("copy").deepcopy(v)])
def test_pickle_and_deepcopy_refuse_a_closure_naming_primitive(copy_it):
    with pytest.raises(TypeError, match="pickle and copy.deepcopy.*primitive"):
        copy_it(micrograd_tanh(Value(0.3)) * 2.0)


def test_a_micrograd_node_without_a_closure_pickles():
    import pickle
    out = Value(2.0, (Value(1.0),), "f")
    twin = pickle.loads(pickle.dumps(out))
    assert twin.op == "f" and twin.parents[0].data == 1.0
