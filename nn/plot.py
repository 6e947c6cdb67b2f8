"""Plots users would draw anyway: a classifier's decision boundary and fit's history.

Each function draws on the matplotlib Axes `ax` and returns it. With ax=None it draws on a
new matplotlib.figure.Figure, not through pyplot: no global state, and no display needed
(`ax.figure.savefig("plot.png")` saves it; a notebook shows `ax.figure` ending a cell).
matplotlib is imported when a function is called, and comes with the plot extra:
pip install 'autograd-mini[plot]'.

Classes differ by colour and by marker; the colours are Okabe and Ito's, which readers
with any common colour-vision deficiency can tell apart.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Callable, Sequence

from autograd_mini import Value, no_grad
from nn._checks import (as_list, check_int, check_number, check_real, is_sequence, plain,
                        short_repr)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["decision_boundary", "history", "PALETTE", "MARKERS"]

# Okabe & Ito (2008), "Color Universal Design"; blue and orange first, the pair told apart
# best, and yellow and black last (weak on white, heavy over the regions).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442",
           "#000000")
# Nine markers against eight colours: past eight classes, no two classes share both.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<")
REGION_ALPHA = 0.25  # the predicted classes' regions: the palette's colours, faded
BOUNDARY_COLOR = "#333333"
LOSS_COLOR, ACCURACY_COLOR = PALETTE[0], PALETTE[4]
EXTRA = "pip install 'autograd-mini[plot]'"


def decision_boundary(model: Callable[..., Any], X: Sequence, y: Sequence,
                      ax: Axes | None = None, *, threshold: float | None = None,
                      resolution: int = 60) -> Axes:
    """Draw the classes `model` predicts over the plane around the 2-D points X, and the
    points by class y (colour and marker, one legend entry each); return the axes.

    A model with several outputs predicts the index of its largest output, so y holds
    class indices 0, 1, 2, ... (or one-hot lists). A one-output model gives a score: class
    1 above `threshold`, else class 0 (-1 when y is -1/+1). `threshold` is by default 0.5
    for 0/1 labels and 0.0 for -1/+1 labels; pass 0.0 for a model trained on 0/1 labels
    with hinge_loss or binary_cross_entropy_with_logits, whose scores fit also cuts at 0.
    The model is asked about a resolution x resolution grid: by `model.predict(points)`
    when it has one, else one call per point under no_grad().
    """
    kinds = _matplotlib("decision_boundary")
    points = _points(X)
    labels = _labels(y, len(points))
    resolution = check_int(resolution, "plot.decision_boundary: resolution", 2, most=2000,
                           expected="an int from 2 to 2000")
    if threshold is not None:
        threshold = check_number(threshold, "plot.decision_boundary: threshold")
    ax = _axes(ax, "decision_boundary", kinds, (6.0, 5.0))

    xs, ys = _grid_axes(points, resolution)
    outputs = _predictions(model, [[a, b] for b in ys for a in xs])
    classes, margins = _regions(outputs, labels, threshold)
    for position, margin in enumerate(margins):
        # class k's region is where its margin over the other classes is above 0: filled
        # band by band, its edge a smooth line rather than the staircase of grid cells
        if max(margin) > 0:  # else the class is predicted nowhere on the grid
            rows = [margin[j * resolution:(j + 1) * resolution] for j in range(resolution)]
            ax.contourf(xs, ys, rows, levels=[0.0, math.inf],
                        colors=[PALETTE[position % len(PALETTE)]], alpha=REGION_ALPHA)
            if min(margin) < 0:  # else matplotlib warns that there is no line to draw
                ax.contour(xs, ys, rows, levels=[0.0], colors=BOUNDARY_COLOR, linewidths=1.0)

    for position, name in enumerate(classes):
        members = [p for p, label in zip(points, labels) if label == name]
        if members:
            ax.scatter([p[0] for p in members], [p[1] for p in members], s=24,
                       color=PALETTE[position % len(PALETTE)],
                       marker=MARKERS[position % len(MARKERS)], edgecolors="white",
                       linewidths=0.5, label=f"class {name}", zorder=3)
    ax.set_xlabel("x[0]")
    ax.set_ylabel("x[1]")
    ax.legend()
    return ax


def history(history: Sequence[Mapping[str, Any]], ax: Axes | None = None) -> Axes:
    """Draw fit's history: the loss per epoch and, when the records hold an accuracy (not
    None, as for regression), the accuracy on a second y axis on the right, sharing the x
    axis (it is in `ax.figure.axes`). Validation curves, dashed, when the records hold
    "val_loss" / "val_accuracy". Returns the loss axes, which hold the one legend."""
    kinds = _matplotlib("history")
    records = _records(history)
    ax = _axes(ax, "history", kinds, (6.0, 4.0))
    epochs = _column(records, "epoch")
    marker = "o" if len(records) == 1 else None  # one epoch: a line of one point is invisible
    drawn: list[Any] = []
    for key, name, style in (("loss", "loss", "-"), ("val_loss", "validation loss", "--")):
        values = _column(records, key) if key == "loss" else _series(records, key)
        if values is not None:
            drawn += ax.plot(epochs, values, color=LOSS_COLOR, linestyle=style, marker=marker,
                             label=name)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")

    accuracies = [(name, style, _series(records, key)) for key, name, style in
                  (("accuracy", "accuracy", "-"), ("val_accuracy", "validation accuracy", "--"))]
    if any(values is not None for _, _, values in accuracies):
        right = ax.twinx()
        for name, style, values in accuracies:
            if values is not None:
                drawn += right.plot(epochs, values, color=ACCURACY_COLOR, linestyle=style,
                                    marker=marker, label=name)
        right.set_ylabel("accuracy")
        right.set_ylim(0.0, 1.05)
        # the loss axes in front, so that its legend is not under the accuracy lines
        ax.set_zorder(right.get_zorder() + 1)
        ax.patch.set_visible(False)
    ax.legend(drawn, [line.get_label() for line in drawn], loc=_free_place(drawn))
    return ax


# --- matplotlib and the axes --------------------------------------------------------------

def _matplotlib(who: str) -> tuple[type, type]:
    """matplotlib's Axes and Figure classes, or an ImportError that names the plot extra."""
    try:
        from matplotlib.axes import Axes
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError(f"nn.plot.{who} needs matplotlib, which could not be imported "
                          f"({error}); install the plot extra: {EXTRA}",
                          name="matplotlib") from error
    return Axes, Figure


