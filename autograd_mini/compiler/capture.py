"""A graph captured for the compiler: its nodes in topological order, as flat arrays.

The capture keeps what replaying the graph needs (each node's op, parents, constant and
label) and drops the Values themselves, so a compiled graph does not keep the graph it
was made from alive. Positions follow backprop's own order (the order eager `backward`
visits), which is what makes the compiled gradients add up in eager's order, bit for bit.
"""
from __future__ import annotations

from array import array
from itertools import accumulate, repeat
from operator import attrgetter
from typing import Iterable

from autograd_mini.backprop import topological_order
from autograd_mini.engine import Value
from autograd_mini.numeric import to_float
from autograd_mini.opgen import Op, refuse_micrograd_nodes

__all__ = ["OP", "INPUT", "PLACEHOLDER", "CONSTANT", "Plan", "capture"]

# What sits at a position: an op's result, or a leaf that is an input (read at every run,
# gradient wanted), a placeholder (read at every run, no gradient) or a constant.
OP, INPUT, PLACEHOLDER, CONSTANT = 0, 1, 2, 3


class _Join:
    """Holds two outputs as parents, so that one sort orders several outputs (then dropped)."""

    __slots__ = ("parent1", "parent2", "_seen_by")

    def __init__(self, parent1: object, parent2: object) -> None:
        self.parent1, self.parent2, self._seen_by = parent1, parent2, None


class Plan:
    """The captured graph. Position i holds ops[i] (None for a leaf) applied to the
    positions parent1[i], parent2[i] (-1: none) with constants[i] (the op's constant
    operand or parameter; a constant leaf's data), kinds[i] and labels.get(i, "").

    Seeds enter as eager backward gives them: a root given as a Value starts with its seed
    as its gradient (Value.backward); the seeds of a list of outputs are added as for a
    loss reading the outputs in turn, each through a node of its own (o1 * s1 + o2 * s2
    + ...): output k's seed comes after the terms of every position beyond seed_at[k]."""

    __slots__ = ("ops", "parent1", "parent2", "constants", "kinds", "labels", "roots",
                 "one_root", "seed_at", "leaf_slots", "leaf_count", "needs_grad", "last_use",
                 "single_use", "chunk_size")

    def __init__(self) -> None:
        self.ops: list[Op | None] = []
        self.parent1, self.parent2 = array("q"), array("q")
        self.constants: list[float | None] = []
        self.kinds = bytearray()
        self.labels: dict[int, str] = {}
        self.roots: list[int] = []
        self.one_root = True                   # a root given as a Value, not in a list
        self.seed_at: list[int] = []           # per root: where its seed enters
        self.leaf_slots: dict[int, int] = {}  # input or placeholder position -> its index
        self.leaf_count = 0                    # inputs and placeholders, in the graph or not
        self.needs_grad = bytearray()          # 1 where a gradient has to flow
        self.last_use = array("q")             # the last position reading each node, or -1
        self.single_use = bytearray()          # 1 where one operand reads the node, no seed
        self.chunk_size = 1

    def __len__(self) -> int:
        return len(self.kinds)

    def chunks(self) -> range:
        """The start of each chunk: positions [start, start + chunk_size)."""
        return range(0, len(self), self.chunk_size)

    def chunk_of(self, position: int) -> int:
        """The index of the chunk holding `position`."""
        return position // self.chunk_size

    def seeds_entering(self) -> dict[int, list[tuple[int, int]]]:
        """position -> (root, k) for each seed added there (k: its index among the roots),
        a later output's first, as eager adds them; roots that need no gradient get none."""
        entering: dict[int, list[tuple[int, int]]] = {}
        for k, (root, position) in enumerate(zip(self.roots, self.seed_at)):
            if self.needs_grad[root]:
                entering.setdefault(position, []).insert(0, (root, k))
        return entering


