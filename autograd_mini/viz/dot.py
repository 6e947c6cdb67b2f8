"""draw_dot: a Value graph as a graphviz.Digraph, one record per Value and a node per op."""
from __future__ import annotations

import math
from collections.abc import Collection

from autograd_mini.engine import Value, topological_order
from autograd_mini.viz.render import RenderableDigraph

MAX_NODES = 500

COLORS = {
    "root": "#f4b6b6",
    "leaf": "#cfe3f7",
    "param": "#cdebc5",
    "intermediate": "#ffffff",
    "op": "#eeeeee",
    "highlight": "#ffd84d",
    "nonfinite": "#c39bd3",  # color_by_grad: an infinite or NaN gradient has no place on the scale
}


class GraphTooLargeError(ValueError):
    """The graph has more Values (`count`) than draw_dot's max_nodes (`limit`) allows."""

    def __init__(self, message: str, count: int = 0, limit: int = 0) -> None:
        super().__init__(message)
        self.count, self.limit = count, limit


def printable(text: str) -> str:
    """`text` with control and other unprintable characters as Python escapes (NUL as \\x00)."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
                   for char in text)


def _escape(text: str) -> str:
    # Record labels give {, }, |, < and > a meaning; a user's label must not. A NUL or a
    # lone surrogate would make the renderer fail, so unprintables are shown escaped.
    text = printable(text)
    for char in "\\{}|<>\"":
        text = text.replace(char, "\\" + char)
    return text


def _grad_number(value: Value) -> float:
    grad = value.grad
    if grad is None:  # set to None (PyTorch's habit) and not reached since: shaded as 0
        return 0.0
    return float(grad.data if isinstance(grad, Value) else grad)


def _grad_fill(grad: float, largest: float) -> str | None:
    """The color_by_grad fill for one gradient, or None to keep the kind's colour."""
    if not math.isfinite(grad):
        return COLORS["nonfinite"]
    return _heat(abs(grad) / largest) if largest > 0 else None


def _heat(fraction: float) -> str:
    """White for 0, through orange to red for 1: the colour for |grad| / max |grad|."""
    fraction = min(max(fraction, 0.0), 1.0)
    green = round(255 - 170 * fraction)
    blue = round(255 - 230 * fraction)
    return f"#ff{green:02x}{blue:02x}"


def _kind(value: Value, root: Value, param_ids: set[int]) -> str:
    if value is root:
        return "root"
    if id(value) in param_ids:
        return "param"
    return "leaf" if not value.parents else "intermediate"


def check_size(order: list[Value], max_nodes: int) -> None:
    """Raise GraphTooLargeError when a graph has more than max_nodes Values (TypeError or
    ValueError for a max_nodes that is not a whole number of at least 1)."""
    if not isinstance(max_nodes, int) or isinstance(max_nodes, bool):
        raise TypeError(f"max_nodes must be a whole number (an int), not "
                        f"{type(max_nodes).__name__} {max_nodes!r}; e.g. max_nodes=2000")
    if max_nodes < 1:
        raise ValueError(f"max_nodes={max_nodes}; give at least 1")
    if len(order) > max_nodes:
        raise GraphTooLargeError(
            f"the graph has {len(order)} Values, more than max_nodes={max_nodes}; "
            f"Graphviz would take very long to lay it out. Pass max_nodes={len(order)} "
            "(or more) to draw it anyway, or draw a smaller part of the computation.",
            len(order), max_nodes)


def op_label(value: Value, digits: int = 4) -> str:
    """The op as shown on its node, with its constant: "* 3", "2 /", "leaky_relu slope=0.2",
    "maximum(·, 0)"."""
    symbol, constant = value.op, value.constant
    if constant is None:
        return symbol
    number = format_number(constant, digits)
    side = value._made_by.constant
    if side in ("left", "right") and symbol.isidentifier():  # maximum(x, 2): a function
        return f"{symbol}({number}, ·)" if side == "left" else f"{symbol}(·, {number})"
    if side == "right":
        return f"{symbol} {number}"
    if side == "left":
        return f"{number} {symbol}"
    return f"{symbol} {side}={number}"


def format_number(x: float, digits: int = 4) -> str:
    """x to `digits` significant digits, as the pictures show it (-0 shown as 0)."""
    return f"{x + 0.0:.{digits}g}"  # + 0.0 turns -0.0 into 0.0


def check_digits(digits: object, where: str) -> int:
    """digits as a count of significant digits (1 to 17), or an error naming `where`."""
    if not isinstance(digits, int) or isinstance(digits, bool):
        raise TypeError(f"{where}: digits must be an int, not {type(digits).__name__} {digits!r}")
    if not 1 <= digits <= 17:
        raise ValueError(f"{where}: digits={digits}; give 1 to 17 significant digits")
    return digits


