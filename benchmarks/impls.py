"""The three implementations behind one small interface, for the runner and the tests."""

from __future__ import annotations

import time
from typing import Any, Callable, Sequence

from benchmarks import flat_tape, micrograd_ref, workloads


class Graph:
    """A built workload: its root, its leaves, and (after backward) what it returned."""

    __slots__ = ("root", "leaves", "owner", "result")

    def __init__(self, root: Any, leaves: list[Any], owner: Any = None) -> None:
        self.root, self.leaves, self.owner, self.result = root, leaves, owner, None


class TapeImpl:
    """The flat-list tape of flat_tape.py."""

    available, reason = True, ""

    def __init__(self, fused: bool = False) -> None:
        self.fused = fused
        self.name = "tape, fused dot" if fused else "flat tape"

    def chain(self, steps: int) -> Graph:
        """Build the tanh chain."""
        tape = flat_tape.Tape()
        root, leaves = flat_tape.chain_forward(tape, steps, workloads.CHAIN_X,
                                               workloads.CHAIN_W, workloads.CHAIN_B)
        return Graph(root, leaves, tape)

    def wide(self, xs: list[float], ys: list[float]) -> Graph:
        """Build the wide sum of products."""
        tape = flat_tape.Tape()
        root, leaves = flat_tape.wide_forward(tape, xs, ys)
        return Graph(root, leaves, tape)

    def backward(self, graph: Graph) -> None:
        """Backpropagate from the root."""
        graph.result = graph.owner.backward(graph.root)

    def outputs(self, graph: Graph) -> tuple[float, list[float]]:
        """The root's value and the leaves' gradients."""
        return graph.owner.values[graph.root], [graph.result[i] for i in graph.leaves]

    def mlp(self, params: Sequence[float], X: list[list[float]], y: list[float]) -> "MLPRun":
        """A model holding `params`, ready to take steps."""
        current = list(params)
        sizes = workloads.MLP_SIZES

        def step() -> float:
            return flat_tape.mlp_step(current, sizes, X, y, workloads.MLP_LR, self.fused)

        def nodes() -> int:
            tape = flat_tape.Tape()
            flat_tape.mlp_loss(tape, current, sizes, X, y, self.fused)
            return len(tape)
        return MLPRun(step, lambda: list(current), nodes)

    def mazur(self, iterations: int = workloads.MAZUR_ITERATIONS) -> float:
        """Mazur's training on the tape (sigmoid(x) = tanh(x / 2) / 2 + 1/2, as the tape has
        no sigmoid); the last iteration's error."""
        params = list(workloads.MAZUR_WEIGHTS + workloads.MAZUR_BIASES)
        lr = workloads.MAZUR_LR
        for _ in range(iterations):
            tape = flat_tape.Tape()
            nodes = [tape.leaf(p) for p in params]
            error = _tape_mazur_error(tape, nodes)
            grads = tape.backward(error)
            for k in range(8):
                params[k] -= lr * grads[nodes[k]]
        return tape.values[error]


def _tape_mazur_error(tape: flat_tape.Tape, nodes: list[int]) -> int:
    mul, add, mulc, addc, tanh = tape.mul, tape.add, tape.mulc, tape.addc, tape.tanh
    w1, w2, w3, w4, w5, w6, w7, w8, b1, b2 = nodes
    i1, i2 = workloads.MAZUR_INPUTS

    def sigmoid(x: int) -> int:
        return addc(mulc(tanh(mulc(x, 0.5)), 0.5), 0.5)
    h1 = sigmoid(add(add(mulc(w1, i1), mulc(w2, i2)), b1))
    h2 = sigmoid(add(add(mulc(w3, i1), mulc(w4, i2)), b1))
    e1 = addc(sigmoid(add(add(mul(w5, h1), mul(w6, h2)), b2)), -workloads.MAZUR_TARGETS[0])
    e2 = addc(sigmoid(add(add(mul(w7, h1), mul(w8, h2)), b2)), -workloads.MAZUR_TARGETS[1])
    return mulc(add(mul(e1, e1), mul(e2, e2)), 0.5)


class MLPRun:
    """A model bound to the data: step() trains once, params() reads, nodes() counts."""

    __slots__ = ("step", "params", "nodes")

    def __init__(self, step: Callable[[], float], params: Callable[[], list[float]],
                 nodes: Callable[[], int]) -> None:
        self.step, self.params, self.nodes = step, params, nodes


