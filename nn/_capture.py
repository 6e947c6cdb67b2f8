"""What fit and predict compile: a model's graph on one placeholder sample, and the rows
of numbers its programs read."""
from __future__ import annotations

import math
from typing import Any, Callable, Sequence

from autograd_mini import Value

__all__ = ["Capture", "rows_of", "flat"]


def rows_of(samples: list) -> list[list[float]] | None:
    """Each sample's numbers as floats (a number sample as a list of one), or None when
    some sample is not plain finite numbers (eager then says what is wrong with it)."""
    try:  # float() refuses a Value (TypeError), as it refuses a string
        rows = [list(map(float, sample if isinstance(sample, list) else [sample]))
                for sample in samples]
    except (OverflowError, TypeError, ValueError):
        return None
    total = sum(map(sum, rows))  # finite when every number is (or inf when large ones add up)
    if not math.isfinite(total) and not all(map(math.isfinite, flat(rows))):
        return None
    return rows


class Capture:
    """The model's graph on one placeholder sample, from which programs are compiled: its
    outputs, and the leaves below them (the parameters: the programs' inputs)."""

    def __init__(self, placeholders: list[Value], outputs: list[Value], width: int | None,
                 inputs: list[Value], carried: list[Value]) -> None:
        self.placeholders, self.outputs, self.width = placeholders, outputs, width
        self.inputs = inputs
        # inputs that the sample reads more than once; `carries` seed their running sums
        # in a replay per sample (_per_sample.py)
        self.carried = carried
        self.carries = [p + 0.0 for p in carried]

    @classmethod
    def of(cls, model: Callable, row: list[float], scalar: bool) -> Capture | None:
        """The model called on placeholders holding this row (rows_of's; a number when
        `scalar`), so that the graph is at least right for it; None when the model does not
        return Values."""
        placeholders = [Value(x) for x in row]
        output = model(placeholders[0] if scalar else placeholders)
        outputs = output if isinstance(output, list) else [output]
        if not all(isinstance(value, Value) for value in outputs):
            return None
        leaves, reads = _leaves(outputs, set(placeholders))
        carried = [leaf for leaf in leaves if reads[leaf] > 1]
        return cls(placeholders, outputs, len(outputs) if isinstance(output, list) else None,
                   leaves, carried)

    def takes(self, rows: list[list[float]]) -> bool:
        """Whether these rows fit the placeholders (each sample as wide as captured)."""
        width = len(self.placeholders)
        return all(len(row) == width for row in rows)

    def load(self, row: list[float]) -> None:
        """Put this row into the placeholders."""
        for placeholder, x in zip(self.placeholders, row):
            placeholder.data = x

    def leaves(self, values: Sequence[float], order: Sequence[int],
               allow_nonfinite: bool = False) -> list[Value]:
        """One sample's outputs, given in `order` (a program's; values past it, a program's
        carries, are left out), as fresh leaves in the model's order."""
        found = [0.0] * len(order)
        for k, x in zip(order, values):
            found[k] = x
        return [Value(x, allow_nonfinite=allow_nonfinite) for x in found]

    def shaped(self, values: list) -> Any:
        """One sample's outputs as the model returns them: a Value, or a list."""
        return values[0] if self.width is None else values


def flat(predictions: list) -> list:
    """Predictions (a number or a list each) as one list."""
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
