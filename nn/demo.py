"""`autograd-mini demo`: train an MLP on two moons and write its pictures, model and graph."""
from __future__ import annotations

import io
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

from autograd_mini import Value, draw_dot
from autograd_mini.files import write_atomically
from autograd_mini.viz import write_dot, write_svg
from nn import plot
from nn._checks import check_int
from nn.datasets import make_moons
from nn.losses import hinge_loss
from nn.modules import MLP
from nn.optim import SGD
from nn.training import accuracy, fit

BATCH_SIZE = 10
HIDDEN = [16, 16]
GRID_STEPS = 60  # the decision-boundary picture asks the model about GRID_STEPS ** 2 points
# A demo is a few seconds' training: 100,000 points already take minutes, and a hundred
# million would fill the memory before training began.
MAX_SAMPLES, MAX_EPOCHS = 100_000, 10_000
OUTPUTS = ("model.json", "neuron_graph.svg", "neuron_graph.dot", "decision_boundary.png",
           "loss_curve.png")


def run_demo(out: str = "autograd-mini-demo", samples: int = 200, epochs: int = 30,
             seed: int = 0) -> int:
    """Train MLP(2, [16, 16, 1]) on `samples` moons points; write plots, model and a neuron's
    graph into `out`; return the exit code."""
    try:
        check_int(samples, "samples", 2, most=MAX_SAMPLES,
                  expected=f"an int from 2 to {MAX_SAMPLES:,}")
        check_int(epochs, "epochs", 1, most=MAX_EPOCHS,
                  expected=f"an int from 1 to {MAX_EPOCHS:,}")
    except (TypeError, ValueError) as error:
        print(f"autograd-mini demo: {error}", file=sys.stderr)
        return 2
    folder = Path(out)
    problem = _cannot_write_into(folder)
    if problem:  # found before training, not after it
        print(f"autograd-mini demo: --out {out}: {problem}", file=sys.stderr)
        return 2
    X, y = make_moons(samples, noise=0.1, seed=seed)
    model = MLP(2, [*HIDDEN, 1], seed=seed)
    steps = epochs * math.ceil(samples / BATCH_SIZE)
    # Max-margin (hinge) loss with SGD and momentum; the rate decays linearly from 0.1
    # to 0.01 over the run, as in micrograd's demo, so the boundary settles at the end.
    optimizer = SGD(model.parameters(), lr=lambda step: 0.1 - 0.09 * step / steps, momentum=0.9)
    print(f"Training {model.describe()} on {samples} two-moons points for {epochs} epochs "
          f"(seed {seed}, max-margin loss, SGD with momentum)")
    started = time.perf_counter()
    history = fit(model, X, y, loss=hinge_loss, optimizer=optimizer, epochs=epochs,
                  batch_size=BATCH_SIZE, shuffle_seed=seed)
    elapsed = time.perf_counter() - started
    final = accuracy(model, X, y, loss=hinge_loss)
    print(f"Train accuracy {final:.1%} after {len(history)} epochs ({elapsed:.1f} s)")

    try:
        written = [folder / "model.json"]
        model.save(written[0])
        written.append(_write_neuron_graph(model, X[0], folder))
        written += _write_plots(model, X, y, history, folder)
    except (OSError, ValueError) as error:  # the model file's errors name the path already
        print(f"autograd-mini demo: {_write_problem(error, folder)}", file=sys.stderr)
        return 1
    for path in written:
        print(f"  wrote {path}")
    return 0


def _write_problem(error: Exception, folder: Path) -> str:
    if not isinstance(error, OSError):
        return str(error)
    return f"could not write {error.filename or folder}: {error.strerror or error}"


def _cannot_write_into(folder: Path) -> str | None:
    """Why the demo's files cannot be written into `folder`, or None; creates it if missing."""
    try:
        if folder.exists() and not folder.is_dir():
            return "exists and is not a folder; give a folder name (it is created if missing)"
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return f"cannot create this folder: {error.strerror or error}"
    if not os.access(folder, os.W_OK | os.X_OK):
        return "cannot create files in this folder (permission denied)"
    taken = [name for name in OUTPUTS if (folder / name).is_dir()]
    if taken:
        return f"{taken[0]} in it is a folder, where the demo writes a file"
    return None


def _write_neuron_graph(model: MLP, sample: list[float], folder: Path) -> Path:
    """The graph of the first hidden neuron on one sample, with its gradients."""
    inputs = [Value(x, label=f"x{i}") for i, x in enumerate(sample)]  # drawn as leaves too
    output = model.layers[0].neurons[0](inputs)
    output.label = "tanh(w . x + b)"
    output.backward()
    graph = draw_dot(output)
    model.zero_grad()
    try:
        return write_svg(graph, folder / "neuron_graph.svg")
    except RuntimeError as error:  # no Graphviz renderer, or it failed: keep the DOT source
        print(f"Could not render the neuron graph to SVG ({error}); wrote its DOT source")
        return write_dot(graph, folder / "neuron_graph.dot")


def _write_plots(model: MLP, X: list[list[float]], y: list[int], history: list[dict],
                 folder: Path) -> list[Path]:
    try:
        # a hinge-loss model's score splits the classes at 0, where fit's accuracy cuts it
        boundary = plot.decision_boundary(model, X, y, threshold=0.0, resolution=GRID_STEPS)
    except ImportError:
        print("matplotlib is not installed, so no plots were drawn; install the plot extra: "
              "pip install 'autograd-mini[plot]'")
        return []
    boundary.set_title(f"{model.describe()}: decision boundary on two moons")
    curves = plot.history(history)
    curves.set_ylabel("loss (max-margin)")
    curves.set_title("Training history")
    return [_save_png(boundary.figure, folder / "decision_boundary.png"),
            _save_png(curves.figure, folder / "loss_curve.png")]


def _save_png(figure: Any, path: Path) -> Path:
    """The figure as a PNG file, written atomically (a failure leaves an earlier one whole)."""
    image = io.BytesIO()
    figure.savefig(image, format="png", dpi=120)
    write_atomically(path, image.getvalue(), what="the plot")
    return path