class ValueImpl:
    """A micrograd-style Value class: autograd_mini's or micrograd's."""

    def __init__(self, name: str, Value: Any, parents: Callable[[Any], Any],
                 make_model: Callable[[Sequence[float]], Any] | None,
                 wrap_input: Callable[[Sequence[float]], Any] | None = None,
                 reason: str = "", mlp_reason: str = "",
                 backward_options: dict | None = None,
                 sigmoid: Callable[[Any], Any] | None = None) -> None:
        self.name, self.Value, self.parents = name, Value, parents
        self.sigmoid = sigmoid or (lambda v: v.sigmoid())
        self.backward_options = backward_options or {}
        self.make_model, self.wrap_input = make_model, wrap_input
        self.available, self.reason = Value is not None, reason
        self.mlp_reason = mlp_reason

    def chain(self, steps: int) -> Graph:
        """Build the tanh chain."""
        return Graph(*workloads.value_chain(self.Value, steps))

    def wide(self, xs: list[float], ys: list[float]) -> Graph:
        """Build the wide sum of products."""
        return Graph(*workloads.value_wide(self.Value, xs, ys))

    def backward(self, graph: Graph) -> None:
        """Backpropagate from the root."""
        graph.root.backward(**self.backward_options)

    def outputs(self, graph: Graph) -> tuple[float, list[float]]:
        """The root's value and the leaves' gradients."""
        return graph.root.data, [float(leaf.grad) for leaf in graph.leaves]

    def mlp(self, params: Sequence[float], X: list[list[float]], y: list[float]) -> MLPRun:
        """A model holding `params`, ready to take steps."""
        model = self.make_model(params)
        wrap = self.wrap_input

        def step() -> float:
            return workloads.value_mlp_step(model, X, y, workloads.MLP_LR, wrap,
                                            self.backward_options)

        def nodes() -> int:
            rows = [wrap(row) for row in X] if wrap else X
            loss = workloads.demo_loss([model(row) for row in rows], y, model.parameters())
            return workloads.count_nodes(loss, self.parents)
        return MLPRun(step, lambda: self.read_params(model), nodes)

    def mazur(self, iterations: int = workloads.MAZUR_ITERATIONS) -> float:
        """Mazur's training; the last iteration's error."""
        return workloads.value_mazur_train(self.Value, self.sigmoid, iterations)

    def read_params(self, model: Any) -> list[float]:
        """The model's parameters in micrograd's order (per neuron: weights, then bias)."""
        if self.name != "autograd_mini":
            return [float(p.data) for p in model.parameters()]
        state = model.state_dict()
        params: list[float] = []
        for i in range(len(workloads.MLP_SIZES) - 1):
            for weights, bias in zip(state[f"layers.{i}.weight"], state[f"layers.{i}.bias"]):
                params.extend(weights)
                params.append(bias)
        return params


def _state_dict(params: Sequence[float], sizes: Sequence[int]) -> dict[str, Any]:
    """nn's state_dict layout for parameters given in micrograd's order."""
    state: dict[str, Any] = {}
    k = 0
    for i, (nin, nout) in enumerate(zip(sizes, sizes[1:])):
        weights, biases = [], []
        for _ in range(nout):
            weights.append(list(params[k:k + nin]))
            biases.append(params[k + nin])
            k += nin + 1
        state[f"layers.{i}.weight"], state[f"layers.{i}.bias"] = weights, biases
    return state


def _ours() -> ValueImpl:
    try:
        from autograd_mini import Value
    except ImportError as error:
        return ValueImpl("autograd_mini", None, None, None, reason=f"not available ({error})")
    make_model, mlp_reason = None, ""
    try:
        from nn import MLP

        def make_model(params: Sequence[float]) -> Any:
            sizes = workloads.MLP_SIZES
            model = MLP(sizes[0], list(sizes[1:]), activation="relu", seed=0)
            model.load_state_dict(_state_dict(params, sizes))
            return model
    except ImportError as error:
        mlp_reason = f"nn not available ({error})"
    return ValueImpl("autograd_mini", Value, lambda node: node.parents, make_model,
                     mlp_reason=mlp_reason)


