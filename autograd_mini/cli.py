"""The `autograd-mini` command line: `graph` (a formula's value, gradients and picture) and `demo`."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograd_mini.formula import FormulaError, build, parse_assignment
from autograd_mini.render import RendererNotFoundError, write_dot, write_graph
from autograd_mini.viz import GraphTooLargeError, draw_dot

USAGE_ERROR = 2  # argparse's code for bad arguments; a refused formula is one too
RENDER_ERROR = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograd-mini", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    graph = commands.add_parser(
        "graph", help="print a formula's value and gradients and draw its graph",
        description="Print the value of EXPR and d(EXPR)/d(name) for each variable, "
                    "and write its computation graph. Example: "
                    "autograd-mini graph \"tanh(a*b + c)\" a=2 b=-3 c=1")
    graph.add_argument("expr", metavar="EXPR",
                       help="numbers, variables, + - * / **, and exp log tanh sigmoid relu "
                            "leaky_relu sin cos sqrt abs")
    graph.add_argument("variables", nargs="*", metavar="name=value")
    graph.add_argument("-o", "--output", metavar="FILE",
                       help="where to write the graph (default: graph.FORMAT)")
    graph.add_argument("--format", choices=("svg", "png", "dot"),
                       help="file format (default: from FILE's suffix, else svg)")
    graph.add_argument("--steps", metavar="DIR",
                       help="also write the backward pass step by step (SVGs and index.html)")

    demo = commands.add_parser("demo", help="train an MLP on moons and write plots and a graph")
    demo.add_argument("--out", metavar="DIR", help="output folder")
    demo.add_argument("--samples", type=int, metavar="N", help="number of training points")
    demo.add_argument("--epochs", type=int, metavar="N", help="number of epochs")
    demo.add_argument("--seed", type=int, metavar="S", help="random seed")
    return parser


def _output_path(output: str | None, format: str | None) -> tuple[Path, str]:
    if output is None:
        format = format or "svg"
        return Path(f"graph.{format}"), format
    suffix = Path(output).suffix.lstrip(".").lower()
    return Path(output), format or (suffix if suffix in ("svg", "png", "dot") else "svg")


def _error(message: str) -> None:
    print(f"autograd-mini: error: {message}", file=sys.stderr)


def run_graph(expr: str, variables: list[str], output: str | None = None,
              format: str | None = None, steps: str | None = None) -> int:
    """The `graph` command: print value and gradients, write the graph; return the exit code."""
    try:
        values: dict[str, float] = {}
        for text in variables:
            name, number = parse_assignment(text)
            if name in values:
                raise FormulaError(f"{name!r} is given twice; give each variable one value")
            values[name] = number
        root, leaves = build(expr, values)
        root.backward()
        graph = draw_dot(root)
    except (FormulaError, GraphTooLargeError) as error:
        _error(str(error))
        return USAGE_ERROR
    print(f"value = {root.data:.10g}")
    width = max((len(name) for name in leaves), default=0)
    for name, leaf in leaves.items():
        print(f"d/d{name:<{width}} = {leaf.grad:.10g}")

    path, chosen = _output_path(output, format)
    try:
        print(f"graph written to {write_graph(graph, path, chosen)}")
        if steps is not None:
            from autograd_mini.steps import write_steps

            print(f"backward steps written to {write_steps(root, steps)}")
    except RendererNotFoundError as error:
        _error(str(error))
        print(f"DOT source written to {write_dot(graph, path.with_suffix('.dot'))}",
              file=sys.stderr)
        return RENDER_ERROR
    except GraphTooLargeError as error:
        _error(str(error))
        return USAGE_ERROR
    return 0


def run_demo(options: argparse.Namespace) -> int:
    """The `demo` command: nn.demo's run_demo, or a small graph while nn.demo is missing."""
    given = {name: getattr(options, name) for name in ("out", "samples", "epochs", "seed")
             if getattr(options, name) is not None}
    try:
        from nn.demo import run_demo as train_demo
    except ImportError as error:
        print(f"The training demo is not available ({error}); showing a small graph instead.")
        folder = Path(given.get("out", "autograd-mini-demo"))
        return run_graph("tanh(a*b + c)", ["a=2", "b=-3", "c=1"],
                         output=str(folder / "graph.svg"))
    return int(train_demo(**given))


def main(argv: list[str] | None = None) -> int:
    """Run the `autograd-mini` command line with `argv` (default sys.argv[1:])."""
    try:
        options = _parser().parse_args(argv)
    except SystemExit as exit:  # argparse exits on --help and bad usage; return its code
        return exit.code if isinstance(exit.code, int) else USAGE_ERROR
    if options.command == "demo":
        return run_demo(options)
    return run_graph(options.expr, options.variables, options.output, options.format,
                     options.steps)
