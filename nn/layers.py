"""Linear and Sequential: the pieces PyTorch users compose, per sample.

    model = Sequential(Linear(2, 16), Tanh(), Linear(16, 1))

computes what MLP(2, [16, 1]) computes, bit for bit, for the same weights: Linear adds up
w . x + b in the order a Neuron does.
"""
from __future__ import annotations

import math
import random
from operator import mul
from typing import Any, Iterator, overload

from autograd_mini import Value
from nn._checks import check_instance, check_int
from nn._inputs import Input, as_inputs, weight_rng
from nn.modules import Module, Shapes, declares_static_graph

__all__ = ["Linear", "Sequential"]


class Linear(Module):
    """w . x + b for each of `nout` units reading `nin` inputs: a list of `nout` Values, one
    Value when `nout` is 1 (as MLP). Drawn as Layer(nin, nout, "linear") draws its weights
    (uniform, variance 1/nin; equal seeds give equal weights), biases 0. Its parameters are
    `weight` (nout rows of nin) and `bias`, as PyTorch's nn.Linear."""

    static_graph = True

    def __init__(self, nin: int, nout: int, seed: int | None = None, *,
                 rng: random.Random | None = None) -> None:
        self.nin = nin = check_int(nin, "Linear nin", 1)
        self.nout = nout = check_int(nout, "Linear nout", 1)
        rng = weight_rng(seed, rng, "Linear")
        bound = math.sqrt(3.0 / nin)  # a uniform draw on [-a, a] has variance a*a/3
        # labelled as a Layer's ("N2.w1": unit 2, input 1), so graphs read alike
        self.weight = [[Value(rng.uniform(-bound, bound), label=f"N{j}.w{i}")
                        for i in range(nin)] for j in range(nout)]
        self.bias = [Value(0.0, label=f"N{j}.b") for j in range(nout)]

    def forward(self, x: Input) -> Value | list[Value]:
        """The units' outputs for one input sample: a Value when there is one unit."""
        x = as_inputs(x, self.nin, self.describe())
        out = [sum(map(mul, row, x), b) for row, b in zip(self.weight, self.bias)]
        return out[0] if len(out) == 1 else out

    def config(self) -> dict[str, Any]:
        return {"nin": self.nin, "nout": self.nout}

    @classmethod
    def parameter_shapes(cls, config: dict[str, Any]) -> Shapes:
        nin = check_int(config["nin"], "Linear nin", 1)
        nout = check_int(config["nout"], "Linear nout", 1)
        return {"weight": (nout, nin), "bias": (nout,)}

    def describe(self) -> str:
        return f"{type(self).__name__}({self.nin} -> {self.nout})"

    __repr__ = describe


class Sequential(Module):
    """Its modules applied in turn, each to what the one before returned, as PyTorch's:
    indexable (a slice is a Sequential of the same modules), sized and iterable. The
    modules are its attributes "0", "1", ..., so their parameters are "0.weight", ..."""

    def __init__(self, *modules: Module) -> None:
        for i, module in enumerate(modules):
            check_instance(module, f"Sequential module {i}", Module,
                           "a Module such as nn.Linear(2, 16) or nn.Tanh()")
            setattr(self, str(i), module)
        self._size = len(modules)

    @property
    def static_graph(self) -> bool:  # type: ignore[override]  # read-only: it follows the modules
        """True when every module declares a static graph: then so does the chain."""
        return all(declares_static_graph(module) for module in self)

    def forward(self, x: Any) -> Any:
        """What the last module returns; the input itself when there are no modules."""
        for module in self:
            x = module(x)
        return x

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Module]:
        held = vars(self)
        return iter([held[str(i)] for i in range(self._size)])

    @overload
    def __getitem__(self, index: int) -> Module: ...

    @overload
    def __getitem__(self, index: slice) -> Sequential: ...

    def __getitem__(self, index: int | slice) -> Module | Sequential:
        modules = list(self)
        if isinstance(index, slice):
            return Sequential(*modules[index])
        try:
            return modules[index]
        except IndexError:
            raise IndexError(f"Sequential index {index} is out of range for its "
                             f"{len(modules)} modules") from None

    def describe(self) -> str:
        return f"Sequential({', '.join(module.describe() for module in self)})"