def _micrograd() -> ValueImpl:
    if not micrograd_ref.AVAILABLE:
        return ValueImpl("micrograd", None, None, None,
                         reason="not installed (pip install -e '.[bench]')")

    def make_model(params: Sequence[float]) -> Any:
        return micrograd_ref.make_mlp(params, workloads.MLP_SIZES)
    # micrograd has no sigmoid (nor exp): the same function through tanh, added for it
    return ValueImpl("micrograd", micrograd_ref.Value, micrograd_ref.parents, make_model,
                     wrap_input=micrograd_ref.wrap_input,
                     sigmoid=lambda v: (v * 0.5).tanh() * 0.5 + 0.5)


def all_impls() -> list[Any]:
    """autograd_mini, the flat tape and micrograd, in the table's order."""
    return [_ours(), TapeImpl(), _micrograd()]


class CompiledImpl:
    """autograd_mini's graph captured once by compile_graph and replayed at every step."""

    name, available, reason = "compiled", True, ""

    def __init__(self, ours: ValueImpl) -> None:
        self.ours = ours
        self.compile_seconds = float("nan")

    def compile(self, graph: Graph) -> Graph:
        """Compile a graph built eagerly (timed into compile_seconds); the result holds the
        compiled graph and the leaves, not the eager graph."""
        from autograd_mini import compile_graph
        started = time.perf_counter()
        compiled = compile_graph(graph.root, graph.leaves)
        self.compile_seconds = time.perf_counter() - started
        return Graph(None, graph.leaves, compiled)

    def chain(self, steps: int) -> Graph:
        """The tanh chain, built eagerly (for compile)."""
        return self.ours.chain(steps)

    def wide(self, xs: list[float], ys: list[float]) -> Graph:
        """The wide sum, built eagerly (for compile)."""
        return self.ours.wide(xs, ys)

    def forward(self, graph: Graph) -> None:
        """Recompute every value from the leaves."""
        graph.result = graph.owner.forward()

    def backward(self, graph: Graph) -> None:
        """Gradients into the leaves (zeroed first, as a fresh graph's are)."""
        for leaf in graph.leaves:
            leaf.grad = 0.0
        graph.owner.backward()

    def outputs(self, graph: Graph) -> tuple[float, list[float]]:
        """The root's value and the leaves' gradients."""
        return graph.result, [leaf.grad for leaf in graph.leaves]

    def mlp(self, params: Sequence[float], X: list[list[float]], y: list[float]) -> MLPRun:
        """micrograd's demo model, its loss compiled once; steps replay it."""
        from autograd_mini import compile_graph
        model = self.ours.make_model(params)
        weights = model.parameters()
        loss = workloads.demo_loss([model(row) for row in X], y, weights)
        count = workloads.count_nodes(loss, self.ours.parents)
        started = time.perf_counter()
        compiled = compile_graph(loss, weights)
        self.compile_seconds = time.perf_counter() - started

        def step() -> float:
            for p in weights:
                p.grad = 0.0
            value = compiled.run()
            for p in weights:
                p.data -= workloads.MLP_LR * p.grad
            return value
        return MLPRun(step, lambda: self.ours.read_params(model), lambda: count)

    def mazur(self, iterations: int = workloads.MAZUR_ITERATIONS) -> float:
        """Mazur's training, compiled once (included in the time) and replayed."""
        from autograd_mini import Value, compile_graph
        weights = [Value(w) for w in workloads.MAZUR_WEIGHTS]
        params = weights + [Value(b) for b in workloads.MAZUR_BIASES]
        error = workloads.value_mazur_error(weights, params[8:], self.ours.sigmoid)
        compiled = compile_graph(error, params)
        error = None
        for _ in range(iterations):
            for p in params:
                p.grad = 0.0
            error = compiled.run()
            for w in weights:
                w.data -= workloads.MAZUR_LR * w.grad
        return error


def unchecked(ours: ValueImpl) -> ValueImpl:
    """autograd_mini with backward(allow_nonfinite=True): what the non-finite check costs."""
    return ValueImpl("  no inf check", ours.Value, ours.parents, ours.make_model,
                     reason=ours.reason, mlp_reason=ours.mlp_reason,
                     backward_options={"allow_nonfinite": True})
