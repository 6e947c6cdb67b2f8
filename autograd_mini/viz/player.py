"""The step player: the forward and backward passes of a graph, one step at a time, with
the chain rule's numbers, in one self-contained page or inline in Jupyter.

The graph is laid out once (one Graphviz run, one SVG); a step is data that the page's
script applies to that SVG (which values and gradients are shown, what is highlighted,
the caption), so the picture stays still and the page grows linearly with the graph.
"""
from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Collection
from pathlib import Path

from autograd_mini.viz.chain_rule import GraphText
from autograd_mini.engine import Value, topological_order
from autograd_mini.compiler import compile_graph
from autograd_mini.numeric import DomainError, FloatOverflowError
from autograd_mini.opgen import refuse_micrograd_nodes
from autograd_mini.viz.page import TEMPLATE
from autograd_mini.viz.render import write_file
from autograd_mini.viz.dot import MAX_NODES, check_digits, check_size, digraph, printable

__all__ = ["StepPlayer"]

# The numerical check uses gradcheck's defaults: a central difference with step EPS,
# passing when |backprop - numeric| <= ATOL + RTOL * |numeric|.
EPS, ATOL, RTOL = 1e-6, 1e-5, 1e-4


class StepPlayer:
    """The forward and backward passes of `root`, step by step, with the chain rule's
    numbers: shows inline in Jupyter; `.page` is the HTML page, `.save(folder)` writes it.

    Runs root.zero_grad() and root.backward() first, so afterwards every .grad holds
    d(root)/d(node) of this one pass. Needs a renderer (see autograd_mini.viz.render).
    """

    def __init__(self, root: Value, *, max_nodes: int = MAX_NODES, rankdir: str = "LR",
                 digits: int = 4, params: Collection[Value] = (),
                 color_by_grad: bool = False, height: int | None = None) -> None:
        if not isinstance(root, Value):
            raise TypeError(f"StepPlayer needs a Value (the root of a computation), not "
                            f"{type(root).__name__} {root!r}")
        check_digits(digits, "StepPlayer")
        _check_height(height)
        order = topological_order(root)
        check_size(order, max_nodes)  # before any gradient changes
        # its numerical check replays the graph, which a _backward closure cannot join
        refuse_micrograd_nodes(order, "the step player")
        root.zero_grad()
        root.backward()
        text = GraphText(order, digits)
        graph = digraph(order, rankdir=rankdir, digits=digits, params=params,
                        color_by_grad=color_by_grad, names=text.names)
        svg = graph.pipe(format="svg", encoding="utf-8")  # the one layout
        self.svg = svg[svg.index("<svg"):]  # without the XML prolog, for inlining
        self.trace = _trace(text)
        label = printable(root.label)
        self.title = f"Forward and backward pass of {label}" if label else \
            "Forward and backward pass, step by step"
        self.height = height if height is not None else _height(self.svg)

    @property
    def page(self) -> str:
        """The player as one self-contained HTML page (no network)."""
        parts = {"TITLE": html.escape(self.title), "SVG": self.svg,
                 "TRACE": json.dumps(self.trace, separators=(",", ":")).replace("<", "\\u003c")}
        # One pass over the template, so that a label reading "@SVG@" stays text.
        return re.sub(r"@(TITLE|SVG|TRACE)@", lambda marker: parts[marker[1]], TEMPLATE)

    def save(self, path: str | Path) -> Path:
        """Write the page, atomically, to `path` when it ends in .html, else to
        path/index.html (creating the folder); return the page's path."""
        target = Path(path)
        if target.suffix.lower() not in (".html", ".htm"):
            target = target / "index.html"
        return write_file(target, self.page.encode("utf-8"), "the page")

    def __repr__(self) -> str:
        return (f"<StepPlayer of {len(self.trace['names'])} Values: plays inline in Jupyter; "
                f"elsewhere .save('steps.html') and open that file in a browser>")

    def _repr_html_(self) -> str:
        # In an iframe: the page's ids, styles and keys stay apart from the notebook's.
        return (f'<iframe srcdoc="{html.escape(self.page, quote=True)}" '
                f'style="width: 100%; height: {self.height}px; border: 1px solid #ddd" '
                f'title="{html.escape(self.title, quote=True)}"></iframe>')


def _check_height(height: object) -> None:
    wanted = "the frame's height in pixels, a whole number of at least 1 (or None to fit)"
    if height is not None and (not isinstance(height, int) or isinstance(height, bool)):
        raise TypeError(f"StepPlayer: height={height!r}; give {wanted}")
    if height is not None and height < 1:
        raise ValueError(f"StepPlayer: height={height!r}; give {wanted}")


def _trace(text: GraphText) -> dict:
    """What the page's script needs, per Value in topological order: the steps as data."""
    order = text.order
    edges = [[text.index[id(parent)], child, position, text.number(local)]
             for child, node in enumerate(order)
             for position, (parent, local) in enumerate(zip(node.parents, node.local_grads))]
    return {
        "names": text.names,
        "edges": edges,
        "forward": [text.forward_lines(i) for i in range(len(order))],
        "backward": [text.backward_lines(i, node.grad) for i, node in enumerate(order)],
        "check": _numerical_check(text),
        "eps": f"{EPS:g}",
        "tolerance": f"{ATOL:g} + {RTOL:g} × |numeric|",
    }


def _numerical_check(text: GraphText) -> list[list]:
    """[index, backprop, numeric, "ok" | "bad" | "na", note] for every leaf: its gradient
    against a central difference of the root, the graph run again at each shifted input
    (compiled once, so that a check costs a run of generated code, not of every op)."""
    leaves = [i for i, node in enumerate(text.order) if not node.parents]
    root_at = _root_function(text.order, [text.order[i] for i in leaves])
    rows = []
    for i in leaves:
        leaf = text.order[i]
        try:
            numeric = (root_at(leaf, leaf.data + EPS) - root_at(leaf, leaf.data - EPS)) / (2 * EPS)
        except (DomainError, FloatOverflowError) as error:  # the shift left an op's domain
            rows.append([i, text.number(leaf.grad), "", "na", error.what])
            continue
        ok = abs(leaf.grad - numeric) <= ATOL + RTOL * abs(numeric)
        note = "agree" if ok else f"differ by {abs(leaf.grad - numeric):.3g}"
        rows.append([i, text.number(leaf.grad), f"{numeric:.6g}", "ok" if ok else "bad", note])
    return rows


def _root_function(order: list[Value], leaves: list[Value]) -> Callable[[Value, float], float]:
    """root_at(leaf, data): the root's value with leaf.data replaced by data."""
    root = order[-1]
    if not root.parents:
        return lambda leaf, data: data
    compiled = compile_graph(root, leaves)

    def root_at(leaf: Value, data: float) -> float:
        kept, root_data = leaf.data, root.data  # forward() sets the root's .data too
        leaf.data = data
        try:
            return compiled.forward()
        finally:
            leaf.data, root.data = kept, root_data
    return root_at


def _height(svg: str) -> int:
    """A Jupyter frame height that shows the controls and the picture fit to ~900 px."""
    size = re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    width, height = (float(size[1]), float(size[2])) if size else (600.0, 300.0)
    picture = height * 4 / 3 * min(1.0, 900 / max(width * 4 / 3, 1.0))
    return int(min(max(picture + 400, 480), 900))  # 400 px: title, help, controls, caption
