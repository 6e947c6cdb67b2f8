"""`autograd-mini graph` (value, gradients, graph files) and the `demo` delegation."""
from __future__ import annotations

import subprocess
import sys
import types

import pytest

from autograd_mini.viz import render
from autograd_mini.cli.commands import main
from autograd_mini.engine import Value


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(render.ENV_VAR, raising=False)


def printed_numbers(out: str) -> dict[str, float]:
    """'value = 1.5' and 'd/da = 2' lines as {'value': 1.5, 'd/da': 2.0}."""
    pairs = (line.split(" = ") for line in out.splitlines() if " = " in line)
    return {key.strip(): float(number) for key, number in pairs}


def test_graph_prints_the_value_and_gradients_of_the_engine(capsys):
    assert main(["graph", "tanh(a*b + c)", "a=2", "b=-3", "c=1"]) == 0
    a, b, c = Value(2.0), Value(-3.0), Value(1.0)
    out = (a * b + c).tanh()
    out.backward()
    assert printed_numbers(capsys.readouterr().out) == pytest.approx(
        {"value": out.data, "d/da": a.grad, "d/db": b.grad, "d/dc": c.grad}, rel=1e-9)


def test_graph_takes_maximum_minimum_and_clamp_and_names_them_in_the_picture(capsys, tmp_path):
    assert main(["graph", "maximum(a, b) + clamp(c, 0, 1) + minimum(a, 1)", "a=1", "b=1",
                 "c=3", "-o", "g.dot"]) == 0
    # a tie gives each operand half; c is above the bound, so clamp passes nothing
    assert printed_numbers(capsys.readouterr().out) == {"value": 3.0, "d/da": 1.0,
                                                        "d/db": 0.5, "d/dc": 0.0}
    picture = (tmp_path / "g.dot").read_text()
    assert all(name in picture for name in ("maximum", "clamp_min", "clamp_max",
                                            "minimum(·, 1)"))


def test_a_variable_used_twice_gets_the_sum_of_both_paths(capsys):
    main(["graph", "x*x + 3*x", "x=2"])
    assert printed_numbers(capsys.readouterr().out)["d/dx"] == 7.0


def test_graph_writes_graph_svg_by_default(tmp_path):
    main(["graph", "a*b", "a=2", "b=3"])
    assert (tmp_path / "graph.svg").read_text().lstrip().startswith("<?xml")


def test_the_output_suffix_chooses_the_format(tmp_path):
    (tmp_path / "pictures").mkdir()
    main(["graph", "a*b", "a=2", "b=3", "-o", "pictures/g.png"])
    assert (tmp_path / "pictures" / "g.png").read_bytes()[:4] == b"\x89PNG"


def test_an_output_file_in_a_folder_that_does_not_exist_is_refused(tmp_path, capsys):
    assert main(["graph", "a*b", "a=2", "b=3", "-o", "picturs/g.png"]) == 2
    assert "the folder picturs does not exist" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_format_dot_writes_the_dot_source(tmp_path):
    main(["graph", "a*b", "a=2", "b=3", "--format", "dot"])
    assert (tmp_path / "graph.dot").read_text().startswith("digraph")


def test_steps_writes_the_step_by_step_page(tmp_path):
    main(["graph", "a*b", "a=2", "b=3", "--steps", "steps"])
    assert [p.name for p in (tmp_path / "steps").iterdir()] == ["index.html"]  # one page
    assert "<svg" in (tmp_path / "steps" / "index.html").read_text()


@pytest.mark.parametrize("argv, says", [
    (["graph", "a.b", "a=1"], "attribute access"),
    (["graph", "a + z", "a=1"], "'z' has no value"),
    (["graph", "a", "a=abc"], "not a number"),
    (["graph", "a", "a=1", "a=2"], "given twice"),
    (["graph", "a", "a"], "name=value"),
    (["graph", "open('x')"], "not a known function"),
])
def test_a_refused_formula_exits_2_with_a_message_and_writes_nothing(argv, says, capsys,
                                                                       tmp_path):
    assert main(argv) == 2
    assert says in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_without_a_renderer_it_exits_1_says_how_to_get_one_and_writes_dot(monkeypatch, capsys,
                                                                          tmp_path):
    monkeypatch.setattr(render, "_script_dirs", lambda: [])
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert main(["graph", "a*b", "a=2", "b=3"]) == 1
    assert "pip install graphviz-pure" in capsys.readouterr().err
    assert (tmp_path / "graph.dot").read_text().startswith("digraph")


def test_help_exits_0(capsys):
    assert main(["graph", "--help"]) == 0
    assert "name=value" in capsys.readouterr().out


def test_a_missing_command_exits_2():
    assert main([]) == 2


def test_python_dash_m_runs_the_same_cli(tmp_path):
    result = subprocess.run([sys.executable, "-m", "autograd_mini", "graph", "a*b", "a=2", "b=3",
                             "--format", "dot"], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0
    assert "value = 6" in result.stdout


def test_demo_passes_only_the_options_given_to_nn_demo(monkeypatch):
    calls = []
    fake = types.ModuleType("nn.demo")
    fake.run_demo = lambda **options: calls.append(options) or 3
    monkeypatch.setitem(sys.modules, "nn.demo", fake)
    assert main(["demo", "--out", "here", "--epochs", "5"]) == 3
    assert calls == [{"out": "here", "epochs": 5}]


def test_demo_without_nn_demo_shows_a_small_graph_instead(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "nn.demo", None)  # makes the import raise ImportError
    assert main(["demo", "--out", "out"]) == 0
    assert "not available" in capsys.readouterr().out
    assert (tmp_path / "out" / "graph.svg").exists()
