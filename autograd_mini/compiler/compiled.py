"""compile_graph: a graph captured once and replayed as one generated Python program.

Training rebuilds the same graph at every step, object by object. A compiled graph
does that work once: it writes the graph out as straight-line code (codegen.py), one
line per value, slope and gradient term, taken from the rows of ops.py, and then each
run is a call of that code on the inputs' current numbers. The numbers are eager's, to
the last bit: the same expressions, in the same order (backprop's), on the same floats.

The one rule, as with jax.jit: the graph's *structure* must not depend on the data.
A branch inside an op (relu, abs, ...) is re-decided at every run, but a Python `if` on
a value while the graph was built, a max() picking one Value, a constant computed from
`.data`: those were decided once, at capture, and stay so.

Errors are eager's too. The generated code checks nothing per op; when a run raises or
produces a NaN or infinity anywhere, the graph is replayed op by op with real Values
(replay.py), which raises exactly the error eager would have raised, naming the op and
the value, or confirms the numbers.
"""
from __future__ import annotations

import threading
import weakref
from array import array
from itertools import chain, repeat
from math import isfinite
from operator import add, attrgetter
from typing import Iterable, Sequence, Union

from autograd_mini.backprop import any_nonzero, pass_lock, topological_order
from autograd_mini.decisions import any_decided, decided_by
from autograd_mini.compiler.capture import INPUT, OP, Plan, capture, distinct
from autograd_mini.compiler.codegen import Layout, chunk_source, helpers_source
from autograd_mini.compiler.forms import namespace, primitive_names
from autograd_mini.engine import NO_GRAD_RESULT, Value
from autograd_mini.nonfinite import nonfinite_error
from autograd_mini.numeric import to_float
from autograd_mini.compiler.replay import first_nonfinite_gradient, replay_backward, replay_forward

__all__ = ["compile_graph", "CompiledGraph"]

# Positions per generated function: compile time per node is flat in this size, while
# each chunk boundary costs a few list reads and writes per value crossing it.
CHUNK_SIZE = 6000

_get_data = attrgetter("_data")
_get_grad = attrgetter("_grad")
Seed = Union[float, Value]


def compile_graph(root: Value | Sequence[Value], inputs: Iterable[Value], *,
                  placeholders: Iterable[Value] = ()) -> CompiledGraph:
    """Capture the graph below `root` once, as a program to run again and again.

    `inputs` are the leaves whose `.data` may change between runs and whose gradients
    are wanted (parameters); `placeholders` are leaves whose `.data` changes but which need
    no gradient (a batch's data); every other leaf is a constant, frozen at its current
    value. forward(), backward() and run() give what building the graph again would, to the
    last bit, and raise the same errors. The one rule, as with jax.jit: the graph's structure
    must not depend on the data (a branch inside an op, as relu's, is decided at every run;
    a Python `if` on a value was decided once, at capture). `root` may also be a list of
    Values (outputs); then forward() returns a list and backward() takes one seed each,
    adding what eager backward of a loss reading them in turn, `(o1 * s1 + o2 * s2 +
    ...).backward()`, adds.
    """
    outputs = _outputs(root)
    _refuse_frozen_choices(outputs)
    inputs = _leaves(inputs, "inputs")
    placeholders = _leaves(placeholders, "placeholders")
    both = set(inputs) & set(placeholders)
    if both:
        raise ValueError(f"compile_graph: {next(iter(both))!r} is in both inputs and "
                         "placeholders; a leaf is one or the other")
    return CompiledGraph(outputs, inputs, placeholders, single=isinstance(root, Value))


def _refuse_frozen_choices(outputs: list[Value]) -> None:
    """Refuse a gradient graph in which a rule chose its formula by an input's value: a
    replay at other inputs would keep that choice (see decisions.py)."""
    if not any_decided():
        return
    found = decided_by(chain.from_iterable(map(topological_order, outputs)))
    if found is not None:
        raise ValueError(
            f"compile_graph: this graph holds a gradient that backward(create_graph=True) "
            f"built through {found[1]}, whose rule chose its formula by that value; a "
            f"compiled replay at other inputs would keep the choice and give wrong numbers. "
            f"Build that gradient again at each run (eagerly), or compile the function "
            f"itself and take its gradient from the compiled graph's backward()")


