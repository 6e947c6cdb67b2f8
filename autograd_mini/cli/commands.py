"""The `autograd-mini` command line: `graph` (a formula's value, gradients and picture) and `demo`."""
from __future__ import annotations

import argparse
import inspect
import math
import sys
from pathlib import Path

import autograd_mini
from autograd_mini.cli.paths import (UsageError, WriteError, check_output_file,
                                     check_output_folder, output_format, reporting_write_errors)
from autograd_mini.engine import Value, topological_order
from autograd_mini.numeric import NonFiniteGradientError
from autograd_mini.cli.formula import FUNCTIONS, FormulaError, build, parse_assignment
from autograd_mini.viz.render import RenderError, RendererNotFoundError, write_dot, write_graph
from autograd_mini.viz.steps import STEPS_MAX_NODES, write_steps
from autograd_mini.viz.dot import MAX_NODES, draw_dot

USAGE_ERROR = 2  # argparse's code for bad arguments; a refused formula or path is one too
RENDER_ERROR = 1  # the values were printed but the picture could not be made
INTERRUPTED = 130  # the shell's code for a command stopped by Ctrl-C (128 + SIGINT)

EXIT_CODES = ("exit status: 0 done; 1 the values were printed but the graph could not be "
              "rendered or written; 2 bad arguments, a refused formula or output path, or no "
              "finite value or gradient at the given values")
DASH_HINT = ("A formula that starts with - goes after --, with the options before it: "
             "autograd-mini graph -o g.svg -- \"-a*b\" a=2 b=3")
# What `graph` takes that starts with a dash; argparse also accepts a prefix of a long one.
GRAPH_OPTIONS = ("-h", "--help", "-o", "--output", "--format", "--steps", "--max-nodes")


class _DemoHelpFormatter(argparse.HelpFormatter):
    """Shows nn.demo's defaults, read from run_demo's signature only when help is shown."""

    def _get_help_string(self, action: argparse.Action) -> str:
        default = _demo_defaults().get(action.dest)
        return action.help if default is None else f"{action.help} (default: {default})"


def _demo_defaults() -> dict[str, object]:
    try:
        from nn.demo import run_demo as train_demo
    except ImportError:
        return {}
    return {name: parameter.default
            for name, parameter in inspect.signature(train_demo).parameters.items()}


def _count(minimum: int):
    """An argparse type: an int of at least `minimum`."""
    def parse(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if number < minimum:
            raise argparse.ArgumentTypeError(f"{number} is too small; the least is {minimum}")
        return number
    return parse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograd-mini", epilog=EXIT_CODES,
                     description="Differentiate a formula and draw its graph, or train a "
                                 "small network: autograd-mini COMMAND --help tells more.")
    parser.add_argument("--version", action="version",
                        version=f"autograd-mini {autograd_mini.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    graph = commands.add_parser(
        "graph", help="print a formula's value and gradients and draw its graph",
        description="Print the value of EXPR and d(EXPR)/d(name) for each variable, "
                    "and write its computation graph. Example: "
                    "autograd-mini graph \"tanh(a*b + c)\" a=2 b=-3 c=1",
        epilog=f"{EXIT_CODES}. {DASH_HINT}.")
    graph.add_argument("expr", metavar="EXPR",
                       help=f"numbers, variables, + - * / **, and {' '.join(FUNCTIONS)}")
    graph.add_argument("variables", nargs="*", metavar="name=value")
    graph.add_argument(*GRAPH_OPTIONS[2:4], metavar="FILE",
                       help="where to write the graph: a .svg, .png or .dot file "
                            "(default: graph.FORMAT)")
    graph.add_argument("--format", choices=("svg", "png", "dot"),
                       help="file format (default: from FILE's suffix, else svg)")
    graph.add_argument("--steps", metavar="DIR",
                       help="also write DIR/index.html, a page that plays the forward and "
                            "backward passes step by step with the chain rule's numbers")
    graph.add_argument("--max-nodes", type=_count(1), metavar="N",
                       help=f"draw graphs of up to N Values (default: {MAX_NODES}, and "
                            f"{STEPS_MAX_NODES} for --steps)")

    demo = commands.add_parser(
        "demo", help="train an MLP on moons and write plots and a graph",
        formatter_class=_DemoHelpFormatter,
        description="Train a small MLP on the two-moons data set, printing the progress and "
                    "the final accuracy, then write into DIR the decision boundary and the "
                    "loss curve (PNG, with the plot extra), the model (model.json) and the "
                    "graph of one neuron (SVG).")
    demo.add_argument("--out", metavar="DIR", help="output folder, created if missing")
    demo.add_argument("--samples", type=_count(2), metavar="N",
                      help="number of training points")
    demo.add_argument("--epochs", type=_count(1), metavar="N", help="number of epochs")
    demo.add_argument("--seed", type=int, metavar="S", help="random seed")
    return parser


