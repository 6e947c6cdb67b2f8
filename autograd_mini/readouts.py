"""How a Value reads as a number: data and grad (checked when assigned), item, format,
comparisons, and the hints for the ways out of the graph (float(v), int(v), round(v)).

Value derives from Readouts (a base with no slots of its own), so that engine.py keeps to
the graph: the node, its operators and backward.
"""
from __future__ import annotations

import operator
from numbers import Real
from typing import TYPE_CHECKING, Any, Callable

from .backprop import NO_GRADIENT

if TYPE_CHECKING:
    from .engine import Value

__all__ = ["Readouts"]


def _leaves_the_graph(what: str) -> TypeError:
    return TypeError(f"{what} would silently leave the graph (as math.exp(v) and math.sqrt(v) "
                     "do): use v.item() or v.data for the number, f'{v:.2f}' to format it, or "
                     "v.exp(), v.sqrt() ... to stay in the graph")


def _compared(other: object) -> object:
    """What to compare a Value's number with, or None for what comparisons do not handle.

    Plain numbers are compared as they are: Python compares floats with ints exactly,
    and infinity is a fine bound (`loss < math.inf`).
    """
    if isinstance(other, Readouts):
        return other._data
    return other if isinstance(other, Real) else None


def _comparison(compare: Callable[[float, object], bool]) -> Callable:
    """A comparison method: compare(self._data, the other's number)."""
    def method(self: Any, other: object) -> bool:
        b = _compared(other)
        return NotImplemented if b is None else compare(self._data, b)
    return method


class Readouts:
    """Value's number and gradient as Python and PyTorch users read and assign them."""

    __slots__ = ()
    _data: float
    _grad: Any
    _extra: Any
    label: str

    @property
    def allows_nonfinite(self) -> bool:
        """Whether this Value was made with allow_nonfinite=True (then .data and .grad may
        be assigned NaN or infinity)."""
        extra = getattr(self, "_extra", None)
        return extra.__class__ is tuple and len(extra) == 3

    @property
    def data(self) -> float:
        """The number this node holds; assignable (optimizers do), checked when assigned."""
        return self._data

    @data.setter
    def data(self, number: float) -> None:
        # a finite float, what optimizers assign at every step, is taken at once
        if number.__class__ is float and number - number == 0.0:
            self._data = number
        else:
            self._data = self._checked(number, "data")

    @property
    def grad(self) -> float | Value | None:
        """d(root)/d(self) summed over backward passes; None after `x.grad = None` until
        the next backward sets it (PyTorch's set_to_none)."""
        grad = self._grad
        return None if grad is NO_GRADIENT else grad

    @grad.setter
    def grad(self, gradient: float | Value | None) -> None:
        if gradient.__class__ is float and gradient - gradient == 0.0:  # zero_grad's 0.0
            self._grad = gradient
        elif gradient is None:
            self._grad = NO_GRADIENT
        elif isinstance(gradient, Readouts):  # a Value, as create_graph leaves it
            self._grad = gradient
        else:
            self._grad = self._checked(gradient, "grad")

    @grad.deleter
    def grad(self) -> None:
        self._grad = NO_GRADIENT

    def _checked(self, number: object, field: str) -> float:
        """number as a float for .data or .grad, or the error naming this Value."""
        name = f"Value {self.label!r}" if self.label else "a Value"
        if number.__class__ is not float:
            if number.__class__ is bool or not isinstance(number, Real):
                raise TypeError(f"{name}.{field} = {number!r}: a {type(number).__name__} is "
                                f"not a number; assign an int or a float")
            number = float(number)
        if number - number and not self.allows_nonfinite:  # nonzero only for inf and NaN
            raise ValueError(f"{name}.{field} = {number!r}: NaN and infinity are refused because "
                             "they silently poison every gradient; make the Value with "
                             "allow_nonfinite=True if you mean it")
        return number

    def item(self) -> float:
        """The number this Value holds (its .data)."""
        return self._data

    def detach(self) -> Value:
        """A new leaf with the same data, outside this graph."""
        return self.__class__(self._data, allow_nonfinite=True)  # type: ignore[call-arg]

    def __format__(self, spec: str) -> str:
        return format(self._data, spec) if spec else repr(self)

    def __float__(self) -> float:
        raise _leaves_the_graph("float(Value) and '%f' % Value")

    def __int__(self) -> int:
        raise _leaves_the_graph("int(Value)")

    def __round__(self, ndigits: int | None = None) -> float:
        raise _leaves_the_graph("round(Value)")

    def __bool__(self) -> bool:
        raise TypeError("the truth of a Value is ambiguous: compare it (v > 0) or test its "
                        "number (v.item() != 0); use v.exp(), v.relu() ... to stay in the graph")

    # Comparisons compare the numbers, with a number or a Value on either side, so that
    # max(a, b), sorted() and `if a > 0:` work; == stays identity, so Values hash.
    __lt__, __le__, __gt__, __ge__ = map(_comparison, (operator.lt, operator.le, operator.gt,
                                                       operator.ge))
    __eq__ = object.__eq__
    __hash__ = object.__hash__
