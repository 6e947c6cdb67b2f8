"""The backward pass step by step: one picture per completed gradient, and an HTML player."""
from __future__ import annotations

import html
import json
import os
from collections.abc import Iterator
from pathlib import Path

from autograd_mini.engine import Value, topological_order
from autograd_mini.render import RenderableDigraph
from autograd_mini.viz import check_size, draw_dot, printable

STEPS_MAX_NODES = 100  # each step is a separate layout, so the useful limit is lower


def _frames(root: Value, max_nodes: int, draw_options: dict) -> Iterator[tuple[Value, RenderableDigraph]]:
    # Backward finishes a node's gradient when it reaches the node in reverse
    # topological order, so frame i shows the first i+1 nodes of that order.
    order = list(reversed(topological_order(root)))
    check_size(order, max_nodes)
    root.zero_grad()
    root.backward()
    for step, node in enumerate(order):
        yield node, draw_dot(root, highlight=node, pending=order[step + 1:],
                             max_nodes=max_nodes, **draw_options)


def backward_steps(root: Value, max_nodes: int = STEPS_MAX_NODES,
                   **draw_options: object) -> Iterator[RenderableDigraph]:
    """Yield one Digraph per backward step: the node just completed highlighted, later ones blank.

    Runs root.zero_grad() and root.backward() first, so afterwards every .grad holds
    d(root)/d(node) from this one pass. draw_options go to draw_dot.
    """
    for _node, graph in _frames(root, max_nodes, draw_options):
        yield graph


def _describe(node: Value, root: Value) -> str:
    if node is root:
        return "the output"
    if node.label:
        return repr(node.label)
    return f"the {node.op} node" if node.op else "a constant"


def _svg_element(svg: str) -> str:
    """The <svg> element alone, without the XML prolog and doctype, for inlining."""
    return svg[svg.index("<svg"):]


def write_steps(root: Value, directory: str | os.PathLike, max_nodes: int = STEPS_MAX_NODES,
                **draw_options: object) -> Path:
    """Write step-001.svg ... and a self-contained index.html player; return the page's path.

    Every frame is rendered before any file is written, so a failing renderer leaves the
    folder as it was; frames left over from an earlier, longer run are removed.
    Needs a renderer (see autograd_mini.render); draw_options go to draw_dot.
    """
    folder = Path(directory)
    svgs, captions = [], []
    for step, (node, graph) in enumerate(_frames(root, max_nodes, draw_options), start=1):
        svgs.append(graph.pipe(format="svg", encoding="utf-8"))
        grad = float(getattr(node.grad, "data", node.grad))
        captions.append(f"Step {step}: the gradient of {_describe(node, root)} is complete: "
                        f"d({root.label or 'output'})/d({node.label or 'node'}) = {grad:.4g}")
    folder.mkdir(parents=True, exist_ok=True)
    for step, svg in enumerate(svgs, start=1):
        (folder / _frame_name(step)).write_text(svg, encoding="utf-8")
    _remove_stale_frames(folder, len(svgs))
    page = folder / "index.html"
    page.write_text(_page([_svg_element(svg) for svg in svgs], captions, root), encoding="utf-8")
    return page


def _frame_name(step: int) -> str:
    return f"step-{step:03d}.svg"


def _remove_stale_frames(folder: Path, count: int) -> None:
    for path in folder.glob("step-*.svg"):
        number = path.name[len("step-"):-len(".svg")]
        if number.isdigit() and int(number) > count and path.name == _frame_name(int(number)):
            path.unlink()


def _script_json(data: object) -> str:
    # "</" inside a <script> would end it early; "<\/" means the same to JavaScript.
    return json.dumps(data).replace("</", "<\\/")


def _page(svgs: list[str], captions: list[str], root: Value) -> str:
    label = printable(root.label)
    title = f"Backward pass of {label}" if label else "Backward pass, step by step"
    return _PAGE.format(title=html.escape(title), last=len(svgs) - 1,
                        frames=_script_json(svgs), captions=_script_json(captions))


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
  body {{ font-family: Helvetica, Arial, sans-serif; margin: 1.5em; }}
  #controls {{ display: flex; gap: 1em; align-items: center; margin-bottom: 0.5em; }}
  #slider {{ width: 20em; }}
  #frame {{ overflow: auto; }}
  #frame.fit svg {{ max-width: 100%; height: auto; }}
  button {{ font-size: 1em; padding: 0.3em 1em; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>Backpropagation visits the nodes from the output back to the inputs; each step
completes one gradient (highlighted). Blank gradients are not computed yet.
Keys: left and right arrows.</p>
<div id="controls">
  <button id="prev" type="button">&#9664; Previous</button>
  <input id="slider" type="range" min="0" max="{last}" value="0" aria-label="step">
  <button id="next" type="button">Next &#9654;</button>
  <span id="counter"></span>
</div>
<p id="caption"></p>
<div id="frame" class="fit" title="click to switch between fit-to-width and full size"></div>
<script>
const frames = {frames};
const captions = {captions};
const slider = document.getElementById("slider");
let current = 0;
function show(step) {{
  current = Math.max(0, Math.min(frames.length - 1, step));
  document.getElementById("frame").innerHTML = frames[current];
  document.getElementById("caption").textContent = captions[current];
  document.getElementById("counter").textContent = (current + 1) + " / " + frames.length;
  slider.value = current;
  document.getElementById("prev").disabled = current === 0;
  document.getElementById("next").disabled = current === frames.length - 1;
}}
document.getElementById("prev").addEventListener("click", () => show(current - 1));
document.getElementById("next").addEventListener("click", () => show(current + 1));
slider.addEventListener("input", () => show(Number(slider.value)));
document.getElementById("frame").addEventListener("click", (event) => {{
  event.currentTarget.classList.toggle("fit");
}});
document.addEventListener("keydown", (event) => {{
  if (event.key === "ArrowLeft") show(current - 1);
  if (event.key === "ArrowRight") show(current + 1);
}});
show(0);
</script>
</body>
</html>
"""