def _axes(ax: Any, who: str, kinds: tuple[type, type], size: tuple[float, float]) -> Any:
    """`ax` if it is a matplotlib Axes; for None, the axes of a new figure."""
    axes_type, figure_type = kinds
    if ax is None:
        return figure_type(figsize=size, layout="constrained").add_subplot()
    if not isinstance(ax, axes_type):
        raise TypeError(f"plot.{who}: ax must be a matplotlib Axes or None, got "
                        f"{type(ax).__name__} {short_repr(ax)}; pass e.g. fig.add_subplot(), "
                        f"or leave it out to draw on a new figure")
    return ax


# matplotlib's loc="best" order; "best" itself sees only the lines of the legend's own
# axes, and would cover the accuracy curves on the twin axes.
LEGEND_PLACES = ("upper right", "upper left", "lower left", "lower right", "center right",
                 "center left", "upper center", "lower center", "center")


def _free_place(lines: list[Any]) -> Any:  # a str, one of matplotlib's Literal names
    """The legend place whose box covers the least length of these lines, sampled every
    hundredth of the axes along them (each in its axes' fractions; twins share one box)."""
    points: list[tuple[float, float]] = []
    for line in lines:
        line.axes.get_ylim()  # brings the autoscaled limits up to date
        to_fraction = line.axes.transData - line.axes.transAxes
        vertices = to_fraction.transform(line.get_xydata()).tolist()
        for (x0, y0), (x1, y1) in zip(vertices, vertices[1:]):
            pieces = max(1, min(100, int(math.hypot(x1 - x0, y1 - y0) * 100)))
            points += [(x0 + (x1 - x0) * t / pieces, y0 + (y1 - y0) * t / pieces)
                       for t in range(pieces)]
        points.append((vertices[-1][0], vertices[-1][1]))
    # about the legend's size in a 6 x 4 inch figure: its longest label, a row per line
    width, height = 0.45, 0.05 + 0.07 * len(lines)

    def covered(place: str) -> int:
        vertical, _, horizontal = place.partition(" ")
        left = {"left": 0.0, "right": 1 - width}.get(horizontal, (1 - width) / 2)
        bottom = {"lower": 0.0, "center": (1 - height) / 2, "upper": 1 - height}[vertical]
        return sum(left <= x <= left + width and bottom <= y <= bottom + height
                   for x, y in points)

    return min(LEGEND_PLACES, key=covered)


