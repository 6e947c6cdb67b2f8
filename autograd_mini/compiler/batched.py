"""compile_batched: a graph captured on one sample, run over a whole batch in one call.

A model's graph is the same for every sample of a batch; only the placeholders (the
sample's numbers) differ. A CompiledGraph replays it one sample at a time, reading every
input and adding into every .grad at each replay. A batched graph writes the one
sample's code once, as the body of a loop over the batch's rows: the inputs are read
once per call, and each input's gradient is a running sum kept across the rows, each
term added in turn, in the rows' order given: what eager's backward of a loss over the
batch adds, when it meets the samples in that order. Compiling costs one sample's code,
whatever the batch size.

    def forward_batch(V, rows, S, O):       # tanh(w * x + b), w and b the inputs
        v0, v3 = V[0], V[1]  # v0 'w', v3 'b'  (the inputs, read once)
        total = 0.0
        for (v1,) in rows:                  # the placeholders, per row
            v4 = v0 * v1 + v3               # the sample's code, as compile_graph writes it
            v5 = tanh(v4)  # tanh
            d5 = tanh_slope(v5, v4)
            S.append((d5, v1,))             # what backward reads, per row
            O.append((v5,))
            total = total + v4 + v5         # a NaN or inf anywhere shows in the total
        return total

    def backward_batch(V, seeds, S, order, A):   # V: inputs backward reads (none here)
        a0, a3 = A                          # the running sums, from the caller's start
        for s in order:
            G = seeds[s]
            d5, v1 = S[s]
            g4 = d5 * G[0]
            a0 = a0 + v1 * g4
            a3 = a3 + g4
        return (a0, a3)

It is a fast path with no slow path of its own: forward() and gradients() return None
where a value or gradient is NaN or infinite or an op fails; the caller then replays the
rows one at a time through compile_graph's CompiledGraph, which raises eager's error, or
confirms the numbers.
"""
from __future__ import annotations

import struct
from array import array
from math import copysign
from typing import Iterable, NamedTuple, Sequence, cast

from autograd_mini.compiler.capture import CONSTANT, INPUT, OP, PLACEHOLDER, Plan, capture
from autograd_mini.compiler.codegen import (Layout, backward_lines, chunk_fields, forward_parts,
                                            helpers_source, unpacked)
from autograd_mini.compiler.compiled import _all_finite, _get_data, _leaves, _outputs
from autograd_mini.compiler.forms import literal, namespace, primitive_names
from autograd_mini.engine import Value

__all__ = ["compile_batched", "BatchedGraph", "BatchForward"]

# The whole graph is one chunk: the loop's body.
_ONE_CHUNK = 1 << 62
_NEGATIVE_ZERO = struct.pack("=d", -0.0)


class BatchForward(NamedTuple):
    """What BatchedGraph.forward computed: each row's outputs, and what backward reads (the
    inputs' numbers, and per row the values and slopes it needs)."""

    outputs: list[tuple[float, ...]]
    data: list[float]
    saved: list[tuple[float, ...]]


def compile_batched(outputs: Sequence[Value], inputs: Iterable[Value],
                    placeholders: Iterable[Value]) -> BatchedGraph:
    """The graph below `outputs`, captured on one sample's `placeholders`, as a program
    that runs it for every row of a batch (see BatchedGraph); `inputs` are the leaves whose
    gradients are wanted, and every other leaf is a constant, as in compile_graph."""
    found = _outputs(list(outputs))
    return BatchedGraph(found, _leaves(inputs, "inputs"), _leaves(placeholders, "placeholders"))


