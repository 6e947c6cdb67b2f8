"""explain(node): the chain rule behind node.grad, every number checked against the engine."""
from __future__ import annotations

import re
import threading

import pytest
from hypothesis import given, settings

from autograd_mini import Value
from autograd_mini.viz.chain_rule import explain
from autograd_mini.engine import topological_order
import graphs
from strategies import programs

TERM = re.compile(r"^  via (?P<child>\S+) = .*: grad\((?P=child)\) × \S+ = (?P<grad>\S+) × "
                  r"\(?(?P<local>[^()\s]+)\)? = (?P<product>\S+)( \(operand (?P<operand>\d)\))?$")
SUM = re.compile(r"^(?P<node>\S+)\.grad = (?:.* = )?(?P<total>\S+)$")


def terms(text: str) -> list[dict]:
    return [match.groupdict() for line in text.splitlines() if (match := TERM.match(line))]


def total(text: str) -> float:
    [match] = [m for line in text.splitlines() if (m := SUM.match(line))]
    return float(match["total"])


def fan_out() -> tuple[Value, Value, Value, Value, Value]:
    """graphs.fan_out, backpropagated."""
    nodes = graphs.fan_out()
    nodes[0].backward()
    return nodes


def test_a_node_feeding_two_nodes_adds_both_paths_with_the_engines_numbers():
    out, a, b, c, d = fan_out()
    text = explain(a, digits=17)
    assert "a feeds 2 nodes, so its gradient adds both paths:" in text
    shown = {t["child"]: t for t in terms(text)}
    assert set(shown) == {"c", "d"}
    for child in (c, d):
        term = shown[child.label]
        assert float(term["grad"]) == child.grad
        assert float(term["local"]) == child.local_grads[0]
        assert float(term["product"]) == child.grad * child.local_grads[0]
    assert total(text) == a.grad == -15.0
    assert "a.grad = -6 + (-9) = -15" in explain(a)


def test_a_node_feeding_one_node_has_one_path_and_no_sum():
    out, a, b, c, d = fan_out()
    text = explain(b)
    assert "b feeds one node, so its gradient comes from that one path:" in text
    assert "  via c = a * b: grad(c) × dc/db = 3 × 2 = 6" in text
    assert text.splitlines()[-1] == "b.grad = 6"


def test_a_value_used_twice_by_one_op_counts_both_edges():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    y.backward()
    text = explain(x)
    assert "x feeds one node, y, through 2 edges, so its gradient adds " \
           "both paths:" in text
    assert [t["operand"] for t in terms(text)] == ["1", "2"]
    assert text.splitlines()[-1] == "x.grad = 3 + 3 = 6"


def test_the_output_is_explained_as_the_seed():
    out, *_ = fan_out()
    assert explain(out) == ("out is the output: backward() starts here, with dout/dout = 1 "
                            "(or the grad= it is given), added for each call: out.grad = 1")


def test_after_two_backward_calls_the_terms_still_add_up_to_the_gradient():
    out, a, *_ = fan_out()
    out.backward()
    text = explain(a, digits=17)
    assert total(text) == a.grad == -30.0 and "not this sum" not in text


def test_a_gradient_that_is_not_the_sum_of_its_paths_is_pointed_out():
    out, a, *_ = fan_out()
    a.grad += 1.0  # as a second backward() of another output would
    assert "(a.grad holds -14, not this sum" in explain(a)


def test_unlabelled_nodes_are_named_by_their_place_in_topological_order():
    x = Value(0.5, label="x")
    product = x * 2
    out = product.tanh()
    out.backward()
    assert topological_order(out) == [x, product, out]
    text = explain(x)
    assert text.startswith(f"x.grad = {x.grad:.6g} is dv2/dx, by the chain rule:")
    assert f"  via v1 = x * 2: grad(v1) × dv1/dx = {product.grad:.6g} × 2 = {x.grad:.6g}" in text
    assert "v<i> names an unlabelled node" in text


def test_constants_are_in_the_formulas():
    x = Value(2.0, label="x")
    out = 2 / x + x.leaky_relu(0.2) - 1
    out.label = "out"
    out.backward()
    text = explain(x)
    assert "= 2 / x:" in text and "= leaky_relu(x, slope=0.2):" in text