def capture(outputs: list[Value], leaves: list[Value], inputs: int, chunk_size: int,
            one_root: bool = True) -> Plan:
    """The plan of the graph below `outputs` (one_root: a root given as a Value);
    `leaves[:inputs]` are the inputs, the rest of `leaves` placeholders, and every other
    leaf a constant."""
    order = _sorted(outputs)
    plan = Plan()
    plan.one_root = one_root
    plan.chunk_size = chunk_size
    plan.leaf_count = len(leaves)
    position = dict(zip(order, range(len(order)))).get
    # Whole columns at a time (map over the nodes): a million nodes in about a second.
    plan.parent1 = array("q", map(position, map(_get_parent1, order), repeat(-1)))
    plan.parent2 = array("q", map(position, map(_get_parent2, order), repeat(-1)))
    plan.ops = list(map(_get_op, order))
    if any(key.startswith("micrograd:") for key in set(map(_get_key, plan.ops))):
        refuse_micrograd_nodes(order, "compile_graph")
    plan.constants = list(map(_get_constant, order))
    plan.labels = {i: label for i, label in enumerate(map(_get_label, order)) if label}
    plan.kinds = bytearray(len(order))  # OP, but for the leaves:
    slots = {leaf: k for k, leaf in enumerate(leaves)}
    for i in [i for i, p in enumerate(plan.parent1) if p < 0]:
        plan.ops[i] = None
        slot = slots.get(order[i])
        if slot is None:
            plan.kinds[i] = CONSTANT
            # a float, whatever .data holds (a numpy scalar, an int): written as a literal
            plan.constants[i] = to_float(order[i]._data, "compile_graph: a constant leaf")
        else:
            plan.kinds[i] = INPUT if slot < inputs else PLACEHOLDER
            plan.leaf_slots[i] = slot
    plan.roots = [position(output) for output in outputs]
    # A loss reading the outputs in turn reads output k right after the sort has placed
    # every node below outputs 1..k: its seed is added once the terms from beyond have been.
    plan.seed_at = list(accumulate(plan.roots, max))
    _mark_gradients(plan)
    _mark_last_use(plan)
    return plan


_get_parent1, _get_parent2 = attrgetter("parent1"), attrgetter("parent2")
_get_key = attrgetter("key")
_get_op, _get_constant, _get_label = attrgetter("_made_by"), attrgetter("constant"), attrgetter("label")


def _sorted(outputs: list[Value]) -> list[Value]:
    """backprop's order for one output; for several, the order a sort from a node over them
    all gives, which is the order eager backward gives when a loss reads them in turn."""
    if len(outputs) == 1:
        return topological_order(outputs[0])
    joint = outputs[0]
    for output in outputs[1:]:
        joint = _Join(joint, output)
    return [node for node in topological_order(joint) if node.__class__ is not _Join]


def _mark_gradients(plan: Plan) -> None:
    """A node needs a gradient when some leaf below it wants one: inputs do, and constants
    too (eager backward computes theirs, and refuses when one is NaN or infinite)."""
    needs = plan.needs_grad = bytearray(len(plan))
    kinds, parent1, parent2 = plan.kinds, plan.parent1, plan.parent2
    for i, kind in enumerate(kinds):
        if kind == OP:
            p2 = parent2[i]
            needs[i] = needs[parent1[i]] or (p2 >= 0 and needs[p2])
        else:
            needs[i] = kind != PLACEHOLDER


def _mark_last_use(plan: Plan) -> None:
    last = plan.last_use = array("q", [-1]) * len(plan)
    uses = bytearray(len(plan))  # counts 0, 1, then 2 for "more than one"
    for root in plan.roots:  # its seed is one more term of its gradient
        uses[root] = 2
    for i, (p1, p2) in enumerate(zip(plan.parent1, plan.parent2)):
        if p1 >= 0:
            last[p1] = i
            uses[p1] = min(uses[p1] + 1, 2)
            if p2 >= 0:
                last[p2] = i
                uses[p2] = min(uses[p2] + 1, 2)
    plan.single_use = bytearray(count == 1 for count in uses)


def distinct(values: Iterable[Value]) -> list[Value]:
    """values in order, each once."""
    return list(dict.fromkeys(values))
