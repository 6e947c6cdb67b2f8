"""The step player in a real Chromium: stepping by mouse and keyboard, the captions' numbers
against the engine's, one still picture, the numerical check; and its Jupyter form."""
from __future__ import annotations

import html
import json
import re

import pytest

from autograd_mini.engine import Value, topological_order
from autograd_mini.viz.player import StepPlayer
import graphs
from chromium import wait_for

EXACT = 17  # significant digits that give every float back exactly


def fan_out() -> Value:
    """graphs.fan_out's root (a's gradient adds two paths)."""
    return graphs.fan_out()[0]


def by_label(root: Value) -> dict[str, Value]:
    return {node.label: node for node in topological_order(root)}


def open_player(browser, tmp_path, root: Value, **options) -> str:
    page = tmp_path / "player.html"
    page.write_text(StepPlayer(root, **options).page, encoding="utf-8")
    session = browser.open(page.as_uri())
    wait_for(browser, session, "document.readyState === 'complete' && "
                               "document.getElementById('counter').textContent")
    return session


def step(browser, session) -> int:
    """The step shown, counted from 0."""
    return int(browser.evaluate(session, "document.getElementById('counter').textContent")
               .split(" / ")[0]) - 1


def caption(browser, session) -> list[str]:
    return browser.evaluate(session, "[...document.querySelectorAll('#caption div')]"
                                     ".map((line) => line.textContent)")


def go(browser, session, to: int) -> list[str]:
    browser.evaluate(session, f"show({to})")
    return caption(browser, session)


def number(text: str) -> float:
    return float(text.strip("()"))


# -- stepping ---------------------------------------------------------------------------

def test_next_and_previous_step_by_mouse(browser, tmp_path):
    session = open_player(browser, tmp_path, fan_out())
    assert step(browser, session) == 0
    assert browser.evaluate(session, "document.getElementById('prev').disabled")
    browser.click(session, "#next")
    browser.click(session, "#next")
    assert step(browser, session) == 2
    browser.click(session, "#prev")
    assert step(browser, session) == 1
    assert browser.evaluate(session, "document.getElementById('slider').value") == "1"


def test_arrow_keys_step_and_home_and_end_jump(browser, tmp_path):
    root = fan_out()
    last = 2 * len(topological_order(root)) - 1
    session = open_player(browser, tmp_path, root)
    browser.press(session, "ArrowRight")
    browser.press(session, "ArrowRight")
    assert step(browser, session) == 2
    browser.press(session, "ArrowLeft")
    assert step(browser, session) == 1
    browser.press(session, "End")
    assert step(browser, session) == last
    assert browser.evaluate(session, "document.getElementById('next').disabled")
    browser.press(session, "ArrowRight")  # stays at the end
    assert step(browser, session) == last
    browser.press(session, "Home")
    assert step(browser, session) == 0


def test_a_key_with_the_slider_focused_moves_one_step_not_two(browser, tmp_path):
    session = open_player(browser, tmp_path, fan_out())
    browser.evaluate(session, "document.getElementById('slider').focus()")
    browser.press(session, "ArrowRight")
    assert step(browser, session) == 1


def test_clicking_a_value_shows_how_its_gradient_was_computed(browser, tmp_path):
    session = open_player(browser, tmp_path, fan_out())
    index = [node.label for node in topological_order(fan_out())].index("a")
    browser.click(session, f"#v{index} polygon")
    assert caption(browser, session)[0] == "Backward pass, step 5 of 5: the gradient of a"


# -- the numbers ------------------------------------------------------------------------

def test_forward_steps_show_each_value_and_its_local_derivatives_as_the_engine_has_them(
        browser, tmp_path):
    root = (Value(0.5, label="x").tanh() * Value(-2.0, label="w") + 0.25).exp()
    root.label = "y"
    session = open_player(browser, tmp_path, root, digits=EXACT)
    order = topological_order(root)
    for i, node in enumerate(order):
        head, *lines = go(browser, session, i)
        assert head.startswith(f"Forward pass, step {i + 1} of {len(order)}: the value of ")
        assert number(lines[0].rsplit(" = ", 1)[1]) == node.data
        if node.parents:
            slopes = re.findall(r"= (\S+?)(?:,|$)", lines[1].split(": ", 1)[1])
            assert [number(s) for s in slopes] == list(node.local_grads)