def _outputs(root: object) -> list[Value]:
    outputs = [root] if isinstance(root, Value) else _values(root, "root")
    if not outputs:
        raise ValueError("compile_graph: root is an empty list; give a Value (or a list of "
                         "the outputs)")
    for output in outputs:
        if output._made_by is NO_GRAD_RESULT:
            raise RuntimeError("compile_graph: the root was computed under no_grad(): it "
                               "recorded no graph to compile; build it outside no_grad()")
    return outputs


def _values(items: object, what: str) -> list[Value]:
    if isinstance(items, (str, bytes)) or not hasattr(items, "__iter__"):
        raise TypeError(f"compile_graph: {what} must be a list of Values, got "
                        f"{type(items).__name__}")
    items = list(items)
    for k, item in enumerate(items):
        if not isinstance(item, Value):
            raise TypeError(f"compile_graph: {what}[{k}] is {type(item).__name__} {item!r}, "
                            f"not a Value")
    return items


def _leaves(items: object, what: str) -> list[Value]:
    leaves = distinct(_values([items] if isinstance(items, Value) else items, what))
    for k, leaf in enumerate(leaves):
        if leaf.parent1 is not None:
            raise ValueError(f"compile_graph: {what}[{k}] is {leaf!r}, the result of an op, not "
                             f"a leaf; {what} are leaves whose .data you set (parameters, "
                             f"data), and everything computed from them is recomputed")
    return leaves