def test_the_default_root_is_the_latest_backward_in_this_thread():
    out, a, *_ = fan_out()
    other = Value(5.0, label="other") * 2.0
    done = threading.Event()

    def backward_elsewhere():
        other.backward()
        done.set()

    thread = threading.Thread(target=backward_elsewhere)
    thread.start()
    thread.join()
    assert done.is_set()
    assert "dout/da" in explain(a)  # this thread's latest pass is still out's


def test_root_can_be_given():
    out, a, *_ = fan_out()
    (a * 10).backward()  # the latest pass is now another one
    assert "dout/da" in explain(a, root=out)


def test_a_node_outside_the_latest_graph_is_a_clear_error():
    out, *_ = fan_out()
    stranger = Value(1.0, label="stranger")
    with pytest.raises(ValueError, match=r"'stranger'.* is not part of the graph of 'out'.*root="):
        explain(stranger)


def test_without_any_backward_in_this_thread_explain_asks_for_one():
    a = Value(1.0, label="a")
    errors = []
    thread = threading.Thread(target=lambda: errors.append(_error_of(lambda: explain(a))))
    thread.start()
    thread.join()
    [error] = errors
    assert isinstance(error, ValueError)
    assert "no backward() has run in this thread" in str(error) and "root=loss" in str(error)


def _error_of(call) -> Exception | None:
    try:
        call()
    except Exception as error:  # handed back to the test's thread
        return error
    return None


@pytest.mark.parametrize("call, error, says", [
    (lambda out: explain(2.0, root=out), TypeError, "explain needs a Value, not float"),
    (lambda out: explain(out, root=2.0), TypeError, "root must be the Value"),
    (lambda out: explain(out, digits=0), ValueError, "digits=0; give 1 to 17"),
    (lambda out: explain(out, digits=2.5), TypeError, "digits must be an int"),
])
def test_bad_arguments_are_named(call, error, says):
    out, *_ = fan_out()
    with pytest.raises(error, match=re.escape(says)):
        call(out)


def test_gradients_built_with_create_graph_are_explained_by_their_numbers():
    x = Value(2.0, label="x")
    y = x ** 3
    y.label = "y"
    y.backward(create_graph=True)
    assert explain(x).splitlines()[-1] == "x.grad = 12"


@settings(max_examples=60, deadline=None)
@given(programs())
def test_every_nodes_terms_are_the_engines_and_add_up_to_its_gradient_exactly(program):
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(program.inputs)]
    out = program.on_values(leaves)
    out.backward()
    order = topological_order(out)
    for node in order[:-1]:
        text = explain(node, digits=17)
        children = [(child, position) for child in reversed(order)
                    for position, parent in enumerate(child.parents) if parent is node]
        shown = terms(text)
        assert len(shown) == len(children)
        for term, (child, position) in zip(shown, children):
            assert float(term["grad"]) == child.grad
            assert float(term["local"]) == child.local_grads[position]
            assert float(term["product"]) == child.grad * child.local_grads[position]
        assert total(text) == node.grad


def test_explain_is_the_public_name_of_api_md():
    import autograd_mini
    from autograd_mini.viz import chain_rule
    assert autograd_mini.explain is chain_rule.explain


def test_after_backward_on_two_outputs_the_headline_does_not_equate_grad_with_one_of_them():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    y1, y2 = a * b, a.tanh()
    y1.label, y2.label = "y1", "y2"
    y1.backward()
    y2.backward()
    text = explain(a)
    headline = text.splitlines()[0]
    assert headline.startswith("dy2/da = 0.0706508 by the chain rule;")
    assert f"a.grad = {a.grad:.6g} holds more than this pass" in headline
    assert "a.grad = 0.0706508" not in text  # the sum of this pass is dy2/da, not a.grad
    assert "dy2/da = 0.0706508\n" in text


def test_a_function_of_two_operands_is_written_as_a_call_with_its_number_in_place():
    from autograd_mini import maximum, minimum
    a, b = Value(1.0, label="a"), Value(1.0, label="b")
    root = maximum(a, b) + minimum(2.0, a)
    root.backward()
    text = explain(a)
    assert "maximum(a, b)" in text and "minimum(2, a)" in text
    assert "1 × 0.5 = 0.5" in text  # the tie's half


def test_a_gradient_set_to_none_is_said_to_be_none_not_zero():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    out = a * b + a
    out.backward()
    a.grad = None  # PyTorch's set_to_none, and no backward since
    text = str(explain(a, out))
    assert text.startswith("a.grad is None (set to None, and no backward has reached it since)")
    assert "holds 0" not in text and "= 1 + 3 = 4" in text
