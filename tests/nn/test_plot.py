"""nn.plot: the decision boundary and the training history, read back from the axes drawn."""
from __future__ import annotations

import io
import subprocess
import sys
import textwrap

import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure
from matplotlib.markers import MarkerStyle

from autograd_mini import Value
from nn import plot
from nn.plot import MARKERS, PALETTE, decision_boundary, history

X = [[-1.0, -1.0], [-0.5, 0.5], [0.5, -0.5], [1.0, 1.0], [0.8, -0.9]]
Y = [0, 0, 1, 1, 1]


def tilted(point):
    """A fixed linear rule: the score x0 - x1 + 0.5 (a one-output model)."""
    return Value(point[0]) - point[1] + 0.5


def three_ways(point):
    """Three outputs: class 0 left of x0 = 0, class 1 right of it and above x1 = 0,
    class 2 right of it and below."""
    x0, x1 = point
    return [Value(-x0), Value(x0 + x1), Value(x0 - x1)]


def scatters(ax):
    """The point sets drawn, by legend label."""
    return {c.get_label(): c for c in ax.collections
            if not isinstance(c, ContourSet) and not c.get_label().startswith("_")}


def regions(ax):
    """The filled regions: a list of (rgb, compound path), one per class drawn."""
    return [(to_rgb(c.get_facecolor()[0]), c.get_paths()[0])
            for c in ax.collections if isinstance(c, ContourSet) and c.filled]


def region_colour_at(ax, point):
    inside = [rgb for rgb, path in regions(ax) if path.contains_point(point)]
    assert len(inside) == 1, f"{point} is in {len(inside)} regions"
    return inside[0]


def marker_vertices(name):
    style = MarkerStyle(name)
    return style.get_path().transformed(style.get_transform()).vertices.round(6).tolist()


# --- decision_boundary -------------------------------------------------------------------------

def test_decision_boundary_returns_axes_of_a_new_figure_with_the_axis_labels():
    ax = decision_boundary(tilted, X, Y)
    assert isinstance(ax, Axes) and isinstance(ax.figure, Figure)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x[0]", "x[1]")


def test_decision_boundary_draws_on_the_axes_given():
    ax = Figure().add_subplot()
    assert decision_boundary(tilted, X, Y, ax=ax) is ax and regions(ax)


def test_each_class_has_one_legend_entry_in_order():
    ax = decision_boundary(three_ways, X, [2, 0, 1, 2, 0])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "class 0", "class 1", "class 2"]


def test_each_class_is_drawn_at_its_points_with_its_own_colour_and_marker():
    y = [2, 0, 1, 2, 0]
    drawn = scatters(decision_boundary(three_ways, X, y))
    for k in range(3):
        points = drawn[f"class {k}"]
        assert points.get_offsets().tolist() == [p for p, t in zip(X, y) if t == k]
        assert [to_rgb(c) for c in points.get_facecolor()] == [to_rgb(PALETTE[k])]
        [path] = points.get_paths()
        assert path.vertices.round(6).tolist() == marker_vertices(MARKERS[k])
    assert len({MARKERS[k] for k in range(3)}) == 3


def test_minus_one_plus_one_labels_are_named_as_given_and_coloured_as_0_and_1():
    drawn = scatters(decision_boundary(tilted, X, [-1, -1, 1, 1, 1]))
    assert sorted(drawn) == ["class -1", "class 1"]
    assert to_rgb(drawn["class -1"].get_facecolor()[0]) == to_rgb(PALETTE[0])
    assert to_rgb(drawn["class 1"].get_facecolor()[0]) == to_rgb(PALETTE[1])


def test_the_palette_is_okabe_ito_and_the_markers_differ():
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
                 "#000000"}
    assert set(PALETTE) == okabe_ito and len(PALETTE) == 8
    assert len(set(MARKERS)) == len(MARKERS) and len(MARKERS) % len(PALETTE) != 0


@pytest.mark.parametrize("probe, score", [
    ((-1.0, 1.0), -1.5), ((1.0, -1.0), 2.5), ((0.0, 0.2), 0.3), ((0.0, 0.8), -0.3),
])
def test_one_output_regions_follow_the_score_at_probe_points(probe, score):
    # threshold 0.5 by default for 0/1 labels: class 1 where x0 - x1 + 0.5 > 0.5
    assert tilted(probe).data == pytest.approx(score)
    expected = PALETTE[1] if score > 0.5 else PALETTE[0]
    ax = decision_boundary(tilted, X, Y, resolution=41)
    assert region_colour_at(ax, probe) == to_rgb(expected)


