"""The benchmark workloads, defined once for every implementation.

- tanh chain of n nodes: h = x (a leaf), then (n - 1) // 3 times h = tanh(h * 0.5 + 0.1):
  3 nodes per step, so micrograd's recursive backward fails from about 330 steps (990
  nodes). Nodes counted: 1 + 3 per step. micrograd wraps each constant in a Value
  (2 more objects per step): that is its cost, not counted as nodes.
- wide sum of n products: sum_i a_i * b_i over 2n leaves, the sum taken pairwise
  (a balanced tree, so micrograd's recursion is not the limit). Nodes: 4n - 1.
- MLP step: micrograd's moons demo, an MLP 2-16-16-1 (ReLU, last layer linear) on
  100 points, loss = mean(relu(1 - y_i * score_i)) + 1e-4 * sum(p * p), then
  zero_grad, backward and an SGD update of every parameter.
- Mazur: Matt Mazur's 2-2-2 sigmoid network ("A Step by Step Backpropagation Example",
  2015), 10,000 iterations of forward, error, backward and an update of the weights
  (learning rate 0.5, the biases kept, as in his text); the 10,000th error is his published
  0.0000351085. About 40 nodes: what a step costs besides the graph's size.

Value-graph versions (autograd_mini and micrograd share the operator API) live here;
the tape's are in flat_tape.py. Inputs are plain floats made before timing starts.
"""

from __future__ import annotations

import math
import random
from typing import Any, Callable, Sequence

CHAIN_X, CHAIN_W, CHAIN_B = 0.3, 0.5, 0.1  # h0 = CHAIN_X; h = tanh(h * CHAIN_W + CHAIN_B)
MLP_SIZES = [2, 16, 16, 1]
MLP_LR = 0.05


