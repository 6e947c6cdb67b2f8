"""The teaching notebooks: each runs top to bottom without an error, within its time
budget, and the committed copy is the executed form of its source in notebooks/src/."""
from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
NOTEBOOK_PATHS = sorted(NOTEBOOKS.glob("[0-9]*.ipynb"))
SOURCE_PATHS = sorted((NOTEBOOKS / "src").glob("[0-9]*.py"))
BUDGET_SECONDS = 60  # the most one notebook may take on 2 cores; the cell timeout is 120

_spec = importlib.util.spec_from_file_location("notebook_build", NOTEBOOKS / "_build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)


def _ids(paths: list[Path]) -> list[str]:
    return [path.stem for path in paths]


def test_every_source_has_a_committed_notebook_and_back() -> None:
    assert _ids(SOURCE_PATHS) == _ids(NOTEBOOK_PATHS)
    assert len(NOTEBOOK_PATHS) == 8


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=_ids(NOTEBOOK_PATHS))
def test_notebook_runs_top_to_bottom_without_error(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    started = time.perf_counter()
    build.execute(notebook)  # raises CellExecutionError, naming the cell, on any error
    elapsed = time.perf_counter() - started
    assert elapsed < BUDGET_SECONDS, f"{path.name} took {elapsed:.0f} s"
    assert not _errors(notebook)


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=_ids(NOTEBOOK_PATHS))
def test_committed_notebook_is_its_source_executed_in_order(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    source = NOTEBOOKS / "src" / f"{path.stem}.py"
    assert build.cells_of(notebook) == build.cells_of(build.build(source)), (
        f"{path.name} differs from {source.relative_to(ROOT)}: run "
        f"`.venv/bin/python notebooks/_build.py {path.stem[:2]}`")
    counts = [cell.execution_count for cell in notebook.cells if cell.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), "not executed top to bottom in one run"
    assert not _errors(notebook)


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=_ids(NOTEBOOK_PATHS))
def test_readme_links_the_notebook(path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"(notebooks/{path.name})" in readme


def test_a_failing_cell_fails_the_run() -> None:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("assert 1 + 1 == 3")])
    with pytest.raises(Exception, match="AssertionError"):
        build.execute(notebook, timeout=60)


def _errors(notebook: nbformat.NotebookNode) -> list[str]:
    return [f"{output.ename}: {output.evalue}"
            for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.outputs if output.output_type == "error"]