class BatchedGraph:
    """One sample's graph, run for many rows in one call: forward(rows), gradients(...).
    `inputs` holds the inputs in the order gradients() takes and gives their numbers."""

    inputs: list[Value]

    def __init__(self, outputs: list[Value], inputs: list[Value],
                 placeholders: list[Value]) -> None:
        self._width = len(placeholders)
        plan = capture(outputs, inputs + placeholders, len(inputs), _ONE_CHUNK, one_root=False)
        # the inputs in the order backward meets them (then those outside the graph), so
        # that gradients() passes its numbers on as they are
        met = [plan.leaf_slots[i] for i in range(len(plan))
               if plan.kinds[i] == INPUT and plan.needs_grad[i]]
        order = met + sorted(set(range(len(inputs))).difference(met))
        if order != list(range(len(inputs))):
            inputs = [inputs[k] for k in order]
            plan = capture(outputs, inputs + placeholders, len(inputs), _ONE_CHUNK,
                           one_root=False)
        self.inputs = inputs
        self._plan, self._layout = plan, Layout(plan)
        # the leaves given gradients, in position order: inputs, and constants (checked)
        self._graded = [i for i in range(len(plan)) if plan.kinds[i] != OP and plan.needs_grad[i]]
        # where each one's sum begins: its input's start (a constant's at -1: a 0.0 after them)
        self._graded_slots = [plan.leaf_slots[i] if plan.kinds[i] == INPUT else -1
                              for i in self._graded]
        self._in_order = self._graded_slots == list(range(len(inputs)))
        names = namespace()
        names.update(primitive_names(plan.ops))
        exec(compile(self.source, "<batched graph>", "exec"), names)
        self._forward, self._backward = names["forward_batch"], names["backward_batch"]

    @property
    def source(self) -> str:
        """The generated program: the sample's code inside a loop over the rows."""
        plan = self._plan
        return helpers_source(plan) + _source(plan, self._layout, self._graded, self._width)

    def forward(self, rows: Sequence[Sequence[float]]) -> BatchForward | None:
        """Each row's outputs, the row giving the placeholders' numbers in their order, from
        the inputs' current .data; None when a number is NaN or infinite or an op fails."""
        data = list(map(_get_data, self.inputs))
        if not _all_finite(data):
            return None
        done = BatchForward([], data, [])
        try:
            total = self._forward(data, rows, done.saved, done.outputs)
        except Exception:  # noqa: BLE001 - the caller's replay raises eager's error, or none
            return None
        return done if not total - total else None

    def gradients(self, done: BatchForward, seeds: Sequence[Sequence[float]],
                  order: Sequence[int], start: Sequence[float]) -> list[float] | None:
        """Each input's gradient, in the order of `inputs`: its running sum from `start`
        (one number per input), with the terms of row s's backward pass seeded by seeds[s]
        (one seed per output) added for each row s in `order`, in turn; None when a
        gradient is NaN or infinite, or a sum began at -0.0 and stayed zero (its sign then
        rests on the signs of zero terms, which the generated code does not keep as eager
        does)."""
        in_order = self._in_order
        sums = start if in_order else list(map([*start, 0.0].__getitem__, self._graded_slots))
        try:
            found = self._backward(done.data, seeds, done.saved, order, sums)
        except Exception:  # noqa: BLE001
            return None
        if not _all_finite(found):
            return None
        grads = list(found if in_order else [found[k] for k, slot in
                                             enumerate(self._graded_slots) if slot >= 0])
        grads += start[len(grads):]  # the inputs outside the graph keep their start
        if _has_negative_zero(start) and any(
                g == 0.0 and copysign(1.0, s) < 0.0 for g, s in zip(grads, start)):
            return None
        return grads

    def __repr__(self) -> str:
        return (f"BatchedGraph({len(self._plan):,} nodes per row, {len(self.inputs)} inputs, "
                f"{self._width} placeholders)")

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a BatchedGraph cannot be pickled or copied (it holds generated "
                        "code); compile again")


def _has_negative_zero(numbers: Sequence[float]) -> bool:
    """Whether a -0.0 is among these floats: their bytes searched at C speed, a match
    counting only where a float begins."""
    raw = array("d", numbers).tobytes()
    found = raw.find(_NEGATIVE_ZERO)
    while found > 0 and found % 8:
        found = raw.find(_NEGATIVE_ZERO, found + 1)
    return found >= 0


def _source(plan: Plan, layout: Layout, graded: list[int], width: int) -> str:
    """forward_batch and backward_batch (the module's docstring shows them)."""
    end = len(plan)
    fields = chunk_fields(plan, layout, 0, end)
    imports, body, checked = forward_parts(plan, layout, 0, end, fields)
    sums = {i: f"a{i}" for i in graded}
    backward, saved = backward_lines(plan, layout, 0, end, fields, sums)
    inputs = [p for p in imports if plan.kinds[p] == INPUT]
    inputs += [r for r in plan.roots if plan.kinds[r] == INPUT and r not in inputs]
    # backward reads the inputs' values (a weight's term into its operand) once, from V
    saved_names = set(saved)
    read_back = [p for p in inputs if layout.value(p) in saved_names]
    names_read_back = set(map(layout.value, read_back))
    saved = [name for name in saved if name not in names_read_back]
    row = ["_"] * width  # each placeholder's name, in their order (unread ones: _)
    for i, slot in plan.leaf_slots.items():
        if plan.kinds[i] == PLACEHOLDER:
            row[slot - (plan.leaf_count - width)] = layout.value(i)
    forward = ["def forward_batch(V, rows, S, O):"]
    forward += unpacked([layout.value(p) for p in inputs],
                        [f"V[{plan.leaf_slots[p]}]" for p in inputs], layout, inputs)
    forward += ["    total = 0.0", f"    for ({', '.join(row)}{',' if len(row) == 1 else ''})"
                                   f" in rows:" if row else "    for _ in rows:"]
    forward += ["    " + line for line in body]
    if saved:
        forward.append(f"        S.append(({', '.join(saved)},))")
    roots = [literal(cast(float, plan.constants[r])) if plan.kinds[r] == CONSTANT
             else layout.value(r) for r in plan.roots]
    forward.append(f"        O.append(({', '.join(roots)},))")
    if checked:
        forward.append(f"        total = total + {' + '.join(checked)}")
    forward.append("    return total")
    names = [sums[i] for i in graded]
    lines = ["def backward_batch(V, seeds, S, order, A):"]
    lines += unpacked([layout.value(p) for p in read_back],
                      [f"V[{plan.leaf_slots[p]}]" for p in read_back], layout, read_back)
    if names:
        lines.append(f"    {', '.join(names)}{',' if len(names) == 1 else ''} = A")
    lines += ["    for s in order:", "        G = seeds[s]"]
    if saved:
        lines.append(f"        {', '.join(saved)}{',' if len(saved) == 1 else ''} = S[s]")
    lines += ["    " + line for line in backward] or ["        pass"]
    lines.append(f"    return ({', '.join(names)}{',' if len(names) == 1 else ''})")
    return "\n".join(forward) + "\n\n\n" + "\n".join(lines) + "\n"
