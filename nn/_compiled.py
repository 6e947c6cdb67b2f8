"""How fit computes a step's predictions and gradients: eagerly, or by compiled programs.

Compiled, the model is captured on ONE placeholder sample and compiled as a batched
program (autograd_mini.compiler.compile_batched): the sample's code inside a loop over
the batch's rows. A step runs the batch's forward passes in one call, the loss eagerly
on leaves holding the outputs, then the batch's backward passes in one call, seeded by
those leaves' gradients. The parameters are read once per call and their gradients kept
as running sums across the samples, so a batch of any size costs one sample's compiling.
The loss stays eager because losses decide things from their targets (hinge_loss maps a
0 label to -1, cross_entropy picks the target's logit), while the model's graph is the
same for every sample and is nearly all of the work (a 2-16-16-1 MLP: about 980 nodes
per sample, the hinge loss 4).

The history is eager's, bit for bit. Eager's backward of the batch loss, reduce(add,
losses) / n, adds each sample's terms into a parameter's .grad in turn, in the order it
meets the samples (_per_sample.passes_of); the batched backward adds them in that order,
each sample's outputs seeded in the order the loss reads them, into sums that begin
where eager's do. A batch that meets a NaN, an infinity or an op's error is replayed a
sample at a time (_per_sample.py), which raises eager's error.

The rule, as with jax.jit: the model's graph must not depend on the data. A module class
says it follows the rule with `static_graph = True` in its own body (nn's MLP, Layer and
Neuron do), and fit then compiles it by default. A model of your own that runs a Python
`if` on a value does not: check it with fit(..., compile=N), which also runs every N-th
step eagerly and compares.
"""
from __future__ import annotations

from typing import Callable, Protocol, Sequence, runtime_checkable

from autograd_mini import Value
from autograd_mini.compiler import BatchedGraph, BatchForward, compile_batched
from nn._bulk import assign_finite_gradients, finite_numbers, raw_gradients_of
from nn._capture import Capture, flat, rows_of
from nn._per_sample import Passes, PerSampleReplay, Programs, passes_of

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


_NOT_YET = object()


class CompiledSteps:
    """Steps run by a batched program compiled from one sample; a batch that no program
    can take is computed eagerly."""

    def __init__(self, check_every: int = 0) -> None:
        self.check_every = check_every
        self.capture: Capture | None | object = _NOT_YET
        self.programs: Programs | None = None  # of one sample: the slow path
        self.batched: dict[tuple[int, ...], BatchedGraph] = {}  # by the order of outputs
        # the order of the outputs that the last backward pass used, for the next forward
        self.order: tuple[int, ...] | None = None
        self.replay: _BatchReplay | PerSampleReplay | None = None  # the current batch's

    def predictions(self, model: Callable, samples: list) -> list:
        """The outputs of the program, as leaves; of the model itself, eagerly, for a model
        or batch that a program cannot take."""
        self.replay = None
        rows = rows_of(samples)
        capture = self._capture(model, samples, rows) if rows is not None else None
        if capture is None or rows is None or not capture.takes(rows):
            return [model(x) for x in samples]
        order = self.order or tuple(range(len(capture.outputs)))
        batched = self._batched(capture, order)
        done = batched.forward(rows)
        if done is None:  # a NaN, an infinity or an error: eager's, from a replay per sample
            replay = self.replay = PerSampleReplay(self._programs(capture), rows)
            return replay.forward(order)
        batch = self.replay = _BatchReplay(self, capture, rows, order, done)
        return batch.predictions

    def backward(self, batch_loss: Value) -> None:
        """Gradients of the batch's loss into the output leaves, then by the program into
        the parameters, adding them up in the order eager's backward would."""
        batch_loss.backward()
        replay = self.replay
        if replay is None:
            return
        passes = passes_of(batch_loss, replay.leaves)
        if passes:
            self.order = passes[0][1]
        if isinstance(replay, _BatchReplay) and replay.backward(passes):
            return
        if isinstance(replay, _BatchReplay):  # the slow path, for this step only
            replay = PerSampleReplay(self._programs(replay.capture), replay.rows, replay.leaves)
        replay.backward(passes)

    def _capture(self, model: Callable, samples: list, rows: list[list[float]]
                 ) -> Capture | None:
        if self.capture is _NOT_YET:
            self.capture = Capture.of(model, rows[0], not isinstance(samples[0], list))
        return self.capture  # type: ignore[return-value]

    def _batched(self, capture: Capture, order: tuple[int, ...]) -> BatchedGraph:
        if order not in self.batched:
            self.batched[order] = compile_batched([capture.outputs[k] for k in order],
                                                  capture.inputs, capture.placeholders)
        return self.batched[order]

    def _programs(self, capture: Capture) -> Programs:
        if self.programs is None:
            self.programs = Programs(capture)
        return self.programs


class _BatchReplay:
    """One batch run by a batched program: its outputs as leaves, then its gradients."""

    def __init__(self, steps: CompiledSteps, capture: Capture, rows: list[list[float]],
                 order: tuple[int, ...], done: BatchForward) -> None:
        self.capture, self.rows, self.order, self.done = capture, rows, order, done
        self.graph = steps.batched[order]
        self.leaves: list[list[Value]] = []
        self.predictions = []
        for outputs in done.outputs:
            leaves = capture.leaves(outputs, order)
            self.leaves.append(leaves)
            self.predictions.append(capture.shaped(leaves))

    def backward(self, passes: Passes) -> bool:
        """Add the batch's gradients into the parameters' .grad as eager's backward adds
        them; False, with nothing changed, when the slow path has to: a gradient is not
        finite, a .grad is not a float, or the loss reads some sample's outputs in an order
        this program was not compiled for."""
        if any(order != self.order for _, order in passes):
            return False
        inputs = self.graph.inputs
        before = raw_gradients_of(inputs)
        if set(map(type, before)) != {float}:  # None, or a Value (create_graph)
            return False
        # Eager adds into zeros in place; when some .grad is nonzero it sets them all aside,
        # sums from 0.0 and adds them back.
        aside = any(before)
        seeds: list = [None] * len(self.rows)
        for s, order in passes:
            seeds[s] = [self.leaves[s][k]._grad for k in order]
        found = self.graph.gradients(self.done, seeds, [s for s, _ in passes],
                                     [0.0] * len(before) if aside else before)
        if found is None:
            return False
        if aside:
            found = [g + added for g, added in zip(before, found)]
            if not finite_numbers(found):  # a sum that overflows: eager's error, slow path
                return False
        assign_finite_gradients(inputs, found)
        return True


def step_runner(model: Callable, samples: Sequence, compile: bool | int) -> StepRunner:
    """The step runner for fit's `compile` argument (see fit; its default already decided
    by the model's class)."""
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
              for i, (a, b) in enumerate(zip(flat(compiled[0]), flat(eager[0])))]
    found += [(f"the gradient of {p.label or f'parameter {k}'}", a, b)
              for k, (p, a, b) in enumerate(zip(params, compiled[2], eager[2]))]
    for what, a, b in found:
        if not abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b)):
            return (f"{what} is {a!r} compiled but {b!r} eagerly: the model's graph depends "
                    f"on the data (a Python `if` on a value, a max() of Values, a number read "
                    f"from .data), and a compiled program replays the graph captured at the "
                    f"first sample, as jax.jit does. Train it with compile=False, or make the "
                    f"choice with an op (relu, abs, ...), which decides at every run")
    return None
