"""The reference: a flat-list tape reverse mode, the fastest pure-Python shape we know.

Every node is one slot in four parallel Python lists: its value (a float), its op
code (a small int), and its two arguments (node indices, or a float constant for the
`*c` and `+c` ops, or -1 when unused). The forward ops are closures over the lists'
bound `append` methods, which is measurably faster than methods on an object.
`backward` is one loop over the tape in reverse with a two-level if/elif on the op
code (at most four integer comparisons per node). `dot` and `dotc` (a neuron,
b + sum w_i * x_i, as one node) are the fused variant a tape can offer and a scalar
Value API cannot; the MLP table shows the tape both with and without them. Storing the local derivatives at forward time
instead (no branch in the loop) was tried and is slower overall: it costs an extra
append and an extra float per node.
"""

from __future__ import annotations

import math
from typing import Callable

# Numbered so that backward finds any op in at most four integer comparisons.
MUL, ADD, MULC, ADDC, TANH, RELU, DOT, DOTC, LEAF = range(9)


class Tape:
    """A flat-list tape; ops take and return node indices (ints)."""

    __slots__ = ("values", "ops", "args_a", "args_b",
                 "leaf", "mul", "add", "tanh", "relu", "mulc", "addc", "dot", "dotc")

    def __init__(self) -> None:
        values: list[float] = []
        ops: list[int] = []
        args_a: list = []
        args_b: list = []
        push_value, push_op = values.append, ops.append
        push_a, push_b = args_a.append, args_b.append
        math_tanh = math.tanh

        def leaf(x: float) -> int:
            push_value(x); push_op(LEAF); push_a(-1); push_b(-1)
            return len(values) - 1

        def mul(i: int, j: int) -> int:
            push_value(values[i] * values[j]); push_op(MUL); push_a(i); push_b(j)
            return len(values) - 1

        def add(i: int, j: int) -> int:
            push_value(values[i] + values[j]); push_op(ADD); push_a(i); push_b(j)
            return len(values) - 1

        def tanh(i: int) -> int:
            push_value(math_tanh(values[i])); push_op(TANH); push_a(i); push_b(-1)
            return len(values) - 1

        def relu(i: int) -> int:
            x = values[i]
            push_value(x if x > 0.0 else 0.0); push_op(RELU); push_a(i); push_b(-1)
            return len(values) - 1

        def mulc(i: int, c: float) -> int:
            push_value(values[i] * c); push_op(MULC); push_a(i); push_b(c)
            return len(values) - 1

        def addc(i: int, c: float) -> int:
            push_value(values[i] + c); push_op(ADDC); push_a(i); push_b(c)
            return len(values) - 1

        def dot(bias: int, weights: tuple[int, ...], inputs: tuple[int, ...]) -> int:
            total = values[bias]
            for w, x in zip(weights, inputs):  # left to right, as micrograd's sum
                total += values[w] * values[x]
            push_value(total); push_op(DOT); push_a(bias); push_b((weights, inputs))
            return len(values) - 1

        def dotc(bias: int, weights: tuple[int, ...], constants: tuple[float, ...]) -> int:
            total = values[bias]
            for w, c in zip(weights, constants):
                total += values[w] * c
            push_value(total); push_op(DOTC); push_a(bias); push_b((weights, constants))
            return len(values) - 1

        self.dot, self.dotc = dot, dotc
        self.values, self.ops, self.args_a, self.args_b = values, ops, args_a, args_b
        self.leaf, self.mul, self.add, self.tanh = leaf, mul, add, tanh
        self.relu, self.mulc, self.addc = relu, mulc, addc

    def __len__(self) -> int:
        return len(self.values)

    def backward(self, root: int) -> list[float]:
        """Return d(root)/d(node) for every node index, as a list of floats."""
        values = self.values
        grads = [0.0] * len(values)
        grads[root] = 1.0
        n = root + 1
        ops, args_a, args_b = self.ops, self.args_a, self.args_b
        if n < len(values):
            ops, args_a, args_b = ops[:n], args_a[:n], args_b[:n]
        # Literal op codes: LOAD_CONST is cheaper than a global or local lookup.
        for i, op, a, b in zip(range(root, -1, -1), reversed(ops),
                               reversed(args_a), reversed(args_b)):
            if op < 2:
                g = grads[i]
                if op == 0:  # MUL
                    grads[a] += g * values[b]
                    grads[b] += g * values[a]
                else:  # ADD
                    grads[a] += g
                    grads[b] += g
            elif op < 4:
                if op == 2:  # MULC: b is the constant
                    grads[a] += grads[i] * b
                else:  # ADDC
                    grads[a] += grads[i]
            elif op < 6:
                if op == 4:  # TANH: d tanh(x) = 1 - tanh(x)^2
                    t = values[i]
                    grads[a] += grads[i] * (1.0 - t * t)
                elif values[i] > 0.0:  # RELU
                    grads[a] += grads[i]
            elif op < 8:  # DOT, DOTC: a is the bias, b = (weights, inputs or constants)
                g = grads[i]
                grads[a] += g
                weights, inputs = b
                if op == 6:
                    for w, x in zip(weights, inputs):
                        grads[w] += g * values[x]
                        grads[x] += g * values[w]
                else:
                    for w, c in zip(weights, inputs):
                        grads[w] += g * c
            # else LEAF: nothing to pass on
        return grads


