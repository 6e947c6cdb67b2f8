"""draw_dot: the structure of the graph it builds (nodes, edges, labels, colours)."""
from __future__ import annotations

import math
import random
import re

import graphviz
import pytest

import autograd_mini

from autograd_mini.engine import Value, topological_order
from autograd_mini.viz.dot import COLORS, GraphTooLargeError, digraph, draw_dot

NODE = re.compile(r"^\t(\w+) \[(.*)\]$")
EDGE = re.compile(r"^\t(\w+) -> (\w+)$")


def nodes(graph: graphviz.Digraph) -> dict[str, str]:
    """Node name -> its attribute text, read from the DOT body."""
    return {m[1]: m[2] for line in graph.body if (m := NODE.match(line.rstrip("\n")))}


def edges(graph: graphviz.Digraph) -> list[tuple[str, str]]:
    return [(m[1], m[2]) for line in graph.body if (m := EDGE.match(line.rstrip("\n")))]


def records(graph: graphviz.Digraph) -> dict[str, str]:
    return {name: attrs for name, attrs in nodes(graph).items() if "shape=record" in attrs}


def label_of(attrs: str) -> str:
    match = re.search(r'label=(?:"((?:[^"\\]|\\.)*)"|(\S+))', attrs)
    return match[1] if match[1] is not None else match[2]


def fill_of(attrs: str) -> str:
    return re.search(r'fillcolor="([^"]*)"', attrs)[1]


def neuron_example() -> tuple[Value, Value, Value, Value]:
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(1.0, label="c")
    out = (a * b + c).tanh()
    out.label = "out"
    return out, a, b, c


def tiny_mlp(params: list[Value]) -> Value:
    """2 inputs -> 4 tanh units -> 1 linear output, weights drawn with a fixed seed."""
    rng = random.Random(0)

    def weight(label: str) -> Value:
        params.append(Value(rng.uniform(-1, 1), label=label))
        return params[-1]

    inputs = [Value(0.5, label="x0"), Value(-1.0, label="x1")]
    hidden = [sum((weight(f"w{j}{i}") * x for i, x in enumerate(inputs)), weight(f"b{j}")).tanh()
              for j in range(4)]
    return sum((weight(f"v{j}") * h for j, h in enumerate(hidden)), weight("c"))


def test_returns_a_graphviz_digraph():
    out, *_ = neuron_example()
    assert isinstance(draw_dot(out), graphviz.Digraph)


def test_one_record_per_value_and_one_op_node_per_computed_value():
    out, *_ = neuron_example()  # Values: a, b, c, a*b, a*b+c, tanh
    graph = draw_dot(out)
    assert len(records(graph)) == 6
    assert len(nodes(graph)) - len(records(graph)) == 3


def test_edges_go_from_each_argument_to_the_op_and_from_the_op_to_its_result():
    out, *_ = neuron_example()
    assert len(edges(draw_dot(out))) == (2 + 2 + 1) + 3  # arguments of *, + and tanh; 3 results


def test_a_value_used_twice_gets_two_edges():
    a = Value(3.0, label="a")
    graph = draw_dot(a * a)
    assert edges(graph).count((_name_of(graph, "a"), "v1_op")) == 2


def test_argument_edges_are_in_argument_order():
    a, b = Value(5.0, label="a"), Value(2.0, label="b")
    graph = draw_dot(b - a)
    into_op = [src for src, dst in edges(graph) if dst.endswith("_op")]
    assert into_op == [_name_of(graph, "b"), _name_of(graph, "a")]


def test_op_nodes_show_the_op():
    out, *_ = neuron_example()
    ops = [label_of(attrs) for name, attrs in nodes(draw_dot(out)).items() if name.endswith("_op")]
    assert sorted(ops) == ["*", "+", "tanh"]


def test_record_shows_label_data_and_grad_to_four_significant_digits():
    x = Value(3.14159265, label="pi")
    y = x * x
    y.backward()
    assert "{ pi | data 3.142 | grad 6.283 }" in map(label_of, records(draw_dot(y)).values())


def test_digits_sets_the_significant_digits():
    x = Value(3.14159265, label="pi")
    assert label_of(records(draw_dot(x, digits=2))["v0"]) == "{ pi | data 3.1 | grad 0 }"


def test_show_grad_false_leaves_the_gradient_out():
    x = Value(1.5, label="x")
    assert label_of(records(draw_dot(x, show_grad=False))["v0"]) == "{ x | data 1.5 }"


