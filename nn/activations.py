"""One module per activation of the op table (autograd_mini.ops.ACTIVATIONS), named as
PyTorch names them: Tanh(), ReLU(), LeakyReLU(negative_slope=0.01), ... Each applies its op
to a Value, or to each Value of a list (numbers are taken as Values); "linear" is Identity.
"""
from __future__ import annotations

from typing import Any, Callable, ClassVar, Sequence, Union, overload

from autograd_mini import Value
from nn._checks import check_number, check_real, plain
from nn.modules import Module, Shapes

__all__ = ["Tanh", "Sigmoid", "ReLU", "LeakyReLU", "ELU", "Softplus", "SiLU", "GELU",
           "Identity", "ACTIVATION_MODULES"]

Activated = Union[Value, list[Value]]


class _Activation(Module):
    """An activation applied to each Value it is given, alone or in a list."""

    op: ClassVar[str]  # the row of the op table, or "linear"

    @overload
    def __call__(self, x: Value | float) -> Value: ...

    @overload
    def __call__(self, x: Sequence[Value | float]) -> list[Value]: ...

    def __call__(self, x: Any) -> Activated:
        """forward(x), typed: a Value for a Value or number, a list for a list."""
        return self.forward(x)

    def forward(self, x: Any) -> Activated:
        """The activation of x, a Value (or number), or of each item of a list of them."""
        x = plain(x)  # a numpy array as the list it holds
        if isinstance(x, (list, tuple)):
            return [self._apply(self._value(item, f"[{i}]")) for i, item in enumerate(x)]
        return self._apply(self._value(x, ""))

    def _apply(self, x: Value) -> Value:
        return _METHODS[self.op](x)

    def _value(self, x: Any, where: str) -> Value:
        if isinstance(x, Value):
            return x
        if isinstance(x, (list, tuple)):
            raise TypeError(f"{self.describe()} input{where} is a {type(x).__name__}, not a "
                            f"number: pass a Value, or a flat list of Values")
        return Value(check_real(x, f"{self.describe()} input{where}", bools=True))

    def config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def parameter_shapes(cls, config: dict[str, Any]) -> Shapes:
        return {}  # no parameters

    def describe(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.config().items())
        return f"{type(self).__name__}({arguments})"

    __repr__ = describe


class Tanh(_Activation):
    """tanh(x) of each input, as PyTorch's nn.Tanh."""

    op = "tanh"
    static_graph = True


class Sigmoid(_Activation):
    """sigmoid(x) = 1/(1 + e^-x) of each input, as PyTorch's nn.Sigmoid."""

    op = "sigmoid"
    static_graph = True


class ReLU(_Activation):
    """max(x, 0) of each input, as PyTorch's nn.ReLU."""

    op = "relu"
    static_graph = True  # the op decides its branch at every run, compiled too


class _OneParameter(_Activation):
    """An activation with one number, kept on its op's nodes (leaky_relu's slope, elu's
    alpha): applied, saved and checked by its name."""

    parameter: ClassVar[str]  # its keyword, as PyTorch spells it
    default: ClassVar[float]

    def _apply(self, x: Value) -> Value:
        method: Callable[[float], Value] = getattr(x, self.op)
        return method(getattr(self, self.parameter))

    def config(self) -> dict[str, Any]:
        return {self.parameter: getattr(self, self.parameter)}

    @classmethod
    def parameter_shapes(cls, config: dict[str, Any]) -> Shapes:
        check_number(config.get(cls.parameter, cls.default), f"{cls.__name__} {cls.parameter}")
        return {}


class LeakyReLU(_OneParameter):
    """x for x > 0, else negative_slope * x, of each input, as PyTorch's nn.LeakyReLU."""

    op, parameter, default = "leaky_relu", "negative_slope", 0.01
    static_graph = True

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = check_number(negative_slope, "LeakyReLU negative_slope")


class ELU(_OneParameter):
    """x for x > 0, else alpha (e^x - 1), of each input, as PyTorch's nn.ELU."""

    op, parameter, default = "elu", "alpha", 1.0
    static_graph = True

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = check_number(alpha, "ELU alpha")


class Softplus(_Activation):
    """log(1 + e^x) of each input, never overflowing, as PyTorch's nn.Softplus (beta 1)."""

    op = "softplus"
    static_graph = True


class SiLU(_Activation):
    """x sigmoid(x) of each input (swish), as PyTorch's nn.SiLU."""

    op = "silu"
    static_graph = True


class GELU(_Activation):
    """x Phi(x) of each input, Phi the normal distribution function (exact, not the tanh
    approximation), as PyTorch's nn.GELU()."""

    op = "gelu"
    static_graph = True


class Identity(_Activation):
    """Each input as it is (numbers as Values): the "linear" activation, as nn.Identity."""

    op = "linear"
    static_graph = True

    def _apply(self, x: Value) -> Value:
        return x


# The module class of each name of ACTIVATIONS; tests check that every row has one.
ACTIVATION_MODULES: dict[str, type[_Activation]] = {
    cls.op: cls for cls in (Tanh, Sigmoid, ReLU, LeakyReLU, ELU, Softplus, SiLU, GELU, Identity)}

# The ops as plain functions, looked up once: calling one is calling the Value method.
_METHODS: dict[str, Callable[[Value], Value]] = {
    name: getattr(Value, name) for name in ACTIVATION_MODULES if name != "linear"}
