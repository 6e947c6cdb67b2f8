"""The passes step by step: write_steps writes the step player's page (player.py);
backward_steps draws one picture per completed gradient (for static pages)."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from autograd_mini.engine import Value, topological_order
from autograd_mini.viz.player import StepPlayer
from autograd_mini.viz.render import RenderableDigraph
from autograd_mini.viz.dot import MAX_NODES, check_size, draw_dot

STEPS_MAX_NODES = MAX_NODES  # the player lays the graph out once, as draw_dot does
FRAMES_MAX_NODES = 100  # backward_steps lays out every frame, so its useful limit is lower


def backward_steps(root: Value, max_nodes: int = FRAMES_MAX_NODES,
                   **draw_options: object) -> Iterator[RenderableDigraph]:
    """Yield one Digraph per backward step: the node just completed highlighted, later ones blank.

    Runs root.zero_grad() and root.backward() first, so afterwards every .grad holds
    d(root)/d(node) from this one pass. draw_options go to draw_dot.
    """
    # Backward finishes a node's gradient when it reaches the node in reverse
    # topological order, so frame i shows the first i+1 nodes of that order.
    order = list(reversed(topological_order(root)))
    check_size(order, max_nodes)
    root.zero_grad()
    root.backward()
    for step, node in enumerate(order):
        yield draw_dot(root, highlight=node, pending=order[step + 1:], max_nodes=max_nodes,
                       **draw_options)


def write_steps(root: Value, directory: str | os.PathLike, max_nodes: int = STEPS_MAX_NODES,
                **options: object) -> Path:
    """Write the step player (see autograd_mini.viz.player.StepPlayer) as directory/index.html,
    a self-contained page with one layout of the graph; return the page's path.

    The page is made before anything is written, so a failing renderer leaves the folder
    as it was. Needs a renderer (see autograd_mini.viz.render); options go to StepPlayer.
    """
    return StepPlayer(root, max_nodes=max_nodes, **options).save(directory)