def test_gradients_built_with_create_graph_are_shown_by_their_data():
    x = Value(2.0, label="x")
    y = x ** 3
    y.backward(create_graph=True)  # x.grad is a Value holding 3 * x**2 = 12
    assert label_of(records(draw_dot(y))["v0"]) == "{ x | data 2 | grad 12 }"


def test_record_characters_in_labels_are_escaped():
    x = Value(1.0, label="{a|b}<c>")
    assert label_of(records(draw_dot(x))["v0"]).startswith(r"{ \{a\|b\}\<c\> |")


def test_rankdir_is_passed_to_graphviz():
    assert "rankdir=TB" in draw_dot(Value(1.0), rankdir="TB").source


def test_root_leaves_and_intermediates_have_their_own_colours():
    out, a, b, c = neuron_example()
    fills = {label_of(attrs).split("|")[0].strip("{ "): fill_of(attrs)
             for attrs in records(draw_dot(out)).values()}
    assert fills["out"] == COLORS["root"]
    assert fills["a"] == fills["b"] == fills["c"] == COLORS["leaf"]
    assert fills[""] == COLORS["intermediate"]


def test_params_are_coloured_apart_from_other_leaves():
    out, a, b, c = neuron_example()
    graph = draw_dot(out, params=[a])
    assert fill_of(records(graph)[_name_of(graph, "a")]) == COLORS["param"]
    assert fill_of(records(graph)[_name_of(graph, "b")]) == COLORS["leaf"]


def test_color_by_grad_shades_the_largest_gradient_darkest_and_zero_white():
    a, b = Value(1.0, label="a"), Value(10.0, label="b")
    out = a * b + Value(0.0, label="z") * 0.0
    out.backward()  # |da| = 10 is the largest, dz = 0
    graph = draw_dot(out, color_by_grad=True)
    assert fill_of(records(graph)[_name_of(graph, "a")]) == "#ff5519"
    assert fill_of(records(graph)[_name_of(graph, "z")]) == "#ffffff"


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_color_by_grad_marks_a_non_finite_gradient_and_scales_the_others_by_the_finite_ones(bad):
    a, b, c = Value(1.0, label="a"), Value(10.0, label="b"), Value(0.0, label="c",
                                                                   allow_nonfinite=True)
    out = a * b + c
    out.backward()  # |da| = 10 is the largest finite gradient
    c.grad = bad    # as backward(allow_nonfinite=True) leaves it at a singularity
    graph = draw_dot(out, color_by_grad=True)
    assert fill_of(records(graph)[_name_of(graph, "c")]) == COLORS["nonfinite"]
    assert fill_of(records(graph)[_name_of(graph, "a")]) == "#ff5519"
    assert label_of(records(graph)[_name_of(graph, "c")]).endswith(f"grad {bad:.4g} }}")


@pytest.mark.parametrize("not_a_value", [3.0, 3, None, [Value(1.0)]])
def test_draw_dot_of_something_other_than_a_value_is_a_type_error_asking_for_one(not_a_value):
    with pytest.raises(TypeError, match=rf"needs a Value.*not {type(not_a_value).__name__}"):
        draw_dot(not_a_value)


@pytest.mark.parametrize("label, shown", [
    ("a\x00b", r"a\\x00b"),
    ("line\nbreak\ttab", r"line\\nbreak\\ttab"),
    ("\x1b[31m", r"\\x1b[31m"),
    ("lone \ud800", r"lone \\ud800"),
    ("caf\u00e9 \U0001F600", "caf\u00e9 \U0001F600"),  # printable: kept as is
])
def test_unprintable_characters_in_labels_are_shown_as_python_escapes(label, shown):
    record = label_of(records(draw_dot(Value(1.0, label=label)))["v0"])
    assert record == f"{{ {shown} | data 1 | grad 0 }}"


def test_highlight_marks_one_value():
    out, a, *_ = neuron_example()
    graph = draw_dot(out, highlight=a)
    marked = [name for name, attrs in records(graph).items() if "highlight" in attrs]
    assert marked == [_name_of(graph, "a")]


def test_pending_values_show_a_blank_gradient():
    out, a, *_ = neuron_example()
    out.backward()
    graph = draw_dot(out, pending=[a])
    assert label_of(records(graph)[_name_of(graph, "a")]) == "{ a | data 2 | grad  }"


