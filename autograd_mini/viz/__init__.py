"""The pictures: computation graphs drawn with Graphviz, the step player, explain().

    dot.py         draw_dot: a Value graph as a graphviz.Digraph
    render.py      finding a renderer (the graphviz-pure wheel's `dot`), writing files
    player.py      the step player (StepPlayer); page.py holds its HTML page
    steps.py       write_steps (the player into a folder) and one picture per step
    chain_rule.py  explain(node): node.grad by the chain rule, with the numbers
"""
from autograd_mini.viz.chain_rule import explain
from autograd_mini.viz.dot import GraphTooLargeError, draw_dot
from autograd_mini.viz.player import StepPlayer
from autograd_mini.viz.render import RenderError, write_dot, write_png, write_svg
from autograd_mini.viz.steps import write_steps

__all__ = ["draw_dot", "write_svg", "write_png", "write_dot", "RenderError",
           "GraphTooLargeError", "StepPlayer", "write_steps", "explain"]
