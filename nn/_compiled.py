"""How fit computes a step's predictions and gradients: eagerly, or by compiled programs.

Compiled, the model is captured on ONE placeholder sample (autograd_mini.compile_graph)
and the program is replayed per sample: a forward pass for each sample of the batch, the
loss eagerly on leaves holding the outputs, then each sample's backward pass with its
leaves' gradients as seeds, adding into the parameters' .grad. Compiling costs one
sample's graph, whatever the batch size. The loss stays eager because losses decide
things from their targets (hinge_loss maps a 0 label to -1, cross_entropy picks the
target's logit), while the model's graph is the same for every sample and is nearly all
of the work (a 2-16-16-1 MLP: about 980 nodes per sample, the hinge loss 4).

Each replay reads every parameter and adds into every gradient, so a program holding a
whole batch runs a step 2-3x faster than one replayed per sample, but costs as many
samples' compiling. A batch size that fit will run for at least OWN_PROGRAM_STEPS steps
gets such a program, which those steps pay for (the demo: 600 steps of 10 samples); a
shorter run (a full batch for fewer epochs) compiles one sample and nothing more.

The history is eager's, bit for bit. Eager's backward of the batch loss, reduce(add,
losses) / n, meets sample 1's subgraph first in topological order, so it visits the
samples' nodes last sample first and adds each sample's terms into a parameter's .grad
in turn; the per-sample passes run in that order, each sample's outputs seeded in the
order the loss reads them. A parameter that one sample reads twice (a shared weight)
has its running sum carried in as the seed of a node `parameter + 0.0` whose term comes
first, so that its sums are eager's too.

The rule, as with jax.jit: the model's graph must not depend on the data. A module class
says it follows the rule with `static_graph = True` in its own body (nn's MLP, Layer and
Neuron do), and fit then compiles it by default. A model of your own that runs a Python
`if` on a value does not: check it with fit(..., compile=N), which also runs every N-th
step eagerly and compares.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Mapping, Protocol, Sequence, cast, runtime_checkable

from autograd_mini import Value, compile_graph, topological_order

__all__ = ["StepRunner", "EagerSteps", "CompiledSteps", "step_runner", "step_difference",
           "Capture", "rows_of"]

# A step's predictions (as numbers), loss and parameter gradients, for comparing two runs.
Step = tuple[list, float, list]
# Steps after which a batch size's own program has paid for its compiling: compiling
# costs about 7.5 us per node, and the program saves about 0.25 us per parameter and
# sample at every step (a replay per sample reads every parameter and writes every
# gradient); an MLP has about 3 nodes per parameter, so 7.5 * 3 / 0.25 = 90 steps,
# whatever its size (measured: 92 for the MLP 2-16-16-1 on a full batch of 100).
OWN_PROGRAM_STEPS = 100


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
    """Steps replayed by programs compiled from one sample (or from a whole batch, for a
    batch size that runs long enough to pay for it); a batch that no program can take is
    computed eagerly."""

    def __init__(self, check_every: int = 0, steps_by_size: Mapping[int, int] | None = None
                 ) -> None:
        self.check_every = check_every
        self.steps_by_size = dict(steps_by_size or {})  # how many steps fit runs per size
        self.captures: dict[int, Capture | None] = {}   # by the samples captured: 1 or a size
        self.programs: dict[tuple[int, tuple[int, ...]], _Program] = {}
        # by the samples captured: the order of the outputs that the last chunk's backward
        # pass used, so that a forward pass by its program leaves nothing to run again
        self.forward_orders: dict[int, tuple[int, ...]] = {}
        self.replay: _Replay | None = None  # the current batch's, for backward

    def predictions(self, model: Callable, samples: list) -> list:
        """The outputs of the programs, as leaves; of the model itself, eagerly, for a
        model or batch that a program cannot take."""
        self.replay = None
        rows = rows_of(samples)
        if rows is None:
            return [model(x) for x in samples]
        capture = self._capture(model, samples, rows, 1)
        size = len(samples)
        if capture is not None and size > 1 and (self.steps_by_size.get(size, 0)
                                                 >= OWN_PROGRAM_STEPS):
            capture = self._capture(model, samples, rows, size)
        if capture is None or not capture.takes(rows):
            return [model(x) for x in samples]
        self.replay = _Replay(self, capture, rows)
        return self.replay.forward()

    def backward(self, batch_loss: Value) -> None:
        """Gradients of the batch's loss into the output leaves, then by the programs into
        the parameters, adding them up in the order eager's backward would."""
        batch_loss.backward()
        if self.replay is not None:
            self.replay.backward(batch_loss)

    def program(self, capture: Capture, order: tuple[int, ...]) -> _Program:
        """The program of `capture` whose outputs are in `order` (compiled on first use)."""
        key = (capture.count, order)
        if key not in self.programs:
            self.programs[key] = _Program(capture, order)
        return self.programs[key]

    def _capture(self, model: Callable, samples: list, rows: list[list[float]],
                 count: int) -> Capture | None:
        if count not in self.captures:
            scalar = not isinstance(samples[0], list)
            self.captures[count] = Capture.of(model, rows[:count], scalar)
        return self.captures[count]