def test_a_graph_over_the_limit_raises_an_error_naming_the_limit_and_the_option():
    x = Value(1.0)
    for _ in range(500):
        x = x + 1.0  # 501 Values
    with pytest.raises(GraphTooLargeError, match=r"501 Values.*max_nodes=500.*max_nodes=501"):
        draw_dot(x)


def test_max_nodes_raises_the_limit():
    x = Value(1.0)
    for _ in range(500):
        x = x + 1.0
    assert len(records(draw_dot(x, max_nodes=501))) == 501


def test_a_whole_mlp_output_is_drawn_with_its_parameters_marked():
    params: list[Value] = []
    out = tiny_mlp(params)
    out.backward()
    graph = draw_dot(out, params=params)
    # 2 inputs + 17 params + per hidden unit (2 products, 2 sums, tanh) + 4 products + 4 sums
    assert len(records(graph)) == 2 + 17 + 4 * 5 + 4 + 4
    param_fills = [attrs for attrs in records(graph).values() if fill_of(attrs) == COLORS["param"]]
    assert len(param_fills) == 17


def _name_of(graph: graphviz.Digraph, label: str) -> str:
    """The node name of the record whose label field is `label`."""
    [name] = [name for name, attrs in records(graph).items()
              if label_of(attrs).startswith("{ " + label + " |")]
    return name


# -- constants and the player's ids ------------------------------------------------

@pytest.mark.parametrize("make, shown", [
    (lambda x: x * 3, "* 3"),
    (lambda x: 3 * x, "* 3"),
    (lambda x: x + 0.1, "+ 0.1"),
    (lambda x: 2 / x, "2 /"),
    (lambda x: 1 - x, "1 -"),
    (lambda x: x ** 2, "** 2"),
    (lambda x: x.leaky_relu(0.2), "leaky_relu slope=0.2"),
    (lambda x: x.maximum(0.0), "maximum(·, 0)"),
    (lambda x: autograd_mini.minimum(2.5, x), "minimum(2.5, ·)"),
    (lambda x: x.clamp(max=1.0), "clamp_max max=1"),
    (lambda x: x.elu(alpha=0.5), "elu alpha=0.5"),
    (lambda x: x * Value(3.0), "*"),  # a Value operand is a node of its own, not a constant
])
def test_an_op_with_a_plain_number_shows_the_number_on_its_node(make, shown):
    graph = draw_dot(make(Value(2.0, label="x")))
    ops = [label_of(attrs) for name, attrs in nodes(graph).items() if name.endswith("_op")]
    assert ops == [shown]


def test_constants_are_shown_to_the_digits_asked_for():
    graph = draw_dot(Value(2.0) * 3.14159, digits=2)
    assert label_of(nodes(graph)["v1_op"]) == "* 3.1"


def test_negative_zero_is_shown_as_zero():
    assert label_of(records(draw_dot(Value(-0.0)))["v0"]) == "{  | data 0 | grad 0 }"


def test_digraph_with_names_shows_them_and_gives_every_node_and_edge_an_svg_id():
    a = Value(3.0, label="a")
    graph = digraph(topological_order(a * a), names=["a", "v1"])
    assert label_of(records(graph)["v1"]).startswith("{ v1 |")
    ids = re.findall(r'\bid=(\w+)', graph.source)
    assert ids == ["v0", "v1", "v1_op", "v1_in0", "v1_in1", "v1_out"]


def test_draw_dot_gives_no_ids():
    a = Value(3.0, label="a")
    assert "id=" not in draw_dot(a * a).source


@pytest.mark.parametrize("digits, error", [(0, ValueError), (18, ValueError), (2.5, TypeError),
                                           (True, TypeError)])
def test_digits_out_of_range_are_refused_naming_the_argument(digits, error):
    with pytest.raises(error, match=r"draw_dot: digits"):
        draw_dot(Value(1.0), digits=digits)


@pytest.mark.parametrize("max_nodes, error", [(None, TypeError), ("10", TypeError),
                                              (True, TypeError), (0, ValueError)])
def test_a_max_nodes_that_is_not_a_count_is_named(max_nodes, error):
    with pytest.raises(error, match="max_nodes"):
        draw_dot(Value(1.0) * 2, max_nodes=max_nodes)


def test_a_gradient_set_to_none_is_drawn_as_none():
    a = Value(2.0, label="a")
    out = a * 3.0
    out.backward()
    a.grad = None
    assert "{ a | data 2 | grad None }" in draw_dot(out).source
