"""At a plain prompt, outside Jupyter: explain's text reads as text, pictures and the
player say in their repr how to view them, and the writers take a Value too."""
from __future__ import annotations

import pytest

from autograd_mini import StepPlayer, Value, draw_dot, explain
from autograd_mini.viz import write_dot, write_png, write_svg


def _root() -> Value:
    a = Value(2.0, label="a")
    out = (a * a).tanh()
    out.label = "out"
    out.backward()
    return out


def test_explain_shows_its_lines_at_a_prompt_not_an_escaped_string():
    out = _root()
    a = out.parents[0].parents[0]
    text = explain(a)
    assert repr(text) == str(text) and "\n" in repr(text) and "\\n" not in repr(text)
    assert isinstance(text, str) and text.startswith("a.grad = ")


def test_a_picture_says_how_to_view_it():
    shown = repr(draw_dot(_root()))
    assert shown.startswith("<graph of 3 Values") and "write_svg(graph, 'graph.svg')" in shown


def test_the_player_says_how_to_view_it():
    shown = repr(StepPlayer(_root()))
    assert shown.startswith("<StepPlayer of 3 Values") and ".save('steps.html')" in shown


@pytest.mark.parametrize("write, name, start", [(write_svg, "g.svg", b"<?xml"),
                                                (write_png, "g.png", b"\x89PNG"),
                                                (write_dot, "g.dot", b"digraph")])
def test_the_writers_take_a_value_as_well_as_a_picture(tmp_path, write, name, start):
    root = _root()
    from_value = write(root, tmp_path / name).read_bytes()
    assert from_value.startswith(start)
    assert from_value == write(draw_dot(root), tmp_path / f"again-{name}").read_bytes()


def test_the_player_saves_to_a_file_name_or_into_a_folder(tmp_path):
    player = StepPlayer(_root())
    assert player.save(tmp_path / "p.html") == tmp_path / "p.html"
    assert player.save(tmp_path / "steps") == tmp_path / "steps" / "index.html"
    assert (tmp_path / "p.html").read_text() == (tmp_path / "steps" / "index.html").read_text()