def step_runner(model: Callable, samples: Sequence, compile: bool | int,
                batch_size: int | None = None, epochs: int = 0) -> StepRunner:
    """The step runner for fit's `compile` argument (see fit; its default already decided
    by the model's class), for `epochs` epochs of `samples` in batches of `batch_size`
    (None: all)."""
    if compile is False or any(isinstance(x, Value) for sample in samples
                               for x in (sample if isinstance(sample, list) else [sample])):
        return EagerSteps()  # Values among the data: they may need their own gradients
    size = batch_size or len(samples)
    # per epoch: the full batches, then one of the samples left over
    steps_by_size = {size: epochs * (len(samples) // size), len(samples) % size: epochs}
    return CompiledSteps(0 if compile is True else compile, steps_by_size)


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
                    f"first sample, as jax.jit does. Train it with compile=False, or make the "
                    f"choice with an op (relu, abs, ...), which decides at every run")
    return None


def rows_of(samples: list) -> list[list[float]] | None:
    """Each sample's numbers as floats (a number sample as a list of one), or None when
    some sample is not plain finite numbers (eager then says what is wrong with it)."""
    try:  # float() refuses a Value (TypeError), as it refuses a string
        rows = [list(map(float, sample if isinstance(sample, list) else [sample]))
                for sample in samples]
    except (OverflowError, TypeError, ValueError):
        return None
    total = sum(map(sum, rows))  # finite when every number is (or inf when large ones add up)
    if not math.isfinite(total) and not all(map(math.isfinite, _flat(rows))):
        return None
    return rows


class Capture:
    """The model's graph on `count` placeholder samples, from which programs are compiled:
    its outputs, and the leaves below them (the parameters: the programs' inputs)."""

    def __init__(self, placeholders: list[list[Value]], outputs: list[Value],
                 shape: list[int | None], inputs: list[Value], carried: list[Value]) -> None:
        self.placeholders, self.outputs, self.shape = placeholders, outputs, shape
        self.count = len(placeholders)
        self.flat_placeholders = [p for sample in placeholders for p in sample]
        self.inputs = inputs
        # inputs that one sample reads more than once; `carries` seed their running sums
        self.carried = carried
        self.carries = [p + 0.0 for p in carried]

    @classmethod
    def of(cls, model: Callable, rows: list[list[float]], scalar: bool) -> Capture | None:
        """The model called on placeholders holding these rows (rows_of's; a number each
        when `scalar`), so that the graph is at least right for them; None when the model
        does not return Values."""
        placeholders = [[Value(x) for x in row] for row in rows]
        outputs: list[Value] = []
        shape: list[int | None] = []
        for sample in placeholders:
            found = _outputs(model, sample[0] if scalar else sample)
            if found is None:
                return None
            outputs += found[0]
            shape.append(found[1])
        leaves, reads = _leaves(outputs, {p for sample in placeholders for p in sample})
        # one sample at a time, a parameter read twice gets its running sum carried in
        carried = [leaf for leaf in leaves if reads[leaf] > 1] if len(rows) == 1 else []
        return cls(placeholders, outputs, shape, leaves, carried)

    def takes(self, rows: list[list[float]]) -> bool:
        """Whether these rows fit the placeholders (each sample as wide as captured)."""
        width = len(self.placeholders[0])
        return all(len(row) == width for row in rows)

    def load(self, rows: list[list[float]]) -> None:
        """Put these rows (one per captured sample) into the placeholders."""
        for placeholders, row in zip(self.placeholders, rows):
            for placeholder, x in zip(placeholders, row):
                placeholder.data = x

    def shaped(self, values: list) -> list:
        """Flat outputs (one chunk's) as the model returns them: per sample a Value or a
        list."""
        predictions, k = [], 0
        for width in self.shape:
            predictions.append(values[k] if width is None else values[k:k + width])
            k += 1 if width is None else width
        return predictions


class _Program:
    """A capture compiled with its outputs in `order`, then the carry nodes."""

    def __init__(self, capture: Capture, order: tuple[int, ...]) -> None:
        self.capture, self.order = capture, order
        outputs = [capture.outputs[k] for k in order] + capture.carries
        self.graph = compile_graph(outputs, capture.inputs,
                                   placeholders=capture.flat_placeholders)
        self.holds: tuple[_Replay, int] | None = None  # whose forward pass the graph holds


class _Replay:
    """One batch replayed in chunks of `capture.count` samples (one, or all of them)."""

    def __init__(self, steps: CompiledSteps, capture: Capture, rows: list[list[float]]) -> None:
        self.steps, self.capture = steps, capture
        count = capture.count
        self.chunks = [rows[i:i + count] for i in range(0, len(rows), count)]
        self.leaves: list[list[Value]] = []  # per chunk, its outputs in the model's order

    def forward(self) -> list:
        """The batch's outputs, as fresh leaves shaped as the model returns them."""
        capture, width = self.capture, len(self.capture.outputs)
        order = self.steps.forward_orders.get(capture.count, tuple(range(width)))
        program = self.steps.program(capture, order)
        predictions = []
        for chunk in self.chunks:
            capture.load(chunk)
            values = [0.0] * width
            for k, x in zip(order, cast(list, program.graph.forward())):  # then the carries
                values[k] = x
            leaves = [Value(x, allow_nonfinite=True) for x in values]
            self.leaves.append(leaves)
            predictions += capture.shaped(leaves)
        program.holds = (self, len(self.chunks) - 1)
        return predictions

    def backward(self, batch_loss: Value) -> None:
        """Each chunk's backward pass, seeded by its leaves' gradients, in eager's order;
        on an error every .grad is as it was."""
        capture, passes = self.capture, self._passes(batch_loss)
        if passes:
            self.steps.forward_orders[capture.count] = passes[0][1]
        if len(passes) < 2 and not capture.carried:
            for c, order in passes:  # one pass: compile_graph's own, atomic, is eager's
                self._run(c, order, [])
            return
        inputs = capture.inputs
        before = [p.grad for p in inputs]
        # eager sets nonzero gradients aside, sums from zero, and adds them back after
        aside = [(p, g) for p, g in zip(inputs, before) if g is not None and g != 0.0]
        try:
            for p, _ in aside:
                p.grad = None
            for c, order in passes:
                self._run(c, order, [_take_grad(p) for p in capture.carried])
            for p, g in aside:
                added = p.grad  # (None: the loss reads no output, and eager adds nothing)
                p.grad = g if added is None else g + added
        except BaseException:
            for p, grad in zip(inputs, before):
                p.grad = grad
            raise

    def _run(self, c: int, order: tuple[int, ...], carry_seeds: list[float]) -> None:
        program = self.steps.program(self.capture, order)
        seeds = [cast(float, self.leaves[c][k].grad) for k in order] + carry_seeds
        if program.holds == (self, c):
            program.graph.backward(seeds)
        else:
            self.capture.load(self.chunks[c])
            program.graph.run(seeds)
        program.holds = (self, c)

    def _passes(self, batch_loss: Value) -> list[tuple[int, tuple[int, ...]]]:
        """(chunk, order of its outputs) for each chunk the loss reads, in the order eager's
        backward reaches their graphs: the chunk it meets last in topological order first,
        its outputs in the order the loss meets them (then those it does not read)."""
        where = {leaf: (c, k) for c, leaves in enumerate(self.leaves)
                 for k, leaf in enumerate(leaves)}
        met: dict[int, list[int]] = {}  # in the order first met
        for node in topological_order(batch_loss):
            if node in where:
                c, k = where[node]
                met.setdefault(c, []).append(k)
        passes = []
        for c, order in reversed(met.items()):
            unread = sorted(set(range(len(self.leaves[c]))).difference(order))
            passes.append((c, tuple(order + unread)))
        return passes


def _take_grad(p: Value) -> float:
    """p's running gradient, as a carry node's seed; p's .grad restarts from nothing."""
    grad = p.grad
    p.grad = None
    return 0.0 if grad is None else cast(float, grad)


def _outputs(model: Callable, x: Any) -> tuple[list[Value], int | None] | None:
    """The model's outputs for x as a flat list, with its width (None for one Value); None
    when it returns something other than Values."""
    output = model(x)
    values = output if isinstance(output, list) else [output]
    if not all(isinstance(value, Value) for value in values):
        return None
    return values, (len(values) if isinstance(output, list) else None)


def _flat(predictions: list) -> list:
    return [x for p in predictions for x in (p if isinstance(p, list) else [p])]


def _leaves(outputs: list[Value], placeholders: set[Value]) -> tuple[list[Value], dict]:
    """Every leaf below the outputs but the placeholders, in the order first met (the
    programs' inputs: read at every run, given gradients, as eager gives them), and how
    many times op nodes read each."""
    seen: set[Value] = set()
    reads: dict[Value, int] = {}
    stack = list(reversed(outputs))
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        parents = node.parents
        if not parents and node not in placeholders:
            reads.setdefault(node, 0)
        for parent in parents:
            reads[parent] = reads.get(parent, 0) + 1
        stack.extend(reversed(parents))
    return [leaf for leaf in reads if not leaf.parents and leaf not in placeholders], reads
