"""Users' primitives in the pictures: named by the function, in draw_dot, explain, the player."""
from __future__ import annotations

import pytest

from autograd_mini import Value
from autograd_mini.viz import draw_dot, explain
from autograd_mini.viz.player import StepPlayer
from primitive_examples import logistic, times


def _graph() -> tuple[Value, Value, Value]:
    a, b = Value(0.3, label="a"), Value(-1.2, label="b")
    out = logistic(times(a, b) + times(a, 3.0))
    out.label = "out"
    out.backward()
    return a, b, out


def test_draw_dot_names_each_node_by_its_primitive_and_shows_a_kept_number() -> None:
    *_, out = _graph()
    source = draw_dot(out).source
    assert "label=logistic" in source and "label=times " in source
    assert 'label="times(·, 3)"' in source


def test_explain_shows_the_primitives_slope_as_the_engine_has_it() -> None:
    a, b, out = _graph()
    text = str(explain(a))
    assert "times(a, 3)" in text and "times(a, b)" in text
    # d times(a, b)/da is b, d times(a, 3)/da is 3: the float slopes the nodes hold
    assert "dv2/da = 0.232625 × (-1.2)" in text and "dv3/da = 0.232625 × 3 =" in text


def test_the_player_checks_a_graph_of_primitives_and_shows_their_names() -> None:
    *_, out = _graph()
    page = StepPlayer(out).page
    assert "logistic" in page and "times" in page


def test_the_player_refuses_nothing_a_primitive_graph_needs(tmp_path) -> None:
    *_, out = _graph()
    target = tmp_path / "steps.html"
    StepPlayer(out).save(target)
    assert target.read_text(encoding="utf-8").count("logistic") >= 1


@pytest.mark.parametrize("side", ["left", "right"])
def test_a_number_kept_on_either_side_is_drawn_on_its_side(side) -> None:
    x = Value(2.0, label="x")
    out = times(5.0, x) if side == "left" else times(x, 5.0)
    source = draw_dot(out).source
    assert ('"times(5, ·)"' if side == "left" else '"times(·, 5)"') in source