TERM = re.compile(r"^  via (?P<child>\S+) = .*: grad\((?P=child)\) × \S+ = (?P<grad>\S+) × "
                  r"(?P<local>\S+) = (?P<product>\S+)( \(operand \d\))?$")


def test_backward_steps_show_the_engines_gradients_local_derivatives_products_and_sums(
        browser, tmp_path):
    x = Value(0.7, label="x")
    y = x * x + (x * 3.0).tanh()  # x feeds three edges, one node twice
    z = y.sigmoid() * y
    z.label = "z"
    session = open_player(browser, tmp_path, z, digits=EXACT)
    order = topological_order(z)
    last = 2 * len(order) - 1
    for i, node in enumerate(order[:-1]):
        head, *lines = go(browser, session, last - i)
        assert head.endswith(f"the gradient of {node.label or f'v{i}'}")
        children = [(child, position) for child in reversed(order)
                    for position, parent in enumerate(child.parents) if parent is node]
        terms = [m for line in lines if (m := TERM.match(line))]
        assert len(terms) == len(children)
        for term, (child, position) in zip(terms, children):
            assert number(term["grad"]) == child.grad
            assert number(term["local"]) == child.local_grads[position]
            assert number(term["product"]) == child.grad * child.local_grads[position]
        assert number(lines[-1].rsplit(" = ", 1)[1]) == node.grad


def test_a_fan_out_shows_both_paths_and_their_sum(browser, tmp_path):
    root = fan_out()
    session = open_player(browser, tmp_path, root)
    a, c, d = (by_label(root)[name] for name in "acd")
    lines = go(browser, session, 2 * len(topological_order(root)) - 1)
    assert lines[1] == "a feeds 2 nodes, so its gradient adds both paths:"
    assert lines[-1] == f"a.grad = {d.grad * 1:g} + ({c.grad * -3:g}) = {a.grad:g}" \
        == "a.grad = -6 + (-9) = -15"
    assert browser.evaluate(session, "document.querySelectorAll('.edge.active').length") == 2
    assert sorted(browser.evaluate(session, "[...document.querySelectorAll('.node.source')]"
                                            ".map((n) => n.id)")) == \
        sorted(f"v{topological_order(root).index(n)}" for n in (c, d))


def test_values_appear_in_the_forward_pass_and_gradients_in_the_backward_pass(browser, tmp_path):
    root = fan_out()
    count = len(topological_order(root))
    session = open_player(browser, tmp_path, root)
    fields = ("[...document.querySelectorAll('g.node:not(.op)')].map((g) => "
              "[...g.querySelectorAll('text')].slice(-2).map((t) => t.textContent))")
    for shown in range(2 * count):
        browser.evaluate(session, f"show({shown})")
        known = {i for i in range(count) if shown >= count or i <= shown}
        finished = {i for i in range(count) if shown >= count and i >= 2 * count - 1 - shown}
        texts = browser.evaluate(session, fields)
        assert [i for i, (data, _) in enumerate(texts) if data != "data"] == sorted(known)
        assert [i for i, (_, grad) in enumerate(texts) if grad != "grad"] == sorted(finished)


def test_edges_show_their_local_derivatives(browser, tmp_path):
    root = fan_out()
    session = open_player(browser, tmp_path, root)
    browser.evaluate(session, "show(9)")
    shown = browser.evaluate(session, "Object.fromEntries([...document.querySelectorAll("
                                      "'.edge text.local')].map((t) => "
                                      "[t.parentNode.id, t.textContent]))")
    order = topological_order(root)
    assert shown == {f"v{i}_in{k}": f"{local:.4g}" for i, node in enumerate(order)
                     for k, local in enumerate(node.local_grads)}


