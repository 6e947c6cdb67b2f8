"""How fit computes a step's predictions and gradients: eagerly, or by a compiled program.

Compiled, the model is captured once per batch size (autograd_mini.compile_graph), with
the batch's features as placeholders, and replayed at every step with the next batch's
numbers. The loss stays eager: it runs on leaves holding the model's outputs, and their
gradients seed the program's backward pass. Losses decide things from their targets
(hinge_loss maps a 0 label to -1, cross_entropy picks the target's logit, the logistic
losses branch on the sign of the logit), so a loss captured once would be wrong for
the next batch; the model's graph is the same for every batch, and it is nearly all of
the work (a 2-16-16-1 MLP: about 650 nodes per sample, the hinge loss 4).

The rule, as with jax.jit: the model's graph must not depend on the data. A module class
says it follows the rule with `static_graph = True` in its own body (nn's MLP, Layer and
Neuron do), and fit then compiles it by default. A model of your own that runs a Python
`if` on a value does not: check it with fit(..., compile=N), which also runs every N-th
step eagerly and compares.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Protocol, Sequence, runtime_checkable

from autograd_mini import Value, compile_graph, topological_order

__all__ = ["StepRunner", "EagerSteps", "CompiledSteps", "step_runner", "step_difference"]

# A step's predictions (as numbers), loss and parameter gradients, for comparing two runs.
Step = tuple[list, float, list]


@runtime_checkable
class StepRunner(Protocol):
    """How fit computes each step's predictions and gradients."""

    check_every: int  # every check_every-th step is also run eagerly and compared; 0: never

    def predictions(self, model: Callable, samples: list) -> list:
        """The model's output for each sample, as Values."""

    def backward(self, batch_loss: Value) -> None:
        """Gradients of the batch's loss into the parameters."""


class EagerSteps:
    """A step as fit computes it without compiling: the model called on every sample."""

    check_every = 0

    def predictions(self, model: Callable, samples: list) -> list:
        """The model's output for each sample, as Values."""
        return [model(x) for x in samples]

    def backward(self, batch_loss: Value) -> None:
        """Gradients of the batch's loss into the parameters."""
        batch_loss.backward()


class CompiledSteps:
    """A step replayed by the program compiled for its batch size (one per size); a batch
    that no program can take is computed eagerly."""

    def __init__(self, check_every: int = 0) -> None:
        self.check_every = check_every
        self.programs: dict[int, _Program | None] = {}
        self.current: _Program | None = None

    def predictions(self, model: Callable, samples: list) -> list:
        """The outputs of the batch's program, as leaves; of the model itself, eagerly, for
        a model or batch that a program cannot take."""
        size = len(samples)
        if size not in self.programs:
            self.programs[size] = _Program.capture(model, samples)
        self.current = self.programs[size]
        if self.current is None or not self.current.load(samples):
            self.current = None
            return [model(x) for x in samples]
        return self.current.forward()

    def backward(self, batch_loss: Value) -> None:
        """Gradients of the batch's loss into the output leaves, then by the program into
        the parameters, adding them up in the order eager's backward would."""
        batch_loss.backward()
        if self.current is None:
            return
        order = self.current.eager_order(batch_loss)
        if order != self.current.order:  # the loss reads the outputs in another order
            self.current = self.current.reordered(order)
            self.programs[len(self.current.shape)] = self.current
        self.current.backward()


def step_runner(model: Callable, samples: Sequence, compile: bool | int | None) -> StepRunner:
    """The step runner for fit's `compile` argument (see fit)."""
    if compile is None:
        # the class's own declaration only: a subclass may have changed the forward pass
        compile = vars(type(model)).get("static_graph", False) is True
    if compile is False or any(isinstance(x, Value) for sample in samples
                               for x in (sample if isinstance(sample, list) else [sample])):
        return EagerSteps()  # Values among the data: they may need their own gradients
    return CompiledSteps(0 if compile is True else compile)


def step_difference(compiled: Step, eager: Step, params: list[Value]) -> str | None:
    """What differs, beyond rounding, between a compiled step and the same step computed
    eagerly (the loss, a prediction or a gradient of `params`), and what that means; None
    when they agree."""
    found = [("the loss", compiled[1], eager[1])]
    found += [(f"prediction {i}", a, b)
              for i, (a, b) in enumerate(zip(_flat(compiled[0]), _flat(eager[0])))]
    found += [(f"the gradient of {p.label or f'parameter {k}'}", a, b)
              for k, (p, a, b) in enumerate(zip(params, compiled[2], eager[2]))]
    for what, a, b in found:
        if not abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b)):
            return (f"{what} is {a!r} compiled but {b!r} eagerly: the model's graph depends "
                    f"on the data (a Python `if` on a value, a max() of Values, a number read "
                    f"from .data), and a compiled program replays the graph captured at the "
                    f"first batch, as jax.jit does. Train it with compile=False, or make the "
                    f"choice with an op (relu, abs, ...), which decides at every run")
    return None


