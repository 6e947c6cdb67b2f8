"""The command line never prints a wrong number, never loses a result, never shows a traceback.

Each refusal is one line on stderr naming the argument or path and the problem, with a
non-zero exit: 2 for what the user gave (checked before any long work), 1 when the values
were printed but the picture could not be made.
"""
from __future__ import annotations

import errno
import functools
import importlib.metadata
import inspect
import os
import stat
import subprocess
import sys
import types

import pytest

import nn.demo
from autograd_mini.cli import commands
from autograd_mini.viz import render
from autograd_mini.cli.commands import main
from autograd_mini.engine import Value
from autograd_mini.cli.formula import MAX_LENGTH


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(render.ENV_VAR, raising=False)


def error_line(err: str) -> str:
    """The single error line; fails if there is more than one line or a traceback."""
    assert "Traceback" not in err
    [line] = err.splitlines()
    assert line.startswith("autograd-mini: error: ")
    return line


def run(argv: list[str]) -> subprocess.CompletedProcess:
    """The command as a user runs it, in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "autograd_mini", *argv], capture_output=True,
                          text=True, timeout=120)


# -- a gradient that is not finite is an error, not `d/da = inf` -----------------------------

@pytest.mark.parametrize("argv, says", [
    (["sqrt(a)", "a=0"], "sqrt at 0.0 has an infinite slope"),
    (["a ** 0.5", "a=0"], "infinite slope"),
    (["1e200 * sqrt(a)", "a=1e-300"], "overflowed"),
])
def test_a_gradient_that_is_not_finite_is_one_error_line_naming_the_node(argv, says, capsys,
                                                                        tmp_path):
    assert main(["graph", *argv]) == 2
    out, err = capsys.readouterr()
    line = error_line(err)
    assert says in line and "no finite gradient at a=" in line
    assert "allow_nonfinite" not in line  # a Python option the command line does not have
    assert out == "" and list(tmp_path.iterdir()) == []


def test_a_domain_error_in_the_forward_pass_exits_2_with_the_op_named(capsys):
    assert main(["graph", "log(a)", "a=-1"]) == 2
    out, err = capsys.readouterr()
    assert "log failed" in err and out == ""


def test_an_engine_that_lets_an_infinite_gradient_through_is_still_refused(monkeypatch, capsys):
    monkeypatch.setattr(Value, "backward",
                        functools.partialmethod(Value.backward, allow_nonfinite=True))
    assert main(["graph", "sqrt(a)", "a=0"]) == 2
    out, err = capsys.readouterr()
    assert "d/da is inf" in error_line(err) and out == ""


def test_as_a_user_runs_it_a_non_finite_gradient_shows_no_traceback():
    result = run(["graph", "sqrt(a)", "a=0"])
    assert result.returncode == 2 and result.stdout == ""
    assert "infinite slope" in error_line(result.stderr)


# -- long formulas evaluate or are refused with exit 2 ---------------------------------------

def test_a_hundred_term_sum_prints_its_value_and_gradient_and_draws_it(capsys, tmp_path):
    assert main(["graph", "+".join(["a"] * 100), "a=1"]) == 0
    assert capsys.readouterr().out.splitlines()[:2] == ["value = 100", "d/da = 100"]
    assert (tmp_path / "graph.svg").read_text().count('class="node') == 199  # 100 + 99 ops


@pytest.mark.parametrize("formula, value", [
    ("-" * 99 + "a", "-1"),
    ("tanh(" * 99 + "a" + ")" * 99, None),
])
def test_deep_but_ordinary_formulas_evaluate(formula, value, capsys):
    assert main(["graph", "--format", "dot", "--", formula, "a=1"]) == 0
    out = capsys.readouterr().out
    assert value is None or f"value = {value}\n" in out


@pytest.mark.parametrize("formula, says", [
    ("exp(" * 99 + "a" + ")" * 99, "exp failed"),
    ("(" * 150 + "a" + ")" * 150, "nested more than 100 levels"),
    ("+".join(["a"] * 1500), f"the limit is {MAX_LENGTH}"),
])
def test_formulas_that_cannot_be_evaluated_are_refused_with_exit_2(formula, says, capsys, tmp_path):
    assert main(["graph", formula, "a=1"]) == 2
    out, err = capsys.readouterr()
    assert says in err and "Traceback" not in err and out == ""
    assert list(tmp_path.iterdir()) == []


def test_a_parser_out_of_stack_is_refused_with_exit_2(monkeypatch, capsys):
    def exhausted(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded during ast construction")

    monkeypatch.setattr("ast.parse", exhausted)
    assert main(["graph", "a + a", "a=1"]) == 2
    assert "too long or too deeply nested" in capsys.readouterr().err


def test_a_formula_starting_with_a_dash_taken_for_an_option_gets_a_hint(capsys):
    assert main(["graph", "-a*b", "a=2", "b=3"]) == 2
    out, err = capsys.readouterr()
    assert 'autograd-mini graph -o g.svg -- "-a*b" a=2 b=3' in err and out == ""


def test_x_caret_2_suggests_star_star(capsys):
    assert main(["graph", "x^2", "x=3"]) == 2
    assert "for a power write **, as in x**2" in capsys.readouterr().err


# -- the drawing limit: values are still printed, and the option named exists ---------------

def test_a_graph_over_the_drawing_limit_still_prints_its_values_and_names_max_nodes(capsys,
                                                                                    tmp_path):
    formula = "-" * (MAX_LENGTH - 1) + "a"  # 1000 Values
    assert main(["graph", "--", formula, "a=2"]) == 2
    out, err = capsys.readouterr()
    assert out == "value = -2\nd/da = -1\n"
    assert "pass --max-nodes 1000" in error_line(err)
    assert list(tmp_path.iterdir()) == []
    assert main(["graph", "--max-nodes", "1000", "-o", "big.svg", "--", formula, "a=2"]) == 0
    assert (tmp_path / "big.svg").read_text().count('class="node') == 1999


def test_dot_source_needs_no_layout_so_any_size_is_written(tmp_path):
    formula = "-" * (MAX_LENGTH - 1) + "a"
    assert main(["graph", "--format", "dot", "--", formula, "a=2"]) == 0
    assert (tmp_path / "graph.dot").read_text().count("shape=record") == 1000


def test_steps_over_their_limit_name_max_nodes_and_draw_nothing(capsys, tmp_path):
    # 600 unary minuses and a: 601 Values, over the player's limit of 500
    assert main(["graph", "--format", "dot", "--steps", "steps", "--", "-" * 600 + "a",
                 "a=1"]) == 2
    out, err = capsys.readouterr()
    assert "value = 1" in out and "pass --max-nodes 601" in error_line(err)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("given", ["0", "-3", "many"])
def test_max_nodes_must_be_a_positive_whole_number(given, capsys):
    assert main(["graph", "a", "a=1", "--max-nodes", given]) == 2
    out, err = capsys.readouterr()
    assert "--max-nodes" in err and out == ""


# -- output paths ------------------------------------------------------------------------------

@pytest.mark.parametrize("argv, says", [
    (["-o", "."], "-o .: is a folder; give a file name such as graph.svg"),
    (["-o", ""], "-o '': the file name is empty"),
    (["-o", "/dev/null"], "-o /dev/null: is not a regular file"),
    (["-o", "file/g.svg"], "-o file/g.svg: file is a file, not a folder"),
    (["--steps", "file"], "--steps file: exists and is not a folder"),
    (["--steps", "file/deeper"], "--steps file/deeper: file is a file, not a folder"),
    (["-o", "out.jpg"], "-o out.jpg: cannot write the .jpg format; name the file .svg, .png or"),
    (["-o", "out.png", "--format", "svg"], "-o out.png names a .png file but --format is svg"),
    (["-o", "x" * 300 + ".svg"], "File name too long"),
])
def test_an_unusable_output_path_is_refused_before_any_work(argv, says, capsys, tmp_path):
    (tmp_path / "file").write_text("mine")
    assert main(["graph", "a*b", "a=2", "b=3", *argv]) == 2
    out, err = capsys.readouterr()
    assert says in error_line(err) and out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
    assert (tmp_path / "file").read_text() == "mine"


def test_a_fifo_as_output_is_refused_without_opening_it(tmp_path):
    os.mkfifo(tmp_path / "pipe")  # opening it for writing would block until a reader came
    result = run(["graph", "a", "a=1", "-o", "pipe"])  # in a subprocess: a hang times out
    assert result.returncode == 2
    assert "-o pipe: is not a regular file" in error_line(result.stderr)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any folder")
def test_an_unwritable_folder_is_refused(capsys, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        assert main(["graph", "a", "a=1", "-o", "locked/g.svg"]) == 2
    finally:
        locked.chmod(stat.S_IRWXU)
    assert "permission denied" in error_line(capsys.readouterr().err)


def test_a_file_that_fails_while_written_is_one_line_naming_it(monkeypatch, capsys, tmp_path):
    def failing_disk(graph, path, format=None):
        raise OSError(errno.EIO, os.strerror(errno.EIO), str(path))

    monkeypatch.setattr(commands, "write_graph", failing_disk)
    assert main(["graph", "a*b", "a=2", "b=3"]) == 1
    out, err = capsys.readouterr()
    assert error_line(err) == "autograd-mini: error: could not write graph.svg: Input/output error"
    assert "value = 6" in out


@pytest.mark.skipif(not os.path.isfile("/proc/version"), reason="needs Linux's /proc")
def test_a_read_only_special_file_as_a_user_runs_it(tmp_path):
    result = run(["graph", "a*b", "a=2", "b=3", "-o", "/proc/version"])
    assert result.returncode != 0 and "value = 6" in result.stdout
    assert "/proc/version" in error_line(result.stderr)


def test_a_suffix_in_capitals_still_chooses_the_format(tmp_path):
    assert main(["graph", "a*b", "a=2", "b=3", "-o", "G.PNG"]) == 0
    assert (tmp_path / "G.PNG").read_bytes()[:4] == b"\x89PNG"


def test_rerunning_steps_into_the_same_folder_leaves_no_stale_frames(tmp_path):
    assert main(["graph", "tanh(a*b + c)", "a=2", "b=-3", "c=1", "--steps", "steps"]) == 0
    assert main(["graph", "a*b", "a=2", "b=3", "--steps", "steps"]) == 0
    assert sorted(p.name for p in (tmp_path / "steps").iterdir()) == ["index.html"]
    assert "tanh" not in (tmp_path / "steps" / "index.html").read_text()


# -- the renderer failing ------------------------------------------------------------------------

@pytest.fixture
def failing_renderer(tmp_path, monkeypatch):
    script = tmp_path.parent / "failing-dot"
    script.write_text("#!/bin/sh\necho 'Error: layout failed' >&2\nexit 1\n")
    script.chmod(0o755)
    monkeypatch.setenv(render.ENV_VAR, str(script))
    return script


def test_a_failing_renderer_names_itself_and_its_complaint_and_keeps_the_dot(failing_renderer,
                                                                             capsys, tmp_path):
    assert main(["graph", "a*b", "a=2", "b=3"]) == 1
    out, err = capsys.readouterr()
    assert "value = 6" in out and "Traceback" not in err
    assert err.splitlines()[0] == ("autograd-mini: error: the Graphviz renderer "
                                   f"{failing_renderer} failed with exit status 1: "
                                   "Error: layout failed")
    assert (tmp_path / "graph.dot").read_text().startswith("digraph")
    assert not (tmp_path / "graph.svg").exists()


def test_bin_false_as_the_renderer_as_a_user_runs_it(tmp_path):
    result = subprocess.run([sys.executable, "-m", "autograd_mini", "graph", "a*b", "a=2", "b=3"],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, render.ENV_VAR: "/bin/false"})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "renderer /bin/false failed with exit status 1" in result.stderr


# -- demo --out ---------------------------------------------------------------------------------

@pytest.fixture
def no_training(monkeypatch):
    """Make training fail the test: every refusal must come before it."""
    def fit(*args, **kwargs):
        raise AssertionError("trained before checking --out")

    monkeypatch.setattr(nn.demo, "fit", fit)


@pytest.mark.parametrize("out, says", [
    ("file", "--out file: exists and is not a folder"),
    ("file/deeper", "--out file/deeper: file is a file, not a folder"),
    ("", "--out '': the folder name is empty"),
])
def test_demo_out_that_cannot_be_a_folder_is_refused_before_training(out, says, no_training,
                                                                     capsys, tmp_path):
    (tmp_path / "file").write_text("mine")
    assert main(["demo", "--out", out]) == 2
    out_text, err = capsys.readouterr()
    assert says in error_line(err) and out_text == ""


def test_nn_demo_itself_refuses_a_file_as_out_before_training(no_training, capsys, tmp_path):
    (tmp_path / "file").write_text("mine")
    assert nn.demo.run_demo(out="file") == 2
    assert "--out file: exists and is not a folder" in capsys.readouterr().err


def test_nn_demo_refuses_a_folder_where_it_writes_a_file(no_training, capsys, tmp_path):
    (tmp_path / "out" / "model.json").mkdir(parents=True)
    assert nn.demo.run_demo(out="out") == 2
    assert "model.json in it is a folder" in capsys.readouterr().err


def test_ctrl_c_while_drawing_is_one_line_and_exit_130(monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "write_graph", interrupted)
    assert main(["graph", "a*b", "a=2", "b=3"]) == 130
    assert error_line(capsys.readouterr().err) == "autograd-mini: error: interrupted"


# -- --version, help, usage errors ------------------------------------------------------------

def test_version_prints_the_installed_version(capsys):
    assert main(["--version"]) == 0
    installed = importlib.metadata.version("autograd-mini")
    assert capsys.readouterr().out == f"autograd-mini {installed}\n"


def test_version_falls_back_when_the_package_is_not_installed(monkeypatch, capsys):
    monkeypatch.setattr("autograd_mini.__version__", "0+unknown")
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == "autograd-mini 0+unknown\n"


def test_demo_help_describes_the_demo_and_shows_nn_demos_defaults(capsys):
    assert main(["demo", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "Train a small MLP on the two-moons data set" in text
    defaults = inspect.signature(nn.demo.run_demo).parameters
    for option in ("out", "samples", "epochs", "seed"):
        assert f"(default: {defaults[option].default})" in text


def test_demo_help_without_nn_demo_still_works(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "nn.demo", None)
    assert main(["demo", "--help"]) == 0
    assert "(default:" not in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    [], ["graph"], ["nonsense"], ["demo", "--samples", "0"], ["demo", "--epochs", "x"],
    ["graph", "a", "a=1", "--format", "jpg"],
])
def test_usage_errors_go_to_stderr_with_exit_2(argv, monkeypatch, capsys):
    fake = types.ModuleType("nn.demo")
    fake.run_demo = lambda **options: pytest.fail("ran the demo despite a usage error")
    monkeypatch.setitem(sys.modules, "nn.demo", fake)
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and "usage: autograd-mini" in err