# -- one still picture ------------------------------------------------------------------

def test_there_is_one_svg_and_it_does_not_move_while_stepping(browser, tmp_path):
    root = fan_out()
    session = open_player(browser, tmp_path, root)
    where = ("JSON.stringify([document.querySelector('svg').getBoundingClientRect(), "
             "[...document.querySelectorAll('g.node, g.edge')].map((g) => g.getBBox())])")
    assert browser.evaluate(session, "document.querySelectorAll('svg').length") == 1
    first = browser.evaluate(session, where)
    for _ in range(2 * len(topological_order(root)) - 1):
        browser.click(session, "#next")
        assert browser.evaluate(session, where) == first
    assert browser.evaluate(session, "document.querySelectorAll('svg').length") == 1


# -- the numerical check ----------------------------------------------------------------

def check(browser, session) -> tuple[str, dict[str, str]]:
    browser.click(session, "#check")
    marks = browser.evaluate(session, "Object.fromEntries([...document.querySelectorAll("
                                      "'.fd-ok, .fd-bad, .fd-na')].map((n) => "
                                      "[n.querySelector('text').textContent, n.className.baseVal"
                                      ".match(/fd-(\\w+)/)[1]]))")
    return browser.evaluate(session, "document.getElementById('check-summary').className"), marks


def test_the_check_button_marks_leaves_that_agree_with_finite_differences_green(browser,
                                                                             tmp_path):
    session = open_player(browser, tmp_path, fan_out())
    summary, marks = check(browser, session)
    assert summary == "ok" and marks == {"a": "ok", "b": "ok"}
    colour = browser.evaluate(session, "getComputedStyle(document.querySelector("
                                       "'.fd-ok:not(.current) polygon')).fill")
    assert colour == "rgb(183, 228, 176)"


def test_the_check_button_marks_a_gradient_taken_at_a_kink_red(browser, tmp_path):
    x, w = Value(0.0, label="x"), Value(2.0, label="w")
    root = (x.relu() + w * w)  # relu's gradient at 0 is 0; the central difference is 0.5
    session = open_player(browser, tmp_path, root)
    summary, marks = check(browser, session)
    assert summary == "bad" and marks == {"x": "bad", "w": "ok"}
    assert "1 of 2 leaf gradients agree" in browser.evaluate(
        session, "document.getElementById('check-summary').textContent")


def test_the_check_rows_hold_the_backprop_and_central_difference_numbers():
    x, w = Value(0.0, label="x"), Value(2.0, label="w")
    player = StepPlayer(x.relu() + w * w)
    rows = {player.trace["names"][row[0]]: row[1:4] for row in player.trace["check"]}
    assert rows == {"x": ["0", "0.5", "bad"], "w": ["4", "4", "ok"]}


def test_a_leaf_whose_shifted_value_leaves_an_ops_domain_is_marked_not_checked():
    x = Value(5e-7, label="x")  # x - 1e-6 < 0: log is not defined there
    player = StepPlayer(x.log())
    [[_, _, numeric, status, note]] = player.trace["check"]
    assert (numeric, status) == ("", "na") and "log" in note


# -- the page as a whole ----------------------------------------------------------------

def test_the_player_leaves_the_gradients_of_one_fresh_backward_pass():
    root = fan_out()
    root.backward()
    root.backward()
    StepPlayer(root)
    assert by_label(root)["a"].grad == -15.0


def test_a_non_value_is_a_type_error():
    with pytest.raises(TypeError, match="StepPlayer needs a Value"):
        StepPlayer(3.0)


def test_the_jupyter_form_is_the_page_in_an_iframe():
    player = StepPlayer(fan_out())
    shown = player._repr_html_()
    srcdoc = re.fullmatch(r'<iframe srcdoc="([^"]*)" style="[^"]*height: (\d+)px[^"]*" '
                          r'title="[^"]*"></iframe>', shown)
    assert html.unescape(srcdoc[1]) == player.page
    assert 480 <= int(srcdoc[2]) <= 900