# --- the workloads, written against the tape (see workloads.py for the definitions)

def chain_forward(tape: Tape, steps: int, x: float, w: float, b: float) -> tuple[int, list[int]]:
    """Build h = tanh(h * w + b) `steps` times from the leaf h = x (w, b constants); return (root, [x])."""
    mulc, addc, tanh = tape.mulc, tape.addc, tape.tanh
    h = x_node = tape.leaf(x)
    for _ in range(steps):
        h = tanh(addc(mulc(h, w), b))
    return h, [x_node]


def tree_sum(add: Callable[[int, int], int], items: list[int]) -> int:
    """Sum node indices pairwise (a balanced tree, depth log2(n))."""
    while len(items) > 1:
        paired = [add(items[k], items[k + 1]) for k in range(0, len(items) - 1, 2)]
        if len(items) % 2:
            paired.append(items[-1])
        items = paired
    return items[0]


def wide_forward(tape: Tape, xs: list[float], ys: list[float]) -> tuple[int, list[int]]:
    """Build sum_i x_i * y_i over leaves; return (root, leaves interleaved x0, y0, ...)."""
    leaf, mul = tape.leaf, tape.mul
    leaves = []
    products = []
    for x, y in zip(xs, ys):
        xi = leaf(x)
        yi = leaf(y)
        leaves.append(xi)
        leaves.append(yi)
        products.append(mul(xi, yi))
    return tree_sum(tape.add, products), leaves


def mlp_loss(tape: Tape, params: list[float], sizes: list[int], X: list[list[float]],
             y: list[float], fused: bool = False) -> tuple[int, list[int]]:
    """Forward of micrograd's moons demo (ReLU MLP, hinge loss + L2); return (loss, param nodes)."""
    leaf, mul, add, relu, mulc, addc = (tape.leaf, tape.mul, tape.add,
                                        tape.relu, tape.mulc, tape.addc)
    dot, dotc = tape.dot, tape.dotc
    nodes = [leaf(p) for p in params]
    # Layers as lists of (weight indices, bias index), in micrograd's parameter order.
    layers = []
    k = 0
    for nin, nout in zip(sizes, sizes[1:]):
        neurons = []
        for _ in range(nout):
            neurons.append((tuple(nodes[k:k + nin]), nodes[k + nin]))
            k += nin + 1
        layers.append(neurons)
    last = len(layers) - 1
    losses = []
    for row, label in zip(X, y):
        act = None
        for depth, layer in enumerate(layers):
            out = []
            for weights, bias in layer:
                s = bias
                if fused:
                    s = dotc(bias, weights, row) if act is None else dot(bias, weights, act)
                elif act is None:  # first layer: the inputs are constants
                    for w, x in zip(weights, row):
                        s = add(s, mulc(w, x))
                else:
                    for w, x in zip(weights, act):
                        s = add(s, mul(w, x))
                out.append(relu(s) if depth != last else s)
            act = out
        losses.append(relu(addc(mulc(act[0], -label), 1.0)))
    data_loss = losses[0]
    for term in losses[1:]:
        data_loss = add(data_loss, term)
    data_loss = mulc(data_loss, 1.0 / len(losses))
    reg = mul(nodes[0], nodes[0])
    for p in nodes[1:]:
        reg = add(reg, mul(p, p))
    return add(data_loss, mulc(reg, 1e-4)), nodes


def mlp_step(params: list[float], sizes: list[int], X: list[list[float]],
             y: list[float], lr: float, fused: bool = False) -> float:
    """One full-batch SGD step on `params` (updated in place); return the loss."""
    tape = Tape()
    loss, nodes = mlp_loss(tape, params, sizes, X, y, fused)
    grads = tape.backward(loss)
    for k, node in enumerate(nodes):
        params[k] -= lr * grads[node]
    return tape.values[loss]