class _Program:
    """The model compiled for one batch size: placeholders for its features, leaves that
    hold its outputs for the loss."""

    def __init__(self, placeholders: list, outputs: list, shape: list, graph: Any,
                 inputs: list[Value], order: list[int] | None = None) -> None:
        self.placeholders, self.outputs, self.shape, self.graph = (placeholders, outputs,
                                                                   shape, graph)
        self.inputs = inputs
        # the graph's outputs are outputs[order[0]], outputs[order[1]], ...: the order in
        # which the loss reaches them, so that gradients add up in eager's order
        self.order = order if order is not None else list(range(len(outputs)))
        self.leaves: list[Value] = []

    @classmethod
    def capture(cls, model: Callable, samples: list) -> _Program | None:
        """Build the model's graph on placeholders and compile it; None when the model does
        not return Values (a graph cannot be captured)."""
        # holding this batch's numbers, so that the graph is at least right for this batch
        placeholders = [[_placeholder(v) for v in x] if isinstance(x, list) else _placeholder(x)
                        for x in samples]
        shape, outputs = [], []
        for sample in placeholders:
            output = model(sample)
            values = output if isinstance(output, list) else [output]
            if not all(isinstance(value, Value) for value in values):
                return None
            shape.append(len(values) if isinstance(output, list) else None)
            outputs += values
        flat = [p for sample in placeholders for p in (sample if isinstance(sample, list)
                                                        else [sample])]
        inputs = _leaves(outputs, set(flat))
        return cls(flat, outputs, shape, compile_graph(outputs, inputs, placeholders=flat),
                   inputs)

    def load(self, samples: list) -> bool:
        """Put the batch's numbers into the placeholders; False for a sample that is not
        plain numbers of a float's range (eager then says what is wrong with it)."""
        numbers = [x for sample in samples for x in (sample if isinstance(sample, list)
                                                      else [sample])]
        if len(numbers) != len(self.placeholders):
            return False
        try:
            data = [float(x) for x in numbers if not isinstance(x, Value)]
        except (OverflowError, TypeError):
            return False
        if len(data) != len(numbers) or not all(map(math.isfinite, data)):
            return False
        for placeholder, x in zip(self.placeholders, data):
            placeholder.data = x
        return True

    def eager_order(self, batch_loss: Value) -> list[int]:
        """The outputs' indices in the order eager's backward from batch_loss meets them."""
        where = {id(leaf): k for k, leaf in enumerate(self.leaves)}
        met = [where[id(node)] for node in topological_order(batch_loss)
               if id(node) in where]
        unread = set(range(len(self.leaves))).difference(met)  # outputs the loss ignores
        return met + sorted(unread)

    def reordered(self, order: list[int]) -> _Program:
        """This program with its graph compiled for the outputs in `order` (the same
        batch loaded, the same output leaves)."""
        outputs = [self.outputs[k] for k in order]
        graph = compile_graph(outputs, self.inputs, placeholders=self.placeholders)
        program = _Program(self.placeholders, self.outputs, self.shape, graph, self.inputs,
                           order)
        program.leaves = self.leaves
        return program

    def forward(self) -> list:
        """The outputs for the loaded batch, as fresh leaves shaped as the model returns."""
        values = [0.0] * len(self.outputs)
        for k, x in zip(self.order, self.graph.forward()):
            values[k] = x
        self.leaves = [Value(x, allow_nonfinite=True) for x in values]
        predictions, k = [], 0
        for width in self.shape:
            predictions.append(self.leaves[k] if width is None else self.leaves[k:k + width])
            k += 1 if width is None else width
        return predictions

    def backward(self) -> None:
        """The loss's gradients at the outputs, carried back into the parameters."""
        self.graph.backward([self.leaves[k].grad for k in self.order])


def _placeholder(x: Any) -> Value:
    try:
        return Value(float(x))
    except (TypeError, ValueError, OverflowError):  # load() refuses it, and eager says why
        return Value(0.0)


def _flat(predictions: list) -> list:
    return [x for p in predictions for x in (p if isinstance(p, list) else [p])]


def _leaves(outputs: list[Value], placeholders: set) -> list[Value]:
    """Every leaf below the outputs but the placeholders, in the order first met: the
    program's inputs (read at every run, given gradients, as eager gives them)."""
    seen, found, stack = set(), [], list(reversed(outputs))
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        parents = node.parents
        if not parents and node not in placeholders:
            found.append(node)
        stack.extend(reversed(parents))
    return found