def test_the_jupyter_form_runs_the_player(browser, tmp_path):
    host = tmp_path / "notebook.html"
    host.write_text(f"<!DOCTYPE html><body>{StepPlayer(fan_out())._repr_html_()}</body>")
    session = browser.open(host.as_uri())
    inside = "document.querySelector('iframe').contentDocument"
    assert wait_for(browser, session, f"{inside} && {inside}.getElementById('counter') && "
                                      f"{inside}.getElementById('counter').textContent") == "1 / 10"
    browser.evaluate(session, f"{inside}.getElementById('next').click()")
    assert browser.evaluate(session, f"{inside}.getElementById('counter').textContent") == "2 / 10"


def test_the_trace_is_json_the_page_can_read():
    root = fan_out()
    page = StepPlayer(root).page
    trace = re.search(r'<script type="application/json" id="trace">(.*?)</script>', page)[1]
    assert json.loads(trace)["names"] == [node.label for node in topological_order(root)]


def test_a_forward_step_marks_the_inputs_and_their_edges(browser, tmp_path):
    root = fan_out()
    order = topological_order(root)
    c = by_label(root)["c"]
    session = open_player(browser, tmp_path, root)
    browser.evaluate(session, f"show({order.index(c)})")
    sources = browser.evaluate(session, "[...document.querySelectorAll('.node.source')]"
                                        ".map((n) => n.id)")
    assert sorted(sources) == sorted(f"v{order.index(p)}" for p in c.parents)
    assert browser.evaluate(session, "[...document.querySelectorAll('.edge.active')]"
                                     ".map((e) => e.id)") == [f"v{order.index(c)}_in0",
                                                              f"v{order.index(c)}_in1"]


def test_digits_out_of_range_are_refused_before_any_gradient_changes():
    root = fan_out()
    with pytest.raises(ValueError, match=r"StepPlayer: digits=-1; give 1 to 17"):
        StepPlayer(root, digits=-1)
    assert root.grad == 0.0


@pytest.mark.parametrize("height, error", [(0, ValueError), (-5, ValueError), (2.5, TypeError),
                                           ("300px", TypeError), (True, TypeError)])
def test_a_frame_height_that_is_not_a_positive_whole_number_is_refused(height, error):
    with pytest.raises(error, match=r"StepPlayer: height="):
        StepPlayer(fan_out(), height=height)


def test_constants_are_shown_on_their_ops_and_in_the_captions():
    x = Value(2.0, label="x")
    half, triple = 2 / x, x * 3
    y = half + triple
    y.label = "y"
    player = StepPlayer(y)
    ops = re.findall(r'<g id="v\d+_op" class="node op">\s*<title>[^<]*</title>\s*<ellipse[^>]*/>'
                     r'\s*<text[^>]*>([^<]*)</text>', player.svg)
    assert sorted(ops) == ["* 3", "+", "2 /"]
    order = topological_order(y)
    assert player.trace["forward"][order.index(half)][0] == \
        f"v{order.index(half)} = 2 / x = 2 / 2 = 1"
    assert player.trace["forward"][order.index(triple)][0] == \
        f"v{order.index(triple)} = x * 3 = 2 * 3 = 6"


def test_the_numerical_check_runs_the_graph_compiled_not_op_by_op(monkeypatch):
    """The check differentiates every leaf by running the whole graph twice: op by op, a
    4,000-node graph took 45 s; a compiled run costs about a call of generated code."""
    import autograd_mini.viz.player as player
    compiled_runs = []
    real = player.compile_graph

    def counting(*args, **kwargs):
        graph = real(*args, **kwargs)
        compiled_runs.append(graph)
        return graph

    monkeypatch.setattr(player, "compile_graph", counting)
    root = graphs.fan_out()[0]
    before = [node.data for node in topological_order(root)]
    rows = StepPlayer(root).trace["check"]
    assert len(compiled_runs) == 1
    assert [row[3] for row in rows] == ["ok"] * len(rows)
    assert [node.data for node in topological_order(root)] == before  # all restored
