"""An allowed infinity gives the IEEE result, as PyTorch does, never a bare math error."""
from __future__ import annotations

import math

import pytest

from autograd_mini import Value, compile_graph

INF = math.inf


@pytest.mark.parametrize("op", ["sin", "cos", "tan"])
@pytest.mark.parametrize("x", [INF, -INF])
def test_periodic_functions_of_an_allowed_infinity_are_nan(op, x):
    leaf = Value(x, allow_nonfinite=True)
    out = getattr(leaf, op)()
    assert math.isnan(out.data) and math.isnan(out.local_grads[0])
    out.backward(allow_nonfinite=True)
    assert math.isnan(leaf.grad)


def test_the_compiled_replay_gives_the_same_nan():
    leaf = Value(1.0, allow_nonfinite=True)
    compiled = compile_graph(leaf.sin() * 2.0, [leaf])
    leaf.data = INF
    assert math.isnan(compiled.forward())
