"""The demo behind `autograd-mini demo`, run small: what it prints and the files it writes."""
from __future__ import annotations

import contextlib
import io
import sys

import pytest

from nn import MLP
from nn.demo import run_demo

SMALL = {"samples": 20, "epochs": 2, "seed": 1}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One small run shared by the tests: (exit code, printed text, output folder)."""
    folder = tmp_path_factory.mktemp("demo") / "out"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = run_demo(out=str(folder), **SMALL)
    return code, printed.getvalue(), folder


def test_demo_succeeds_and_prints_the_accuracy(demo):
    code, printed, _ = demo
    assert code == 0 and "Train accuracy" in printed


def test_demo_writes_model_graph_and_plots(demo):
    names = sorted(path.name for path in demo[2].iterdir())
    assert names == ["decision_boundary.png", "loss_curve.png", "model.json", "neuron_graph.svg"]


def test_demo_model_file_loads_back(demo):
    assert MLP.load(demo[2] / "model.json").nouts == [16, 16, 1]


def test_demo_pictures_are_png_and_svg(demo):
    assert (demo[2] / "loss_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (demo[2] / "neuron_graph.svg").read_bytes()


def test_demo_without_matplotlib_names_the_extra_and_writes_the_rest(tmp_path, capsys,
                                                                       monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # import now fails
    assert run_demo(out=str(tmp_path), **SMALL) == 0
    assert "pip install 'autograd-mini[plot]'" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json", "neuron_graph.svg"]


@pytest.mark.parametrize("samples", [0, 100_000_000])
def test_demo_refuses_a_bad_size_before_making_any_data(tmp_path, capsys, samples, monkeypatch):
    monkeypatch.setattr("nn.demo.make_moons", lambda *args, **kwargs: pytest.fail("made"))
    assert run_demo(out=str(tmp_path), samples=samples) == 2
    assert "samples must be an int from 2 to 100,000" in capsys.readouterr().err


def test_demo_refuses_too_many_epochs(tmp_path, capsys):
    assert run_demo(out=str(tmp_path), epochs=10**9) == 2
    assert "epochs must be an int from 1 to 10,000" in capsys.readouterr().err


@pytest.mark.parametrize("samples", [2.5, "many"])
def test_demo_refuses_a_size_of_the_wrong_kind(tmp_path, capsys, samples):
    assert run_demo(out=str(tmp_path), samples=samples) == 2
    assert "samples must be an int from 2 to 100,000" in capsys.readouterr().err
