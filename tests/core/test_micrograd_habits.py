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