def chain_steps(nodes: int) -> int:
    """Number of tanh steps in a chain of about `nodes` nodes."""
    return max(1, (nodes - 1) // 3)


def wide_inputs(pairs: int, seed: int = 0) -> tuple[list[float], list[float]]:
    """Deterministic inputs in [-1, 1) for the wide sum."""
    rng = random.Random(seed)
    return ([rng.uniform(-1.0, 1.0) for _ in range(pairs)],
            [rng.uniform(-1.0, 1.0) for _ in range(pairs)])


def make_moons(n: int = 100, noise: float = 0.1, seed: int = 1) -> tuple[list[list[float]], list[float]]:
    """Two interleaved half circles as sklearn's make_moons, labels -1.0 / +1.0."""
    rng = random.Random(seed)
    n_outer = n // 2
    n_inner = n - n_outer
    X: list[list[float]] = []
    y: list[float] = []
    for k in range(n_outer):
        t = math.pi * k / max(1, n_outer - 1)
        X.append([math.cos(t) + rng.gauss(0.0, noise), math.sin(t) + rng.gauss(0.0, noise)])
        y.append(-1.0)
    for k in range(n_inner):
        t = math.pi * k / max(1, n_inner - 1)
        X.append([1.0 - math.cos(t) + rng.gauss(0.0, noise),
                  0.5 - math.sin(t) + rng.gauss(0.0, noise)])
        y.append(1.0)
    return X, y


def mlp_initial_params(sizes: Sequence[int] = MLP_SIZES, seed: int = 1337) -> list[float]:
    """Initial parameters in micrograd's order (per neuron: weights, then bias 0)."""
    rng = random.Random(seed)
    params: list[float] = []
    for nin, nout in zip(sizes, sizes[1:]):
        for _ in range(nout):
            params.extend(rng.uniform(-1.0, 1.0) for _ in range(nin))
            params.append(0.0)
    return params


# --- Value-graph workloads (autograd_mini.Value or micrograd.engine.Value)

def value_chain(Value: Callable[[float], Any], steps: int) -> tuple[Any, list[Any]]:
    """Build the tanh chain with Values; return (root, [x])."""
    x = Value(CHAIN_X)
    h = x
    for _ in range(steps):
        h = (h * CHAIN_W + CHAIN_B).tanh()
    return h, [x]


def value_tree_sum(items: list[Any]) -> Any:
    """Sum Values pairwise (a balanced tree)."""
    while len(items) > 1:
        paired = [items[k] + items[k + 1] for k in range(0, len(items) - 1, 2)]
        if len(items) % 2:
            paired.append(items[-1])
        items = paired
    return items[0]


def value_wide(Value: Callable[[float], Any], xs: list[float], ys: list[float]) -> tuple[Any, list[Any]]:
    """Build sum_i x_i * y_i with Values; return (root, leaves interleaved x0, y0, ...)."""
    leaves = []
    products = []
    for x, y in zip(xs, ys):
        a = Value(x)
        b = Value(y)
        leaves.append(a)
        leaves.append(b)
        products.append(a * b)
    return value_tree_sum(products), leaves


def fold_sum(items: Sequence[Any]) -> Any:
    """Left-to-right sum without a leading 0 (which micrograd would wrap in a node)."""
    total = items[0]
    for item in items[1:]:
        total = total + item
    return total


def demo_loss(scores: Sequence[Any], y: Sequence[float], params: Sequence[Any]) -> Any:
    """micrograd's demo loss: mean(relu(1 - y * score)) + 1e-4 * sum(p * p)."""
    losses = [(1 + -label * score).relu() for label, score in zip(y, scores)]
    data_loss = fold_sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * fold_sum([p * p for p in params])
    return data_loss + reg_loss


def value_mlp_step(model: Any, X: Sequence[Sequence[float]], y: Sequence[float], lr: float,
                   wrap_input: Callable[[Sequence[float]], Any] | None = None,
                   backward_options: dict | None = None) -> float:
    """One full-batch SGD step of a micrograd-style model; return the loss."""
    params = model.parameters()
    if wrap_input is not None:
        X = [wrap_input(row) for row in X]
    scores = [model(row) for row in X]
    loss = demo_loss(scores, y, params)
    model.zero_grad()
    loss.backward(**(backward_options or {}))
    for p in params:
        p.data -= lr * p.grad
    return loss.data


MAZUR_INPUTS, MAZUR_TARGETS = (0.05, 0.10), (0.01, 0.99)
MAZUR_WEIGHTS = (0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55)  # w1 .. w8
MAZUR_BIASES = (0.35, 0.60)                                       # b1, b2
MAZUR_LR = 0.5
MAZUR_ITERATIONS = 10_000
MAZUR_PUBLISHED_ERROR = 0.0000351085  # his total error after 10,000 iterations


def value_mazur_error(weights: Sequence[Any], biases: Sequence[Any],
                      sigmoid: Callable[[Any], Any]) -> Any:
    """Mazur's total error, sum of (target - out)^2 / 2, for Values (any Value class)."""
    w1, w2, w3, w4, w5, w6, w7, w8 = weights
    b1, b2 = biases
    i1, i2 = MAZUR_INPUTS
    h1 = sigmoid(w1 * i1 + w2 * i2 + b1)
    h2 = sigmoid(w3 * i1 + w4 * i2 + b1)
    e1 = sigmoid(w5 * h1 + w6 * h2 + b2) - MAZUR_TARGETS[0]
    e2 = sigmoid(w7 * h1 + w8 * h2 + b2) - MAZUR_TARGETS[1]
    return (e1 * e1 + e2 * e2) * 0.5


def value_mazur_train(Value: Callable[[float], Any], sigmoid: Callable[[Any], Any],
                      iterations: int = MAZUR_ITERATIONS) -> float:
    """Train Mazur's network from his weights; return the last iteration's error."""
    weights = [Value(w) for w in MAZUR_WEIGHTS]
    params = weights + [Value(b) for b in MAZUR_BIASES]
    error = None
    for _ in range(iterations):
        error = value_mazur_error(weights, params[8:], sigmoid)
        for p in params:
            p.grad = 0.0
        error.backward()
        for w in weights:
            w.data -= MAZUR_LR * w.grad
    return error.data


def count_nodes(root: Any, parents: Callable[[Any], Any]) -> int:
    """Number of distinct nodes reachable from root (iterative)."""
    seen = {id(root)}
    stack = [root]
    while stack:
        node = stack.pop()
        for parent in parents(node):
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return len(seen)