def _dash_led(arguments: list[str]) -> list[str]:
    """The arguments of `graph` that start with a dash but are none of its options: a
    formula such as -a*b, which argparse takes for an unknown option."""
    if "graph" not in arguments:
        return []
    given = arguments[arguments.index("graph") + 1:]
    given = given[:given.index("--")] if "--" in given else given
    return [text for text in given if text.startswith("-") and len(text) > 1
            and not any(option.startswith(text.split("=", 1)[0]) for option in GRAPH_OPTIONS)]


def _error(message: str) -> None:
    print(f"autograd-mini: error: {message}", file=sys.stderr)


def _one_line(error: Exception) -> str:
    """The error on one line; a gradient's without the allow_nonfinite opt-out, which the
    command line does not offer."""
    if isinstance(error, NonFiniteGradientError):
        return " ".join(f"{error.what}. {error.hint}".split())
    return " ".join(str(error).split())


def _read_values(variables: list[str]) -> dict[str, float]:
    values: dict[str, float] = {}
    for text in variables:
        name, number = parse_assignment(text)
        if name in values:
            raise FormulaError(f"{name!r} is given twice; give each variable one value")
        values[name] = number
    return values


def _differentiate(expr: str, values: dict[str, float]) -> tuple[Value, dict[str, Value]]:
    """The formula's root and leaves after backward; UsageError if a gradient is not finite."""
    root, leaves = build(expr, values)
    at = ", ".join(f"{name}={number:g}" for name, number in values.items()) or "these values"
    try:
        root.backward()
    except ValueError as error:  # the engine names the node where a gradient broke
        raise UsageError(f"no finite gradient at {at}: {_one_line(error)}") from None
    for name, leaf in leaves.items():  # in case an engine lets one through
        if not math.isfinite(leaf.grad):
            raise UsageError(f"no finite gradient at {at}: d/d{name} is {leaf.grad!r}")
    return root, leaves


def _print_results(root: Value, leaves: dict[str, Value]) -> None:
    print(f"value = {root.data:.10g}")
    width = max((len(name) for name in leaves), default=0)
    for name, leaf in leaves.items():
        print(f"d/d{name:<{width}} = {leaf.grad:.10g}")


def _check_size(root: Value, max_nodes: int | None, format: str,
                steps: str | None) -> tuple[int, int]:
    """The node limits for the graph and the steps, after refusing a graph over either."""
    count = len(topological_order(root))
    limits = (max_nodes or MAX_NODES, max_nodes or STEPS_MAX_NODES)
    if format == "dot" and max_nodes is None:  # no layout: any size is written at once
        limits = (max(count, limits[0]), limits[1])
    if count > limits[0]:
        raise UsageError(f"the graph has {count} Values, more than the drawing limit of "
                         f"{limits[0]}, so it was not drawn; pass --max-nodes {count} to draw "
                         "it anyway (Graphviz may take long)")
    if steps is not None and count > limits[1]:
        raise UsageError(f"--steps lays out the graph and it has {count} Values, more than "
                         f"the limit of {limits[1]}, so nothing was drawn; pass --max-nodes "
                         f"{count} to draw it anyway (Graphviz may take long)")
    return limits