class CompiledGraph:
    """A graph captured once (see compile_graph): forward(), backward(), run(), source."""

    def __init__(self, outputs: list[Value], inputs: list[Value], placeholders: list[Value],
                 single: bool = True, chunk_size: int | None = None) -> None:
        self._single = single
        self._leaves = inputs + placeholders  # by slot: V[k] is leaves[k]._data
        plan = self._plan = capture(outputs, self._leaves, len(inputs),
                                    chunk_size or CHUNK_SIZE, single)
        layout = self._layout = Layout(plan)
        # Weak: a compiled graph must not keep the graph it was made from alive.
        self._outputs = [weakref.ref(output) for output in outputs]
        self._forwards, self._backwards = _functions(plan, layout)
        chunks = len(self._forwards)
        self._values = [0.0] * layout.values
        self._saved: list = [None] * chunks
        self._grads = [0.0] * layout.grads  # the seeds first
        self._leaf_grads: list[tuple] = [()] * chunks
        self._root_reads = [(layout.value_slot.get(root), plan.constants[root])
                            for root in plan.roots]
        self._wanted = self._inputs_in_order(inputs)
        # eager's backward sets a root's gradient to the seed: an input as the root, too
        self._root_is_input = single and plan.kinds[plan.roots[0]] == INPUT
        self._state: object = None  # None, _COMPILED, or the replayed Values
        self._data: list = []       # the leaves' numbers of the last forward
        self._replays = 0
        self._lock = threading.RLock()

    def _inputs_in_order(self, inputs: list[Value]) -> tuple[list[Value], list[int] | None]:
        """The inputs in the graph, in backprop's order, and where each one's gradient is
        in the list of leaf gradients (None when that list is exactly theirs)."""
        plan = self._plan
        leaves = [i for i in range(len(plan)) if plan.kinds[i] != OP and plan.needs_grad[i]]
        found = [(k, i) for k, i in enumerate(leaves) if plan.kinds[i] == INPUT]
        nodes = [self._leaves[plan.leaf_slots[i]] for _, i in found]
        picks = [k for k, _ in found]
        return nodes, (None if len(picks) == len(leaves) else picks)

    # -- the public surface ---------------------------------------------------
    @property
    def source(self) -> str:
        """The generated program (written again on each read; it is not kept)."""
        plan = self._plan
        chunks = len(self._forwards)
        header = (f"# A compiled graph of {len(plan):,} nodes, in {chunks} "
                  f"chunk{'s' if chunks > 1 else ''}.\n"
                  "# V: the leaves' values, then values a later chunk reads; S: what backward\n"
                  "# needs from forward; G: gradients handed back to earlier chunks (the seeds\n"
                  "# first); P: the leaves' gradients.\n\n")
        return header + helpers_source(plan) + "\n\n".join(
            chunk_source(plan, self._layout, k) for k in range(len(self._forwards)))

    @property
    def replays(self) -> int:
        """How many passes (forward or backward) were replayed op by op with Values, the
        slow path: each met an error, a NaN or an infinity, or added into a .grad of -0.0
        (whose sign eager keeps only if every term is a -0.0)."""
        return self._replays

    def forward(self) -> float | list[float]:
        """Recompute every node from the inputs' current .data; return the root's value
        (a list for several outputs), which is also set as the root's .data."""
        with self._lock:
            return self._forward_and_set()

    def backward(self, grad: Seed | Sequence[Seed] = 1.0, *, allow_nonfinite: bool = False) -> None:
        """Add d(root)/d(input) * grad into each input's .grad, for the values of the last
        forward() (run first if there was none), as Value.backward adds: a NaN or infinite
        gradient raises ValueError naming where, and then no .grad changes."""
        seeds = self._seeds(grad, allow_nonfinite)
        with self._lock:
            if self._state is None:
                self._forward()
            self._backward(seeds, allow_nonfinite)

    def run(self, grad: Seed | Sequence[Seed] = 1.0, *,
            allow_nonfinite: bool = False) -> float | list[float]:
        """forward() then backward(grad); return the root's value."""
        seeds = self._seeds(grad, allow_nonfinite)
        with self._lock:
            value = self._forward_and_set()
            self._backward(seeds, allow_nonfinite)
        return value

    def __repr__(self) -> str:
        return (f"CompiledGraph({len(self._plan):,} nodes, {len(self._wanted[0])} inputs, "
                f"{len(self._forwards)} chunk(s))")

    def __reduce__(self) -> tuple:
        raise TypeError("a CompiledGraph cannot be pickled or copied (it holds generated "
                        "code); pickle the model or the Values, and compile again")

    # -- running --------------------------------------------------------------
    def _forward_and_set(self) -> float | list[float]:
        values = self._forward()
        for ref, value in zip(self._outputs, values):
            output = ref()
            if output is not None:
                output._data = value
        return values[0] if self._single else values

    def _forward(self) -> list[float]:
        data = self._data = list(map(_get_data, self._leaves))
        self._state = None
        if not self._forward_compiled(data):
            self._replays += 1
            nodes = replay_forward(self._plan, data)  # eager: raises eager's error, if any
            self._state = nodes
            return [nodes[root]._data for root in self._plan.roots]
        self._state = _COMPILED
        values = self._values
        return [constant if slot is None else values[slot] for slot, constant in self._root_reads]

    def _forward_compiled(self, data: list) -> bool:
        """Run the generated forward; False when a replay must decide (an exception, or a
        value or input that is NaN or infinite)."""
        try:
            if not _all_finite(data):
                return False
            values, saved = self._values, self._saved
            values[:len(data)] = data
            for forward in self._forwards:
                if not _all_finite(forward(values, saved)):
                    return False
        except Exception:  # noqa: BLE001 - the replay raises eager's error, or none
            return False
        return True

    def _leaf_gradients(self, seeds: list[float], allow_nonfinite: bool) -> list[float]:
        """This pass's gradients of the leaves that want one (from 0.0), in position order;
        a NaN or infinite one raises eager's error, unless allowed."""
        plan = self._plan
        if self._state is _COMPILED:
            grads = self._grads
            grads[:len(seeds)] = seeds
            saved, leaf_grads = self._saved, self._leaf_grads
            for backward in self._backwards:
                backward(grads, saved, leaf_grads)
            found = list(chain.from_iterable(leaf_grads))
        else:
            self._replays += 1
            found = replay_backward(plan, self._state, seeds)
        if not allow_nonfinite and not _all_finite(found):
            self._replays += 1
            nodes = replay_forward(plan, self._data)
            error = first_nonfinite_gradient(plan, nodes, seeds)
            if error:
                raise error
        return found

    def _backward(self, seeds: list[float], allow_nonfinite: bool) -> None:
        """Add this pass's gradients into the inputs' .grad, as Value.backward adds them."""
        grads = self._leaf_gradients(seeds, allow_nonfinite)
        nodes, picks = self._wanted
        if picks is not None:
            grads = list(map(grads.__getitem__, picks))
        # Read, add and write as one step: another pass (eager, or another compiled graph's
        # in another thread) adding into the same leaves in between would be lost.
        with pass_lock:
            before = list(map(_get_grad, nodes))
            # Eager sets nonzero .grads aside and adds them back to sums begun at 0.0 (0.0 + g
            # turns a -0.0 into 0.0); into zeros it adds in place, which differs only in
            # the sign of a zero
            after = list(map(add, before, map(add, repeat(0.0), grads)))
            if 0.0 in grads and not any_nonzero(before):
                after = self._added_in_place(before, grads, after, seeds)
            if not allow_nonfinite:
                total = sum(after)
                if total.__class__ is not float:  # a Value among the gradients (create_graph)
                    total = sum(map(_number, after))
                if total - total:
                    _refuse_nonfinite_sum(nodes, before, after)
            _set_grads(nodes, after)

    def _added_in_place(self, before: list, grads: list[float], after: list,
                        seeds: list[float]) -> list:
        """The inputs' .grad when eager adds zero gradients into zeros in place: `after`,
        but a root's gradient is set to the seed, and a -0.0 stays so if every term
        added to it is a -0.0 too: a sign of zero the generated code does not keep, so
        eager's own terms decide."""
        if self._root_is_input:
            return grads  # the seed
        if b"\x80" in array("d", before).tobytes():  # a -0.0 among the zeros
            return self._replayed_gradients(seeds, before)
        return after

    def _replayed_gradients(self, seeds: list[float], before: list) -> list:
        """The inputs' .grad after eager's chain rule has added into `before` in place."""
        self._replays += 1
        plan = self._plan
        nodes = replay_forward(plan, self._data) if self._state is _COMPILED else self._state
        grads = replay_backward(plan, nodes, seeds, before)
        picks = self._wanted[1]
        return grads if picks is None else list(map(grads.__getitem__, picks))

    def _seeds(self, grad: object, allow_nonfinite: bool) -> list[float]:
        if self._single:
            return [_seed(grad, allow_nonfinite)]
        grads = _values_or_numbers(grad, len(self._outputs))
        return [_seed(g, allow_nonfinite) for g in grads]