@pytest.mark.parametrize("probe, cls", [
    ((-0.8, 0.9), 0), ((-0.8, -0.9), 0), ((0.7, 0.6), 1), ((0.7, -0.6), 2), ((0.9, 0.05), 1),
])
def test_several_outputs_regions_are_the_argmax_at_probe_points(probe, cls):
    outputs = [v.data for v in three_ways(probe)]
    assert max(range(3), key=outputs.__getitem__) == cls
    ax = decision_boundary(three_ways, X, [0, 1, 2, 0, 1], resolution=41)
    assert region_colour_at(ax, probe) == to_rgb(PALETTE[cls])


def test_the_threshold_moves_the_boundary():
    probe = (0.0, 0.2)  # score 0.3
    cut_at_zero = decision_boundary(tilted, X, Y, threshold=0.0)
    cut_at_half = decision_boundary(tilted, X, Y, threshold=0.5)
    assert region_colour_at(cut_at_zero, probe) == to_rgb(PALETTE[1])
    assert region_colour_at(cut_at_half, probe) == to_rgb(PALETTE[0])


def test_minus_one_plus_one_labels_cut_the_score_at_zero_by_default():
    probe = (0.0, 0.2)  # score 0.3: class +1 above 0, though below 0.5
    ax = decision_boundary(tilted, X, [-1, -1, 1, 1, 1])
    assert region_colour_at(ax, probe) == to_rgb(PALETTE[1])


def test_a_boundary_line_is_drawn_where_the_classes_meet():
    ax = decision_boundary(tilted, X, Y, resolution=21)
    lines = [c for c in ax.collections if isinstance(c, ContourSet) and not c.filled]
    vertices = [v for c in lines for path in c.get_paths() for v in path.vertices]
    assert vertices and all(abs(x0 - x1) < 1e-9 for x0, x1 in vertices)  # score 0.5 there


def test_a_model_with_predict_is_asked_once_for_the_whole_grid():
    asked = []

    class Model:
        def __call__(self, point):
            raise AssertionError("called point by point despite predict")

        def predict(self, points):
            asked.append(len(points))
            return [p[0] - p[1] + 0.5 for p in points]

    ax = decision_boundary(Model(), X, Y, resolution=30)
    assert asked == [900]
    assert region_colour_at(ax, (1.0, -1.0)) == to_rgb(PALETTE[1])


def test_a_model_without_predict_is_called_without_recording_a_graph():
    weight, outputs = Value(1.0), []  # a parameter, which records a graph outside no_grad

    def model(point):
        outputs.append(weight * point[0] - point[1])
        return outputs[-1]

    decision_boundary(model, X, Y, resolution=5)
    assert len(outputs) == 25
    with pytest.raises(RuntimeError, match="computed under no_grad"):
        outputs[-1].backward()


def test_numpy_points_and_labels_draw_as_lists_do():
    np = pytest.importorskip("numpy")
    from_lists = decision_boundary(tilted, X, Y, resolution=11)
    from_arrays = decision_boundary(tilted, np.array(X), np.array(Y), resolution=11)
    assert (scatters(from_lists)["class 1"].get_offsets().tolist()
            == scatters(from_arrays)["class 1"].get_offsets().tolist())
    assert [p.vertices.tolist() for _, p in regions(from_lists)] == [
        p.vertices.tolist() for _, p in regions(from_arrays)]


def test_one_hot_labels_are_their_class_indices():
    ax = decision_boundary(three_ways, X, [[1, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0],
                                            [0, 0, 1]])
    assert scatters(ax)["class 2"].get_offsets().tolist() == [X[1], X[4]]