# --- decision_boundary's data ---------------------------------------------------------------

def _points(X: Any) -> list[tuple[float, float]]:
    """X as 2-D points of floats; a TypeError or ValueError naming the point that is not."""
    rows = as_list(plain(X), "plot.decision_boundary: X", "a list of 2-D points [[x0, x1], ...]")
    if not rows:
        raise ValueError("plot.decision_boundary: X is empty; pass at least one 2-D point")
    points = []
    for i, row in enumerate(rows):
        row = plain(row)
        if not is_sequence(row):
            raise TypeError(f"plot.decision_boundary: X[{i}] is {type(row).__name__} "
                            f"{short_repr(row)}, not a point; pass points of two numbers "
                            f"[x0, x1]")
        if len(row) != 2:
            raise ValueError(f"plot.decision_boundary: X[{i}] has {len(row)} numbers; it draws "
                             f"2-D inputs only: pass points of two numbers [x0, x1]")
        x0, x1 = (check_number(v, f"plot.decision_boundary: X[{i}][{j}]")
                  for j, v in enumerate(row))
        points.append((x0, x1))
    return points


def _labels(y: Any, count: int) -> list[int]:
    """y as int class labels (a one-hot list as its index): 0, 1, 2, ... or -1 and 1."""
    items = as_list(plain(y), "plot.decision_boundary: y", "a list of class labels")
    if len(items) != count:
        raise ValueError(f"plot.decision_boundary: X has {count} points but y has "
                         f"{len(items)} labels; pass one label per point")
    labels = []
    for i, item in enumerate(items):
        item = plain(item)
        where = f"plot.decision_boundary: y[{i}]"
        if is_sequence(item):
            if sorted(item) != [0] * (len(item) - 1) + [1]:
                raise ValueError(f"{where} is {short_repr(item)}, neither a class index nor a "
                                 f"one-hot list")
            labels.append(list(item).index(1))
            continue
        number = check_real(item, where, bools=True)
        if number != int(number) or number < -1:
            raise ValueError(f"{where} is {number!r}, not a class label; pass class indices "
                             f"0, 1, 2, ... (or -1/+1 for two classes)")
        labels.append(int(number))
    if -1 in labels and not set(labels) <= {-1, 1}:
        raise ValueError(f"plot.decision_boundary: y has the labels {sorted(set(labels))}; "
                         f"-1 is a label only beside +1 (two classes); else pass class "
                         f"indices 0, 1, 2, ...")
    return labels


def _grid_axes(points: list[tuple[float, float]],
               resolution: int) -> tuple[list[float], list[float]]:
    """Two axes of `resolution` coordinates covering the points with a margin."""
    spans = [(min(p[k] for p in points), max(p[k] for p in points)) for k in (0, 1)]
    margin = 0.1 * max(high - low for low, high in spans) or 0.5
    axes = [[low - margin + (high - low + 2 * margin) * i / (resolution - 1)
             for i in range(resolution)] for low, high in spans]
    return axes[0], axes[1]


def _predictions(model: Any, grid: list[list[float]]) -> list[float | list[float]]:
    """The model's outputs on the grid as floats: `model.predict(grid)` when the model has
    it (fast and graph-free), else one call per point without recording a graph."""
    predict = getattr(model, "predict", None)
    if callable(predict):
        outputs = as_list(plain(predict(grid)), "plot.decision_boundary: model.predict(X)",
                          "a list of outputs, one per point")
    elif callable(model):
        with no_grad():
            outputs = [model(point) for point in grid]
    else:
        raise TypeError(f"plot.decision_boundary: model must be a model (a callable that "
                        f"takes a point [x0, x1]), got {type(model).__name__} "
                        f"{short_repr(model)}")
    if len(outputs) != len(grid):
        raise ValueError(f"plot.decision_boundary: model.predict gave {len(outputs)} outputs "
                         f"for {len(grid)} points; it must give one per point")
    floats = [_floats(output, point) for output, point in zip(outputs, grid)]
    widths = {len(f) if isinstance(f, list) else 1 for f in floats}
    if len(widths) > 1:
        raise ValueError(f"plot.decision_boundary: the model gives outputs of different "
                         f"lengths {sorted(widths)} on different points; it must give the "
                         f"same number everywhere")
    return floats