def draw_dot(
    root: Value,
    rankdir: str = "LR",
    show_grad: bool = True,
    *,
    digits: int = 4,
    params: Collection[Value] = (),
    color_by_grad: bool = False,
    max_nodes: int = MAX_NODES,
    highlight: Value | None = None,
    pending: Collection[Value] = (),
) -> RenderableDigraph:
    """The graph below `root` as a Digraph: a `label | data | grad` record per Value.

    `digits` significant digits are shown; `params` (e.g. model.parameters()) are
    coloured apart from other leaves; `color_by_grad` shades each Value by |grad|
    relative to the largest; `highlight` marks one Value; Values in `pending` show a
    blank gradient. An op with a constant shows it ("* 3", "2 /"). Graphs with more
    than `max_nodes` Values raise GraphTooLargeError.
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot needs a Value (the root of a computation), not "
                        f"{type(root).__name__} {root!r}; a number can be wrapped as "
                        "Value(3.0)")
    check_digits(digits, "draw_dot")
    order = topological_order(root)
    check_size(order, max_nodes)
    return digraph(order, rankdir=rankdir, show_grad=show_grad, digits=digits, params=params,
                   color_by_grad=color_by_grad, highlight=highlight, pending=pending)


def digraph(
    order: list[Value],
    *,
    rankdir: str = "LR",
    show_grad: bool = True,
    digits: int = 4,
    params: Collection[Value] = (),
    color_by_grad: bool = False,
    highlight: Value | None = None,
    pending: Collection[Value] = (),
    names: list[str] | None = None,
) -> RenderableDigraph:
    """draw_dot's Digraph of a graph given in topological order (root last).

    With `names` (one per Value, in order), every Value shows its name and every node
    and edge gets an SVG id: v3 for the Value at order[3], v3_op for its op, v3_in0 and
    v3_in1 for the edges of its arguments and v3_out for the op's edge to it.
    """
    root = order[-1]
    param_ids = {id(p) for p in params}
    pending_ids = {id(v) for v in pending}
    node_ids = {id(v): f"v{i}" for i, v in enumerate(order)}
    largest = 0.0
    if color_by_grad:  # the scale is set by the finite gradients alone
        largest = max((abs(g) for g in map(_grad_number, order) if math.isfinite(g)),
                      default=0.0)

    graph = RenderableDigraph(
        # nslimit=1 caps Graphviz's network-simplex passes at one per node: usual graphs lay
        # out exactly as without it, and a Value used by 100 ops takes 0.1 s instead of 12 s.
        graph_attr={"rankdir": rankdir, "nslimit": "1"},
        node_attr={"fontname": "Helvetica", "fontsize": "11"},
    )
    for index, value in enumerate(order):
        name = node_ids[id(value)]
        shown = names[index] if names else value.label
        fields = [_escape(shown), f"data {format_number(value.data, digits)}"]
        if show_grad:
            grad = "" if id(value) in pending_ids else "None" if value.grad is None else \
                format_number(_grad_number(value), digits)
            fields.append(f"grad {grad}")
        kind = _kind(value, root, param_ids)
        fill = COLORS[kind]
        if color_by_grad and id(value) not in pending_ids:
            fill = _grad_fill(_grad_number(value), largest) or fill
        attrs = {"shape": "record", "style": "filled", "fillcolor": fill, "class": kind}
        if value is highlight:
            attrs.update(fillcolor=COLORS["highlight"], penwidth="3", color="#c0392b",
                         **{"class": f"{kind} highlight"})
        graph.node(name, label="{ " + " | ".join(fields) + " }", **attrs, **_svg_id(names, name))
        if value.parents:
            op_name = name + "_op"
            graph.node(op_name, label=op_label(value, digits), shape="ellipse",
                       style="filled", fillcolor=COLORS["op"], height="0.3", width="0.3",
                       margin="0.04", fontsize="10", ordering="in", **{"class": "op"},
                       **_svg_id(names, op_name))
            for position, parent in enumerate(value.parents):  # a*a gives two edges
                graph.edge(node_ids[id(parent)], op_name, **_svg_id(names, f"{name}_in{position}"))
            graph.edge(op_name, name, **_svg_id(names, name + "_out"))
    return graph


def _svg_id(names: list[str] | None, element: str) -> dict[str, str]:
    """The id attribute of a node or edge, when ids are asked for (see digraph)."""
    return {"id": element} if names else {}