@pytest.mark.parametrize("args, kwargs, error, says", [
    ((tilted, [1.0, 2.0], [0, 1]), {}, TypeError, r"X\[0\] is float 1.0, not a point"),
    ((tilted, [[1.0, 2.0, 3.0]], [0]), {}, ValueError, r"X\[0\] has 3 numbers; it draws 2-D"),
    ((tilted, "points", [0]), {}, TypeError, "X must be a list of 2-D points"),
    ((tilted, [], []), {}, ValueError, "X is empty"),
    ((tilted, [[0.0, float("nan")]], [0]), {}, ValueError, r"X\[0\]\[1\] must be a finite"),
    ((tilted, X, Y[:3]), {}, ValueError, "X has 5 points but y has 3 labels"),
    ((tilted, X, [0, 0, 0.5, 1, 1]), {}, ValueError, r"y\[2\] is 0.5, not a class label"),
    ((tilted, X, [0, 0, 2, 1, 1]), {}, ValueError, r"one output.*labels \[0, 1, 2\]"),
    ((tilted, X, [-1, 0, 1, 1, 1]), {}, ValueError, "-1 is a label only beside"),
    ((three_ways, X, [0, 0, 3, 1, 1]), {}, ValueError, "y has the class 3, but the model gives 3"),
    ((three_ways, X, Y), {"threshold": 0.0}, ValueError, "threshold cuts a one-output"),
    ((tilted, X, Y), {"ax": "left"}, TypeError, "ax must be a matplotlib Axes or None"),
    ((tilted, X, Y), {"resolution": 1}, ValueError, "resolution must be an int from 2"),
    (("model", X, Y), {}, TypeError, "model must be a model"),
    ((lambda p: [float("nan"), 0.0], X, Y), {}, ValueError, "output at .* is nan"),
    ((lambda p: "a", X, Y), {}, TypeError, "the model returned str 'a'"),
])
def test_decision_boundary_refuses_bad_arguments_naming_them(args, kwargs, error, says):
    with pytest.raises(error, match=says) as raised:
        decision_boundary(*args, **kwargs)
    assert str(raised.value).startswith("plot.decision_boundary: ")


# --- history -------------------------------------------------------------------------------------

TRAIN = [{"epoch": 1, "loss": 0.9, "accuracy": 0.5}, {"epoch": 2, "loss": 0.5, "accuracy": 0.7},
         {"epoch": 3, "loss": 0.3, "accuracy": 0.9}]
VALIDATED = [dict(r, val_loss=r["loss"] + 0.1, val_accuracy=r["accuracy"] - 0.1) for r in TRAIN]


def all_lines(ax):
    """Every line drawn, by label, on ax and on the axes that share its x axis."""
    twins = [a for a in ax.figure.axes if a is ax or ax.get_shared_x_axes().joined(a, ax)]
    return {line.get_label(): line for a in twins for line in a.get_lines()}


def test_history_draws_loss_and_accuracy_with_labelled_axes():
    ax = history(TRAIN)
    lines = all_lines(ax)
    assert sorted(lines) == ["accuracy", "loss"]
    assert lines["loss"].axes is ax and lines["accuracy"].axes is not ax
    assert list(lines["loss"].get_xdata()) == [1, 2, 3]
    assert list(lines["loss"].get_ydata()) == [0.9, 0.5, 0.3]
    assert list(lines["accuracy"].get_ydata()) == [0.5, 0.7, 0.9]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("epoch", "loss")
    assert lines["accuracy"].axes.get_ylabel() == "accuracy"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["loss", "accuracy"]


def test_history_adds_dashed_validation_curves_only_when_present():
    lines = all_lines(history(VALIDATED))
    assert sorted(lines) == ["accuracy", "loss", "validation accuracy", "validation loss"]
    assert list(lines["validation loss"].get_ydata()) == pytest.approx([1.0, 0.6, 0.4])
    assert list(lines["validation accuracy"].get_ydata()) == pytest.approx([0.4, 0.6, 0.8])
    assert lines["validation loss"].get_linestyle() == "--"
    assert lines["loss"].get_linestyle() == "-"
    assert "validation loss" not in all_lines(history(TRAIN))


def test_history_colours_come_from_the_palette_and_tell_loss_from_accuracy():
    lines = all_lines(history(VALIDATED))
    loss, acc = to_rgb(lines["loss"].get_color()), to_rgb(lines["accuracy"].get_color())
    assert {loss, acc} <= {to_rgb(c) for c in PALETTE} and loss != acc
    assert to_rgb(lines["validation loss"].get_color()) == loss


def test_regression_history_draws_the_loss_only():
    ax = history([{"epoch": 1, "loss": 2.0, "accuracy": None},
                  {"epoch": 2, "loss": 1.0, "accuracy": None}])
    assert list(all_lines(ax)) == ["loss"] and ax.figure.axes == [ax]


def test_one_epoch_is_drawn_as_a_visible_point():
    [line] = history([{"epoch": 1, "loss": 0.5, "accuracy": None}]).get_lines()
    assert line.get_marker() == "o"


def test_the_legend_covers_no_curve():
    ax = history([{"epoch": e, "loss": 1 / e, "accuracy": 0.5 + e / 25,
                   "val_loss": 1.2 / e + 0.01 * e, "val_accuracy": 0.45 + e / 30}
                  for e in range(1, 11)])
    ax.figure.savefig(io.BytesIO(), format="png")  # lays the figure out
    box = ax.get_legend().get_window_extent()
    for line in all_lines(ax).values():
        xy = line.get_transform().transform(line.get_xydata())
        for (x0, y0), (x1, y1) in zip(xy, xy[1:]):
            for t in [i / 50 for i in range(51)]:
                assert not box.contains(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t), line.get_label()


