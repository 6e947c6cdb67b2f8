"""The passes step by step: backward_steps' frames, write_steps' page and its files."""
from __future__ import annotations

import json
import re

import pytest

from autograd_mini.viz import render
from autograd_mini.viz.render import RenderableDigraph
from autograd_mini.engine import Value, topological_order
from autograd_mini.viz.steps import backward_steps, write_steps
from autograd_mini.viz.dot import GraphTooLargeError


def neuron() -> Value:
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(1.0, label="c")
    out = (a * b + c).tanh()
    out.label = "out"
    return out


def highlighted(graph) -> str:
    [name] = [line.split()[0] for line in graph.body if "highlight" in line]
    return name


def test_there_is_one_frame_per_value():
    out = neuron()
    assert len(list(backward_steps(out))) == len(topological_order(out)) == 6


def test_frames_highlight_the_values_in_reverse_topological_order():
    out = neuron()
    count = len(topological_order(out))
    # draw_dot names Values v0, v1, ... in topological order
    assert [highlighted(frame) for frame in backward_steps(out)] == [
        f"v{i}" for i in reversed(range(count))]


def test_gradients_not_yet_computed_are_blank():
    frames = list(backward_steps(neuron()))
    assert [frame.source.count("grad  }") for frame in frames] == [5, 4, 3, 2, 1, 0]


def test_steps_leave_the_gradients_of_one_fresh_backward_pass():
    out = neuron()
    out.backward()
    out.backward()  # gradients now doubled
    list(backward_steps(out))
    a = topological_order(out)[0]
    fresh = neuron()
    fresh.backward()
    assert a.grad == topological_order(fresh)[0].grad


def test_a_graph_over_the_steps_limit_is_refused_before_any_gradient_changes():
    x = Value(1.0)
    for _ in range(100):
        x = x + 1.0
    with pytest.raises(GraphTooLargeError, match="max_nodes=100"):
        next(backward_steps(x))
    assert x.grad == 0.0


def test_write_steps_writes_one_self_contained_page(tmp_path):
    page = write_steps(neuron(), tmp_path)
    assert page == tmp_path / "index.html"
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]


def test_the_page_loads_nothing_from_outside(tmp_path):
    page = write_steps(neuron(), tmp_path).read_text()
    assert not re.search(r"<script[^>]*\ssrc=|<link\b|<img\b|@import|url\(", page)


def test_the_graph_is_laid_out_once(tmp_path, monkeypatch):
    layouts = []
    real_pipe = RenderableDigraph.pipe
    monkeypatch.setattr(RenderableDigraph, "pipe",
                        lambda self, *a, **k: layouts.append(self) or real_pipe(self, *a, **k))
    page = write_steps(neuron(), tmp_path).read_text()
    assert len(layouts) == 1 and page.count("<svg") == 1


def test_write_steps_leaves_every_other_file_in_the_folder_alone(tmp_path):
    for name in ("step-001.svg", "step-002.svg", "notes.txt", "step-x.svg"):
        (tmp_path / name).write_text("mine")
    write_steps(neuron(), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "index.html", "notes.txt", "step-001.svg", "step-002.svg", "step-x.svg"]
    assert (tmp_path / "step-001.svg").read_text() == "mine"


def test_a_failing_renderer_leaves_an_earlier_page_as_it_was(tmp_path, monkeypatch):
    write_steps(neuron(), tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    failing = tmp_path.parent / "failing-dot"
    failing.write_text("#!/bin/sh\necho 'out of memory' >&2\nexit 1\n")
    failing.chmod(0o755)
    monkeypatch.setenv(render.ENV_VAR, str(failing))
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    with pytest.raises(render.RenderError, match="out of memory"):
        write_steps(a * b, tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_graph_over_the_limit_is_refused_before_any_gradient_changes(tmp_path):
    x = Value(1.0)
    for _ in range(10):
        x = x + 1.0
    with pytest.raises(GraphTooLargeError, match="max_nodes=10"):
        write_steps(x, tmp_path, max_nodes=10)
    assert x.grad == 0.0 and list(tmp_path.iterdir()) == []


def test_an_unprintable_label_on_the_output_still_gives_a_page(tmp_path):
    root = neuron()
    root.label = "out\x00\ud800"
    page = write_steps(root, tmp_path).read_text(encoding="utf-8")
    assert "<title>Forward and backward pass of out\\x00\\ud800</title>" in page


def test_a_label_cannot_close_the_pages_script(tmp_path):
    root = neuron()
    root.label = "</script><script>alert(1)</script><!--"
    page = write_steps(root, tmp_path).read_text(encoding="utf-8")
    assert page.count("<script") == 2 and page.count("</script>") == 2


def test_a_label_that_looks_like_a_placeholder_of_the_page_stays_text(tmp_path):
    root = neuron()
    root.label = "@SVG@ @TRACE@ @TITLE@"
    page = write_steps(root, tmp_path).read_text(encoding="utf-8")
    trace = re.search(r'<script type="application/json" id="trace">(.*?)</script>', page)[1]
    assert page.count("<svg") == 1 and json.loads(trace)["names"][-1] == root.label
