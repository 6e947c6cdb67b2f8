"""PyPI micrograd 0.1.0 as a reference, with the tanh it lacks added in its own style.

The installed package is not modified: `tanh` is set on its `Value` class at import
time, written as micrograd writes every op (a closure `_backward` stored on `out`,
which is the reference cycle that hands every graph to the cyclic collector). It
uses math.tanh rather than a formula of exps, so its values match the others'
exactly and it is not slowed down.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

try:
    from micrograd.engine import Value
    from micrograd.nn import MLP
except ImportError:  # the optional `bench` extra
    Value = None  # type: ignore[assignment,misc]
    MLP = None  # type: ignore[assignment,misc]

AVAILABLE = Value is not None


def _tanh(self: Any) -> Any:
    t = math.tanh(self.data)
    out = Value(t, (self,), "tanh")

    def _backward() -> None:
        self.grad += (1 - t ** 2) * out.grad
    out._backward = _backward

    return out


if AVAILABLE and not hasattr(Value, "tanh"):
    Value.tanh = _tanh


def make_mlp(params: Sequence[float], sizes: Sequence[int]) -> Any:
    """A micrograd MLP (ReLU hidden layers, linear last) holding the given parameters."""
    model = MLP(sizes[0], list(sizes[1:]))
    model_params = model.parameters()
    assert len(model_params) == len(params)
    for p, value in zip(model_params, params):
        p.data = value
    return model


def wrap_input(row: Sequence[float]) -> list[Any]:
    """One input row as Values, as micrograd's demo does at every step."""
    return list(map(Value, row))


def parents(node: Any) -> Any:
    """The nodes a micrograd Value was computed from."""
    return node._prev
