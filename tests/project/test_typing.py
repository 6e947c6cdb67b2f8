"""Type checkers see what users call: the generated ops are declared (checked against the
table), and a user's script passes `mypy --strict` with the ops typed as Value."""
from __future__ import annotations

import inspect
import subprocess
import sys
import traceback
from pathlib import Path

import pytest

from autograd_mini import Value
from autograd_mini.ops import PAIRWISE_BY_NAME, UNARY
from autograd_mini.table_methods import TableMethods

USER_SCRIPT = Path(__file__).resolve().parent / "typed" / "user_script.py"


def test_every_row_of_the_table_is_declared_with_its_signature():
    declared = {name for name, member in vars(TableMethods).items() if inspect.isfunction(member)}
    assert declared == {row.method or row.name for row in UNARY} | set(PAIRWISE_BY_NAME)
    for name in [row.method or row.name for row in UNARY] + list(PAIRWISE_BY_NAME):
        wanted = inspect.signature(getattr(Value, name)).parameters
        given = inspect.signature(getattr(TableMethods, name)).parameters
        assert [(p.name, p.default) for p in given.values()] == [
            (p.name, p.default) for p in wanted.values()], name


def test_generated_methods_have_their_names_source_and_docstrings_in_words():
    for row in UNARY:
        method = getattr(Value, row.method or row.name)
        assert method.__code__.co_name == method.__name__ == (row.method or row.name)
        assert inspect.getsource(method).startswith(f"def {method.__name__}(self")
        assert method.__doc__.endswith(f": {row.doc}.") and "d/dx = " in row.doc
    # words, not the slope's source text ("1.0 - out * out if -0.5 < out < 0.5 else ...")
    assert Value.tanh.__doc__ == "tanh(x): hyperbolic tangent; d/dx = 1 - tanh(x)^2."


def test_a_traceback_through_a_generated_method_shows_its_line():
    try:
        Value(-1.0).log()
    except ValueError as error:
        frame = error.__traceback__
        while frame.tb_next:
            frame = frame.tb_next
        assert frame.tb_frame.f_code.co_name == "log"
        text = "".join(traceback.format_tb(error.__traceback__))
        assert 'raise DomainError(f"log({x!r}): log needs x > 0"' in text


def _mypy(script: Path, cwd: Path) -> subprocess.CompletedProcess:
    pytest.importorskip("mypy")
    # from another folder, so that mypy finds the packages as a user's install has them
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                           str(script)], cwd=cwd, capture_output=True, text=True)


@pytest.mark.slow
def test_a_users_script_passes_mypy_strict(tmp_path):
    done = _mypy(USER_SCRIPT, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_mypy_types_the_ops_as_value_and_finds_a_misspelt_one(tmp_path):
    script = tmp_path / "script.py"
    script.write_text("from autograd_mini import Value\n"
                      "x = Value(1.0)\n"
                      "reveal_type(x.tanh())\n"
                      "reveal_type(-x)\n"
                      "reveal_type(x.leaky_relu(0.2) * 2)\n"
                      "from autograd_mini import clamp, maximum\n"
                      "reveal_type(maximum(x, 2.0))\n"
                      "reveal_type(clamp(x, 0.0, 1.0))\n"
                      "reveal_type(maximum(1.0, 2.0))\n"
                      "x.tanhh()\n")
    done = _mypy(script, tmp_path)
    assert done.stdout.count('Revealed type is "autograd_mini.engine.Value"') == 5, done.stdout
    assert done.stdout.count('Revealed type is "float"') == 1, done.stdout
    assert '"Value" has no attribute "tanhh"' in done.stdout


@pytest.mark.slow
def test_mypy_types_a_primitive_by_its_operands(tmp_path):
    script = tmp_path / "script.py"
    script.write_text("from autograd_mini import Value, primitive\n"
                      "@primitive(slope=lambda x, out: out)\n"
                      "def f(x: float) -> float: return x\n"
                      "@primitive(slopes=(lambda x, y, out: y, lambda x, y, out: x))\n"
                      "def g(x: float, y: float) -> float: return x * y\n"
                      "x = Value(1.0)\n"
                      "reveal_type(f(x))\n"
                      "reveal_type(g(2.0, x))\n"
                      "reveal_type(f(2.0))\n"
                      "f(x, x)\n"
                      "from nn import MLP\n"
                      "MLP(2, [1], activation=g)\n")
    done = _mypy(script, tmp_path)
    assert done.stdout.count('Revealed type is "autograd_mini.engine.Value"') == 2, done.stdout
    assert done.stdout.count('Revealed type is "float"') == 1, done.stdout
    assert 'No overload variant of "__call__" of "UnaryPrimitive"' in done.stdout, done.stdout
    assert 'Argument "activation" to "MLP"' in done.stdout, done.stdout


@pytest.mark.slow
def test_a_users_property_tests_with_the_kit_pass_mypy_strict(tmp_path):
    done = _mypy(USER_SCRIPT.with_name("testing_script.py"), tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
