"""Build the teaching notebooks from their sources in notebooks/src/, and execute them.

Each notebook is written as a Python script in "percent" format, so that it can be
read and reviewed as plain text:

    # %% [markdown]
    # # A title
    # Some prose, with $\\LaTeX$.

    # %%
    x = 1 + 1

A `# %%` line starts a code cell, `# %% [markdown]` a markdown cell whose lines drop
their leading "# ". `python notebooks/_build.py [NAME ...]` turns every source (or the
named ones) into notebooks/NAME.ipynb, executes it top to bottom with this
interpreter's kernel and saves it with its outputs. tests/test_notebooks.py executes
them again and checks that each .ipynb still holds its source's cells.
"""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"
TIMEOUT = 120  # seconds per cell; each notebook should take well under 60 in all

_CELL_MARK = re.compile(r"^# %%( \[markdown\])?\s*$")


class ThisInterpreterKernel(KernelManager):
    """A Python kernel run by the interpreter running this code (the project's venv),
    whatever kernelspecs the machine has installed."""

    @property
    def kernel_spec(self) -> KernelSpec:
        return KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f",
                                "{connection_file}"],
                          display_name="Python 3 (ipykernel)", language="python")


def parse(text: str) -> list[tuple[str, str]]:
    """The cells of a percent-format script as (cell_type, source) pairs, in order."""
    cells: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        mark = _CELL_MARK.match(line)
        if mark:
            cells.append(("markdown" if mark.group(1) else "code", []))
        elif cells:
            kind, lines = cells[-1]
            if kind == "markdown":
                if line and not line.startswith("#"):
                    raise ValueError(f"markdown line does not start with '#': {line!r}")
                line = line[2:] if line.startswith("# ") else line[1:]
            lines.append(line)
        elif line.strip() and not line.startswith("#"):
            raise ValueError(f"text before the first '# %%' cell mark: {line!r}")
    return [(kind, "\n".join(lines).strip("\n")) for kind, lines in cells]


def build(source: Path) -> nbformat.NotebookNode:
    """An unexecuted notebook with the cells of a percent-format script."""
    make = {"markdown": nbformat.v4.new_markdown_cell, "code": nbformat.v4.new_code_cell}
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [make[kind](text) for kind, text in parse(source.read_text(encoding="utf-8"))]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                       "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def execute(notebook: nbformat.NotebookNode, timeout: int = TIMEOUT) -> nbformat.NotebookNode:
    """Run every cell in order in a fresh kernel (working directory notebooks/); raises
    nbclient's CellExecutionError at the first cell that fails."""
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                            km=ThisInterpreterKernel(kernel_name="python3"),
                            record_timing=False, resources={"metadata": {"path": str(HERE)}})
    client.execute()
    return notebook


def settle_streams(notebook: nbformat.NotebookNode) -> None:
    """Join consecutive outputs of one stream and keep what a terminal would show of
    lines redrawn with '\\r' (progress bars), rather than every intermediate redraw."""
    for cell in notebook.cells:
        merged: list = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else None
            if (output.get("output_type") == "stream" and previous is not None
                    and previous.get("output_type") == "stream"
                    and previous["name"] == output["name"]):
                previous["text"] += output["text"]
            else:
                merged.append(output)
        for output in merged:
            if output.get("output_type") == "stream" and "\r" in output["text"]:
                output["text"] = "\n".join(line.rstrip("\r").split("\r")[-1]
                                           for line in output["text"].split("\n"))
        if "outputs" in cell:  # a bar's closing newline alone is not worth a block
            cell["outputs"] = [output for output in merged
                               if output.get("output_type") != "stream" or output["text"].strip()]


def cells_of(notebook: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """(cell_type, source) of each cell: what must match the notebook's script."""
    return [(cell.cell_type, cell.source) for cell in notebook.cells]


def main(names: list[str]) -> None:
    sources = sorted(SOURCES.glob("[0-9]*.py"))
    if names:
        sources = [s for s in sources if any(s.stem.startswith(n) for n in names)]
    for source in sources:
        started = time.perf_counter()
        notebook = execute(build(source))
        settle_streams(notebook)
        target = HERE / f"{source.stem}.ipynb"
        nbformat.write(notebook, target)
        print(f"{target.name}: executed in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