def _draw(root: Value, path: Path, format: str, steps: str | None,
          limits: tuple[int, int]) -> int:
    graph = draw_dot(root, max_nodes=limits[0])
    try:
        with reporting_write_errors(path):
            written = write_graph(graph, path, format)
        print(f"graph written to {written}")
        if steps is not None:
            with reporting_write_errors(Path(steps)):
                page = write_steps(root, steps, limits[1])
            print(f"step player written to {page}")
    except (RendererNotFoundError, RenderError) as error:
        _error(str(error))
        _write_fallback_dot(graph, path.with_suffix(".dot"))
        return RENDER_ERROR
    except WriteError as error:
        _error(str(error))
        return RENDER_ERROR
    return 0


def _write_fallback_dot(graph, path: Path) -> None:
    try:
        with reporting_write_errors(path):
            written = write_dot(graph, path)
        print(f"DOT source written to {written}", file=sys.stderr)
    except WriteError as error:
        _error(str(error))


def run_graph(expr: str, variables: list[str], output: str | None = None,
              format: str | None = None, steps: str | None = None,
              max_nodes: int | None = None) -> int:
    """The `graph` command: print value and gradients, write the graph; return the exit code."""
    try:
        chosen = output_format(output, format)
        path = check_output_file(output if output is not None else f"graph.{chosen}", "-o")
        if steps is not None:
            check_output_folder(steps, "--steps", "steps")
        root, leaves = _differentiate(expr, _read_values(variables))
    except (FormulaError, UsageError) as error:
        _error(str(error))
        return USAGE_ERROR
    _print_results(root, leaves)
    try:
        limits = _check_size(root, max_nodes, chosen, steps)
    except UsageError as error:  # the values above are complete: only the picture is missing
        _error(str(error))
        return USAGE_ERROR
    return _draw(root, path, chosen, steps, limits)


def run_demo(options: argparse.Namespace) -> int:
    """The `demo` command: nn.demo's run_demo, or a small graph while nn.demo is missing."""
    given = {name: getattr(options, name) for name in ("out", "samples", "epochs", "seed")
             if getattr(options, name) is not None}
    if "out" in given:  # before training, which takes seconds
        try:
            check_output_folder(given["out"], "--out", "autograd-mini-demo")
        except UsageError as error:
            _error(str(error))
            return USAGE_ERROR
    try:
        from nn.demo import run_demo as train_demo
    except ImportError as error:
        print(f"The training demo is not available ({error}); showing a small graph instead.")
        folder = Path(given.get("out", "autograd-mini-demo"))
        folder.mkdir(parents=True, exist_ok=True)  # --out is created if missing
        return run_graph("tanh(a*b + c)", ["a=2", "b=-3", "c=1"],
                         output=str(folder / "graph.svg"))
    return int(train_demo(**given))


def main(argv: list[str] | None = None) -> int:
    """Run the `autograd-mini` command line with `argv` (default sys.argv[1:])."""
    arguments = sys.argv[1:] if argv is None else argv
    try:
        options = _parser().parse_args(arguments)
    except SystemExit as exit:  # argparse exits on --help and bad usage; return its code
        code = exit.code if isinstance(exit.code, int) else USAGE_ERROR
        if code == USAGE_ERROR and _dash_led(arguments):
            print(f"({DASH_HINT})", file=sys.stderr)
        return code
    try:
        if options.command == "demo":
            return run_demo(options)
        return run_graph(options.expr, options.variables, options.output, options.format,
                         options.steps, options.max_nodes)
    except KeyboardInterrupt:  # e.g. Ctrl-C while Graphviz lays out a large graph
        _error("interrupted")
        return INTERRUPTED