_COMPILED = object()


def _functions(plan: Plan, layout: Layout) -> tuple[list, list]:
    """Each chunk's source compiled on its own, then dropped (`source` writes it again):
    what compiling holds at once is one chunk, whatever the graph's size. The backward
    functions come last chunk first, the order they run in."""
    names = namespace()
    names.update(primitive_names(plan.ops))
    forwards, backwards = [], []
    for k in range(len(plan.chunks())):
        exec(compile(chunk_source(plan, layout, k), f"<compiled graph, chunk {k}>", "exec"),
             names)
        forwards.append(names.pop(f"forward_{k}"))
        backwards.append(names.pop(f"backward_{k}"))
    return forwards, backwards[::-1]


def _seed(grad: object, allow_nonfinite: bool) -> float:
    """A seed gradient as Value.backward takes it."""
    seed = grad._data if isinstance(grad, Value) else to_float(grad, "backward(grad=...)")
    if seed - seed and not allow_nonfinite:  # nonzero only for inf and NaN
        raise ValueError(f"backward(grad={seed!r}): the seed gradient must be finite; "
                         "pass allow_nonfinite=True if you mean it")
    return seed


def _values_or_numbers(grad: object, count: int) -> list:
    if isinstance(grad, (str, bytes)) or not hasattr(grad, "__len__") or len(grad) != count:
        raise ValueError(f"backward(grad=...): this graph has {count} outputs; give a list of "
                         f"{count} seed gradients, one per output")
    return list(grad)


def _set_grads(nodes: list[Value], grads: list) -> None:
    """node._grad = grad for each pair in one C-level loop: no Python line runs in it, so
    neither Ctrl-C (a signal's handler runs between lines) nor a trace function can stop
    it half way. Every .grad changes, or none."""
    any(map(_set_grad, nodes, grads))  # each call returns None: any() runs through all


_set_grad = Value._grad.__set__  # the slot's own setter, called from C


def _all_finite(numbers: Sequence[float]) -> bool:
    """Whether no number is NaN or infinite: their sum tells at C speed, and only when it
    is not finite (which large finite numbers can also make it) are they looked at one by one."""
    total = sum(numbers)
    return not total - total or all(map(isfinite, numbers))


def _number(x: object) -> float:
    return x._data if isinstance(x, Value) else x


def _refuse_nonfinite_sum(nodes: list[Value], before: list, after: list) -> None:
    for node, earlier, now in zip(nodes, before, after):
        now, earlier = _number(now), _number(earlier)
        if now - now:
            raise nonfinite_error(node, "accumulate", (earlier, now - earlier))