def test_history_draws_what_fit_returns():
    from nn import MLP, fit
    from nn.datasets import xor

    X4, y4 = xor()
    records = fit(MLP(2, [4, 1], seed=0), X4, y4, epochs=3, batch_size=4)
    lines = all_lines(history(records))
    assert list(lines["loss"].get_ydata()) == [r["loss"] for r in records]


@pytest.mark.parametrize("records, kwargs, error, says", [
    ({"epoch": 1, "loss": 0.5}, {}, TypeError, "got one dict; pass the whole list"),
    ("history", {}, TypeError, "history must be the list of dicts fit returns"),
    ([], {}, ValueError, "history is empty"),
    ([{"epoch": 1, "loss": 0.5}, 0.4], {}, TypeError, r"history\[1\] is float 0.4, not a dict"),
    ([{"epoch": 1, "accuracy": 0.5}], {}, ValueError, r"history\[0\] has no 'loss'"),
    ([{"loss": 0.5}], {}, ValueError, r"history\[0\] has no 'epoch'"),
    ([{"epoch": 1, "loss": "low"}], {}, TypeError, r"history\[0\]\['loss'\] must be a real"),
    (TRAIN, {"ax": 3}, TypeError, "ax must be a matplotlib Axes or None"),
])
def test_history_refuses_bad_arguments_naming_them(records, kwargs, error, says):
    with pytest.raises(error, match=says) as raised:
        history(records, **kwargs)
    assert str(raised.value).startswith("plot.history: ")


# --- without matplotlib ------------------------------------------------------------------------

@pytest.fixture
def no_matplotlib(monkeypatch):
    """Every import of matplotlib, or of a part of it, fails from now on in this test."""
    for name in [n for n in sys.modules if n == "matplotlib" or n.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)


@pytest.mark.parametrize("draw", [lambda: decision_boundary(tilted, X, Y),
                                  lambda: history(TRAIN)])
def test_without_matplotlib_the_error_names_the_plot_extra(no_matplotlib, draw):
    with pytest.raises(ImportError, match=r"pip install 'autograd-mini\[plot\]'") as raised:
        draw()
    assert raised.value.name == "matplotlib"


def test_nn_plot_imports_without_matplotlib_and_says_what_to_install():
    script = textwrap.dedent("""
        import sys
        sys.modules["matplotlib"] = None
        import nn.plot
        try:
            nn.plot.history([{"epoch": 1, "loss": 0.5}])
        except ImportError as error:
            print(error)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "nn.plot.history needs matplotlib" in done.stdout
    assert "pip install 'autograd-mini[plot]'" in done.stdout


def test_drawing_leaves_pyplot_alone():
    script = textwrap.dedent("""
        import sys
        import nn.plot
        nn.plot.decision_boundary(lambda p: p[0], [[0.0, 0.0], [1.0, 1.0]], [0, 1],
                                  resolution=5)
        nn.plot.history([{"epoch": 1, "loss": 0.5, "accuracy": 1.0}]).figure.savefig(
            sys.stdout.buffer, format="png")
        assert "matplotlib.pyplot" not in sys.modules, "pyplot was imported"
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout[:8] == b"\x89PNG\r\n\x1a\n"


def test_nn_plot_exports_its_functions():
    assert plot.__all__[:2] == ["decision_boundary", "history"]


# --- the demo ----------------------------------------------------------------------------------

def test_the_demo_draws_its_pictures_with_nn_plot(tmp_path, monkeypatch, capsys):
    from nn.demo import run_demo

    calls = []

    def spy(name):
        drawn = getattr(plot, name)

        def recorded(*args, **kwargs):
            calls.append((name, kwargs))
            return drawn(*args, **kwargs)
        return recorded

    for name in ("decision_boundary", "history"):
        monkeypatch.setattr(plot, name, spy(name))
    assert run_demo(out=str(tmp_path), samples=20, epochs=2, seed=1) == 0
    # a hinge-loss model: its scores split the classes at 0, as fit's accuracy cuts them
    assert [name for name, _ in calls] == ["decision_boundary", "history"]
    assert calls[0][1]["threshold"] == 0.0
    for picture in ("decision_boundary.png", "loss_curve.png"):
        assert (tmp_path / picture).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
