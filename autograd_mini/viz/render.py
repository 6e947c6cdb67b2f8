"""Find a Graphviz renderer that works after `pip install`, and write graphs to files."""
from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Union

import graphviz
import graphviz.backend.dot_command

from autograd_mini.engine import Value
from autograd_mini.files import write_atomically

Drawable = Union[graphviz.Digraph, Value]  # a Value is drawn by draw_dot first

ENV_VAR = "AUTOGRAD_MINI_DOT"
BUNDLED = "graphviz-pure"  # the executable installed by the graphviz-pure wheel


class RendererNotFoundError(RuntimeError):
    """No Graphviz renderer was found; the message says how to get one."""


class RenderError(RuntimeError):
    """The renderer ran but failed; the message names it and quotes what it said."""


STDERR_SHOWN = 500  # characters of the renderer's stderr quoted in a RenderError


def _script_dirs() -> list[str]:
    """Folders where pip puts console scripts: this interpreter's, then the user's."""
    dirs = [sysconfig.get_path("scripts"), os.path.dirname(sys.executable)]
    try:
        dirs.append(sysconfig.get_path("scripts", sysconfig.get_preferred_scheme("user")))
    except (KeyError, AttributeError):  # no user scheme on this platform or Python
        pass
    return [d for d in dict.fromkeys(dirs) if d]


def _not_found_message(detail: str) -> str:
    return (
        f"{detail}\n"
        "To render graphs to SVG or PNG, get a Graphviz renderer in one of these ways:\n"
        "  pip install graphviz-pure              (a self-contained renderer, no root needed)\n"
        "  apt-get install graphviz, or brew install graphviz\n"
        f"  set {ENV_VAR}=/path/to/dot    (any dot-compatible executable)\n"
        "The DOT source needs no renderer: write it with write_dot(graph, 'graph.dot') "
        "or `autograd-mini graph ... --format dot`."
    )


def find_renderer() -> str | None:
    """Path of the renderer to use: $AUTOGRAD_MINI_DOT, graphviz-pure, a system dot, or None.

    An AUTOGRAD_MINI_DOT that names no executable raises RendererNotFoundError rather
    than silently falling back, so a typo in it is noticed.
    """
    override = os.environ.get(ENV_VAR, "").strip()
    if override:
        found = shutil.which(override)
        if found is None:
            raise RendererNotFoundError(
                _not_found_message(f"{ENV_VAR}={override!r} is not an executable file.")
            )
        return found
    for folder in _script_dirs():
        found = shutil.which(BUNDLED, path=folder)
        if found:
            return found
    return shutil.which(BUNDLED) or shutil.which("dot")


def use_renderer() -> str:
    """Resolve the renderer and make the `graphviz` package use it; return its path.

    PyPI graphviz reads its executable from graphviz.backend.dot_command.DOT_BINARY at
    every call, so pipe(), render() and Jupyter's inline display all pick it up.
    """
    found = find_renderer()
    if found is None:
        raise RendererNotFoundError(
            _not_found_message("No Graphviz renderer found (looked for graphviz-pure and dot).")
        )
    graphviz.backend.dot_command.DOT_BINARY = Path(found)
    return found


@contextmanager
def reporting_failures_of(renderer: str | os.PathLike) -> Iterator[None]:
    """Turn a failing run of `renderer` into RenderError (or RendererNotFoundError)."""
    try:
        yield
    except graphviz.ExecutableNotFound:
        raise RendererNotFoundError(
            _not_found_message(f"The renderer {renderer} could not be found.")) from None
    except graphviz.CalledProcessError as error:
        said = " ".join(_text(error.stderr).split()) or "nothing on stderr"
        if len(said) > STDERR_SHOWN:
            said = said[:STDERR_SHOWN] + "..."
        raise RenderError(f"the Graphviz renderer {renderer} failed with exit status "
                          f"{error.returncode}: {said}") from None
    except OSError as error:
        # Only a failure to start the renderer itself; file errors keep their own type.
        if error.filename is None or os.fspath(error.filename) != os.fspath(renderer):
            raise
        raise RenderError(f"could not run the Graphviz renderer {renderer}: "
                          f"{error.strerror or error}") from None


def _text(output: bytes | str | None) -> str:
    if isinstance(output, bytes):
        return output.decode("utf-8", "replace")
    return output or ""


class RenderableDigraph(graphviz.Digraph):
    """A graphviz.Digraph that resolves the renderer (see use_renderer) before rendering;
    a renderer that fails raises RenderError naming it and quoting its stderr."""

    # quiet=True: graphviz would echo the renderer's stderr, which RenderError quotes.
    def pipe(self, *args, **kwargs):  # also serves Jupyter's inline display
        kwargs.setdefault("quiet", True)
        with reporting_failures_of(use_renderer()):
            return super().pipe(*args, **kwargs)

    def render(self, *args, **kwargs):  # also serves view()
        kwargs.setdefault("quiet", True)
        with reporting_failures_of(use_renderer()):
            return super().render(*args, **kwargs)

    def __repr__(self) -> str:
        nodes = self.source.count("shape=record")
        return (f"<graph of {nodes} Values: shown as a picture in Jupyter; elsewhere "
                f"write_svg(graph, 'graph.svg') or write_png(graph, 'graph.png') (from "
                f"autograd_mini.viz) and open the file>")


def _write_rendered(graph: Drawable, path: str | os.PathLike, format: str) -> Path:
    with reporting_failures_of(use_renderer()):
        rendered = _digraph(graph).pipe(format=format, quiet=True)
    return write_file(path, rendered, "the graph")


def _digraph(graph: Drawable) -> graphviz.Digraph:
    """graph itself, or draw_dot's picture of it when it is a Value (a computation's root)."""
    if isinstance(graph, graphviz.Digraph):
        return graph
    from autograd_mini.viz.dot import draw_dot  # dot imports this module
    return draw_dot(graph)


def write_file(path: str | os.PathLike, data: bytes, what: str) -> Path:
    """Write data to path atomically (a failure leaves any earlier file whole), creating
    its folder; return the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(target, data, what=what)
    return target


def write_svg(graph: Drawable, path: str | os.PathLike) -> Path:
    """Render a Digraph (or a Value's graph, drawn by draw_dot) to an SVG file, atomically;
    return its path."""
    return _write_rendered(graph, path, "svg")


def write_png(graph: Drawable, path: str | os.PathLike) -> Path:
    """Render a Digraph (or a Value's graph, drawn by draw_dot) to a PNG file, atomically;
    return its path."""
    return _write_rendered(graph, path, "png")


def write_dot(graph: Drawable, path: str | os.PathLike) -> Path:
    """Write a Digraph's (or a Value's graph's) DOT source to a file (needs no renderer) and
    return its path."""
    return write_file(path, _digraph(graph).source.encode("utf-8"), "the graph")


def write_graph(graph: Drawable, path: str | os.PathLike,
                format: str | None = None) -> Path:
    """Write svg, png or dot, chosen by `format` or else by the file's suffix."""
    chosen = (format or Path(path).suffix.lstrip(".") or "svg").lower()
    writers = {"svg": write_svg, "png": write_png, "dot": write_dot, "gv": write_dot}
    if chosen not in writers:
        raise ValueError(f"unknown graph format {chosen!r}; use one of svg, png, dot")
    return writers[chosen](graph, path)
