"""Primitives the tests share, at the top level of a module so that pickle finds them."""
from __future__ import annotations

import math

from autograd_mini import exp, primitive


@primitive(slope=lambda x, out: out * (1.0 - out))
def logistic(x: float) -> float:
    """1 / (1 + e^-x), the lecture's sigmoid."""
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


@primitive(slope=lambda x, out: out)
def my_exp(x: float) -> float:
    """exp, written as a primitive: the table's exp row, digit for digit."""
    return math.exp(x)


@primitive(slopes=(lambda x, y, out: y, lambda x, y, out: x))
def times(x: float, y: float) -> float:
    """x * y, as the table's * computes it."""
    return x * y


@primitive(slope=lambda x, out: 0.5 / out, domain=lambda x: x >= 0, hint="clamp the input")
def root(x: float) -> float:
    """sqrt, with a domain and a hint."""
    return math.sqrt(x)


@primitive(slopes=(lambda x, y, out: x / out, lambda x, y, out: y / out))
def hypot(x: float, y: float) -> float:
    """sqrt(x^2 + y^2)."""
    return math.hypot(x, y)


@primitive(slope=lambda x, out: exp(-x * x) * 2.0 / math.sqrt(math.pi))
def my_erf(x: float) -> float:
    """erf, its slope written with the top-level exp (differentiable again)."""
    return math.erf(x)


@primitive(slope=lambda x, out: 1.0 if x > 0 else 0.1)
def leaky(x: float) -> float:
    """A slope that chooses by x: compile_graph refuses a gradient graph through it."""
    return x if x > 0 else 0.1 * x


@primitive(slope=lambda x, out: 1.0 / out)
def log_no_domain(x: float) -> float:
    """math.log with no domain given: math's refusal becomes a DomainError."""
    return math.log(x)


@primitive(slope=lambda x, out: 2.0 * x)
def square(x: float) -> float:
    """x * x, for overflow: 1e200 squared is beyond a float."""
    return x * x