def _floats(output: Any, point: list[float]) -> float | list[float]:
    """One output as a float, or a list of floats for several (a list of one is one)."""
    output = plain(output)
    if is_sequence(output):
        values = [_floats(item, point) for item in output]
        if any(isinstance(v, list) for v in values):
            raise TypeError(f"plot.decision_boundary: the model's output at {point} is nested "
                            f"{short_repr(output)}; a model returns a number or a flat list")
        return values[0] if len(values) == 1 else values  # type: ignore[return-value]
    number = output.data if isinstance(output, Value) else output
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        raise TypeError(f"plot.decision_boundary: the model returned {type(output).__name__} "
                        f"{short_repr(output)} at {point}; a model returns a Value, a number "
                        f"or a list of them")
    if not math.isfinite(number):
        raise ValueError(f"plot.decision_boundary: the model's output at {point} is "
                         f"{number!r}; a model whose outputs are not finite has no decision "
                         f"boundary (did training diverge?)")
    return float(number)


def _regions(outputs: list[Any], labels: list[int],
             threshold: float | None) -> tuple[list[int], list[list[float]]]:
    """(classes, margins): the class at each position of the palette, and for each its
    margin at each grid point, positive exactly where the model predicts that class."""
    if isinstance(outputs[0], list):  # several outputs: the largest one's index is the class
        width = len(outputs[0])
        if threshold is not None:
            raise ValueError(f"plot.decision_boundary: threshold cuts a one-output model's "
                             f"score, but this model gives {width} outputs, whose largest is "
                             f"the class; leave threshold out")
        outside = sorted({label for label in labels if not 0 <= label < width})
        if outside:
            raise ValueError(f"plot.decision_boundary: y has the class {outside[0]}, but the "
                             f"model gives {width} outputs, for classes 0 to {width - 1}")
        margins = [[output[k] - max(output[:k] + output[k + 1:]) for output in outputs]
                   for k in range(width)]
        return list(range(width)), margins
    if not set(labels) <= {0, 1} and not set(labels) <= {-1, 1}:
        raise ValueError(f"plot.decision_boundary: the model gives one output, a score cut "
                         f"into two classes, but y has the labels {sorted(set(labels))}; pass "
                         f"0/1 or -1/+1 labels, or a model with one output per class")
    negative = -1 if -1 in labels else 0
    if threshold is None:
        threshold = 0.0 if negative == -1 else 0.5
    above = [score - threshold for score in outputs]
    return [negative, 1], [[-margin for margin in above], above]


# --- history's data ---------------------------------------------------------------------------

def _records(history: Any) -> list[Mapping[str, Any]]:
    """fit's history as a list of dicts; a TypeError or ValueError naming what is not."""
    if isinstance(history, Mapping):
        raise TypeError("plot.history: history must be the list of dicts fit returns (one per "
                        "epoch), got one dict; pass the whole list")
    records = as_list(plain(history), "plot.history: history",
                      "the list of dicts fit returns (one per epoch)")
    if not records:
        raise ValueError("plot.history: history is empty: there is no epoch to draw")
    for i, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise TypeError(f"plot.history: history[{i}] is {type(record).__name__} "
                            f"{short_repr(record)}, not a dict; pass the list fit returns")
    return records


def _column(records: list[Mapping[str, Any]], key: str) -> list[float]:
    """The values of a key every record must hold ('epoch', 'loss') as floats."""
    missing = [i for i, record in enumerate(records) if record.get(key) is None]
    if missing:
        raise ValueError(f"plot.history: history[{missing[0]}] has no {key!r}; each record "
                         f"needs 'epoch' and 'loss', as fit's have")
    return [float(check_real(record[key], f"plot.history: history[{i}][{key!r}]"))
            for i, record in enumerate(records)]


def _series(records: list[Mapping[str, Any]], key: str) -> list[float] | None:
    """The values of `key` per epoch as floats (None as NaN, a gap), or None when no
    record has a value for it."""
    values = [record.get(key) for record in records]
    if all(value is None for value in values):
        return None
    return [math.nan if value is None else
            float(check_real(value, f"plot.history: history[{i}][{key!r}]"))
            for i, value in enumerate(values)]
