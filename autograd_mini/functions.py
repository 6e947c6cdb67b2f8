"""Every function of the op table at the top level: exp(x), tanh(x), leaky_relu(x, 0.2) ...

One function body serves numbers and Values, as torch.exp does: a Value gives a Value
(the op, in the graph), a number gives a float, computed by the same row (so with the
same digits and the same DomainError or FloatOverflowError). `neg` is the operator -x.
"""
from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, Callable, TypeVar, overload

from .engine import Value
from .numeric import to_float
from .opgen import PAIRWISE_LEFT
from .ops import FUNCTIONS, PAIRWISE_BY_NAME, UNARY_BY_NAME, Pairwise, Unary

__all__ = [*FUNCTIONS, "clamp"]

_Number = TypeVar("_Number", float, Value)


def _function(row: Unary) -> Callable[..., Any]:
    """The row's method as a function of a Value or a number."""
    method = getattr(Value, row.method or row.name)
    where = f"{row.name}(x)"

    def function(x: Any, *param: float, **named_param: float) -> Any:
        if x.__class__ is Value:
            return method(x, *param, **named_param)
        # allow_nonfinite: a number gets IEEE's answer (exp(inf) is inf), as math gives
        number = Value(to_float(x, where), allow_nonfinite=True)
        return method(number, *param, **named_param).data

    # what help() and inspect show: x and the row's parameter, as the method has them
    parameters = list(inspect.signature(method).parameters.values())
    function.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [parameters[0].replace(name="x"), *parameters[1:]])
    function.__name__ = function.__qualname__ = row.name
    function.__module__ = "autograd_mini"
    function.__doc__ = f"{method.__doc__} Takes a Value (gives a Value) or a number (a float)."
    return function


def _pairwise(row: Pairwise) -> Callable[[Any, Any], Any]:
    """The row's method as a function of two Values or numbers, a number on either side."""
    method, left, where = getattr(Value, row.name), PAIRWISE_LEFT[row.name], f"{row.name}(x, y)"

    def function(x: Any, y: Any) -> Any:
        if x.__class__ is Value:
            return method(x, y)
        if y.__class__ is Value:
            return left(x, y)
        number = Value(to_float(x, where), allow_nonfinite=True)
        return method(number, Value(to_float(y, where), allow_nonfinite=True)).data

    function.__name__ = function.__qualname__ = row.name
    function.__module__ = "autograd_mini"
    function.__doc__ = (f"{method.__doc__} Takes Values or numbers, a number on either side "
                        "(gives a float when both are numbers).")
    return function


def clamp(x: _Number, min: float | None = None, max: float | None = None) -> _Number:
    """x within [min, max], None meaning unbounded (Value.clamp: clamp_min then clamp_max;
    the gradient passes where min <= x <= max, as PyTorch's). Takes a Value (gives a
    Value) or a number (a float)."""
    if x.__class__ is Value:
        return x.clamp(min, max)
    number = Value(to_float(x, "clamp(x)"), allow_nonfinite=True)
    return number.clamp(min, max).data


if TYPE_CHECKING:  # what the loop below makes, for type checkers and editors
    def abs(x: _Number) -> _Number: ...
    def exp(x: _Number) -> _Number: ...
    def log(x: _Number) -> _Number: ...
    def sqrt(x: _Number) -> _Number: ...
    def log1p(x: _Number) -> _Number: ...
    def expm1(x: _Number) -> _Number: ...
    def sin(x: _Number) -> _Number: ...
    def cos(x: _Number) -> _Number: ...
    def tan(x: _Number) -> _Number: ...
    def atan(x: _Number) -> _Number: ...
    def sinh(x: _Number) -> _Number: ...
    def cosh(x: _Number) -> _Number: ...
    def tanh(x: _Number) -> _Number: ...
    def sigmoid(x: _Number) -> _Number: ...
    def erf(x: _Number) -> _Number: ...
    def erfc(x: _Number) -> _Number: ...
    def relu(x: _Number) -> _Number: ...
    def leaky_relu(x: _Number, slope: float = 0.01) -> _Number: ...
    def clamp_min(x: _Number, min: float = 0.0) -> _Number: ...
    def clamp_max(x: _Number, max: float = 0.0) -> _Number: ...
    def elu(x: _Number, alpha: float = 1.0) -> _Number: ...
    def softplus(x: _Number) -> _Number: ...
    def silu(x: _Number) -> _Number: ...
    def gelu(x: _Number) -> _Number: ...
    @overload
    def maximum(x: float, y: float) -> float: ...
    @overload
    def maximum(x: Value, y: Value | float) -> Value: ...
    @overload
    def maximum(x: float, y: Value) -> Value: ...
    @overload
    def minimum(x: float, y: float) -> float: ...
    @overload
    def minimum(x: Value, y: Value | float) -> Value: ...
    @overload
    def minimum(x: float, y: Value) -> Value: ...
else:
    globals().update({name: _function(UNARY_BY_NAME[name]) for name in FUNCTIONS
                      if name in UNARY_BY_NAME})
    globals().update({name: _pairwise(row) for name, row in PAIRWISE_BY_NAME.items()})
