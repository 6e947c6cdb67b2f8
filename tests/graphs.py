"""Small example graphs shared by the tests of explain() and the step player."""
from __future__ import annotations

from autograd_mini import Value


def fan_out() -> tuple[Value, Value, Value, Value, Value]:
    """(out, a, b, c, d): a feeds c = a * b and d = a + 1; out = c * d, so a's gradient
    adds two paths. Nothing is backpropagated yet."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    d = a + 1
    d.label = "d"
    out = c * d
    out.label = "out"
    return out, a, b, c, d
