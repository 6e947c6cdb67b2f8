"""Module, the base class that finds the Values and Modules its attributes hold, and Neuron,
Layer and MLP: scalar networks whose parameters are autograd_mini Values (Linear, Sequential
and the activation modules are in layers.py and activations.py)."""
from __future__ import annotations

import math
import random
from operator import mul
from typing import Any, Callable, Sequence, TypeVar, Union, cast

from autograd_mini import Value
from autograd_mini.ops import ACTIVATIONS
from autograd_mini.primitives import UnaryPrimitive
from nn._checks import (as_list, check_activation, check_instance, check_int, check_seed, plain,
                        short_repr, some_names)
from nn._discovery import (Tensor, held_parts, label_assigned, named_values, place, tree,
                           visiting)
from nn._discovery import collect as _collect
from nn._discovery import flatten as _flatten
from nn._discovery import to_floats as _to_floats
from nn._inputs import Input, Number, as_inputs, weight_rng

Shapes = dict[str, tuple[int, ...]]
# A name of ACTIVATIONS ("tanh", "relu", "linear", ...) or a one-operand @primitive.
Activation = Union[str, UnaryPrimitive]

M = TypeVar("M", bound="Module")

# Initialised He-style (variance 2/nin): the ones that pass positive inputs unchanged. A
# primitive gets LeCun's 1/nin: nothing tells us how it treats positive inputs.
_RELU_LIKE = ("relu", "leaky_relu", "elu", "softplus", "silu", "gelu")
# The attributes whose parameters Neuron, Layer and MLP name themselves ("weight",
# "layers.0.bias"); any other a subclass adds is found as in a Module of your own.
_NEURON_PARTS = frozenset({"w", "b"})
_LAYER_PARTS = frozenset({"neurons"})
_MLP_PARTS = frozenset({"layers"})


def _forward_undefined(self: Module, *args: Any, **kwargs: Any) -> Any:
    """The module's computation for one input: define it in a subclass (calling the
    module runs it), as in PyTorch; or define __call__, as in micrograd."""
    raise NotImplementedError(f"{type(self).__name__} defines neither forward(x) nor __call__(x): "
                              f"define forward(x), which calling the module runs, as in PyTorch")


class Module:
    """Base class, as PyTorch's: the Values and Modules a subclass holds as attributes (in
    lists, tuples and dicts too) are its parameters and submodules, found in assignment
    order. A subclass defines forward(x), which calling it runs, or __call__. Every Value
    held so is a parameter: keep a number that is not one as a float."""

    # True when a call builds the same graph for every input (no Python `if` on a value),
    # so that fit compiles the model by default. Read from the class's own body, never
    # inherited: a subclass may change the forward pass, so it declares this again.
    static_graph: bool = False

    def __init__(self) -> None:
        """Nothing to set up: parts are found among the attributes whenever asked for, so
        a subclass that forgets to call super().__init__() works as well."""

    def __setattr__(self, name: str, value: Any) -> None:
        label_assigned(name, value, Module)  # draw_dot's labels: decided once, here
        object.__setattr__(self, name, value)

    # Typed as any callable, as PyTorch's, so that a subclass's forward may take anything.
    forward: Callable[..., Any] = _forward_undefined

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """What the subclass's forward(x) returns for this call."""
        return self.forward(*args, **kwargs)

    def named_tensors(self) -> dict[str, Tensor]:
        """The parameters by dotted name ("hidden.weight", "scale"), each a Value or a nested
        list of Values, in assignment order: what state_dict saves. Neuron, Layer and MLP
        override it with their own names; a class of yours may too."""
        return self._found_tensors()

    def _found_tensors(self, covered: frozenset[str] = frozenset()) -> dict[str, Tensor]:
        """named_tensors of the attributes other than `covered`, those that a built-in names
        itself: what a subclass of it adds."""
        tensors: dict[str, Tensor] = {}
        with visiting(self) as cycle:
            for name, part in [] if cycle else held_parts(self, Module, covered):
                if isinstance(part, Module):
                    tensors.update((f"{name}.{key}", tensor)
                                   for key, tensor in part.named_tensors().items())
                else:
                    tensors[name] = part
        return tensors

    def config(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this architecture (override this)."""
        return {}

    @classmethod
    def parameter_shapes(cls, config: dict[str, Any]) -> Shapes | None:
        """The shape of each parameter named in named_tensors() that the class builds from
        `config` (as config() returns it), checked as the constructor checks it; None when
        the class does not say (override this: load then checks a file against it before
        building anything)."""
        return None

    def parameters(self) -> list[Value]:
        """Every parameter Value, in a fixed order; one held twice (a tied weight) once."""
        values = [value for tensor in self.named_tensors().values()
                  for value in _flatten(tensor)]
        if len(set(map(id, values))) == len(values):
            return values
        return list({id(value): value for value in values}.values())

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(dotted name, Value) for each of parameters(): "hidden.weight.3.1" is row 3,
        column 1 of the weight of the attribute `hidden`."""
        named: dict[int, tuple[str, Value]] = {}
        for name, tensor in self.named_tensors().items():
            for value_name, value in named_values(name, tensor):
                named.setdefault(id(value), (value_name, value))
        return list(named.values())

    def named_modules(self) -> list[tuple[str, Module]]:
        """This module (named "") and every module inside it, each once, by dotted name,
        depth first in assignment order, as PyTorch's."""
        found: list[tuple[str, Module]] = []
        seen: set[int] = set()
        pending: list[tuple[str, Module]] = [("", self)]
        while pending:
            name, module = pending.pop()
            if id(module) not in seen:
                seen.add(id(module))
                found.append((name, module))
                prefix = f"{name}." if name else ""
                pending.extend((prefix + child_name, child)
                               for child_name, child in reversed(module._children()))
        return found

    def modules(self) -> list[Module]:
        """This module and every module inside it, each once, as named_modules orders them."""
        return [module for _, module in self.named_modules()]

    def _children(self) -> list[tuple[str, Module]]:
        return [(name, part) for name, part in held_parts(self, Module)
                if isinstance(part, Module)]

    def weights(self) -> list[Value]:
        """The parameters that are weights (not biases): what L2 regularisation penalises."""
        return [value for name, tensor in self.named_tensors().items()
                if name.endswith("weight") for value in _flatten(tensor)]

    def zero_grad(self, set_to_none: bool = False) -> None:
        """Set the gradient of every parameter to 0, or to None with set_to_none=True (as
        PyTorch's: an optimizer then skips a parameter the next backward does not reach)."""
        cleared = None if set_to_none else 0.0
        for p in self.parameters():
            p.grad = cleared

    def __repr__(self) -> str:
        with visiting(self) as cycle:  # a module held by one it holds shows as Name(...)
            return f"{type(self).__name__}(...)" if cycle else tree(type(self).__name__,
                                                                    self._children())

    def state_dict(self) -> dict[str, Any]:
        """Parameter values as plain floats (nested lists), keyed by name as in PyTorch."""
        return {name: _to_floats(tensor) for name, tensor in self.named_tensors().items()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Copy values from `state` into the parameters. Every key, shape and number is checked
        first (finite, not a bool; errors name the parameter), so a bad state changes nothing."""
        check_instance(state, "load_state_dict: state", dict,
                       "a dict of parameter lists such as model.state_dict()")
        tensors = self.named_tensors()
        missing = [k for k in tensors if k not in state]
        unexpected = [k for k in state if k not in tensors]
        if missing or unexpected:
            raise ValueError(f"load_state_dict: state does not match {self.describe()}: "
                             f"missing keys {some_names(missing)}, "
                             f"unexpected keys {some_names(unexpected)}")
        pairs: list[tuple[Value, float]] = []
        for name, tensor in tensors.items():
            _collect(tensor, state[name], name, pairs)
        for p, number in pairs:  # only once everything has been checked
            p.data = number

    def save(self, path: str) -> None:
        """Write architecture and exact parameters to a JSON file, atomically (an
        activation of your own by its name: define it at the top level of a module)."""
        from nn.serialization import save_module
        save_module(self, path)

    @classmethod
    def load(cls: type[M], path: str) -> M:
        """Rebuild a module saved by `save`; raises a clear error for a bad file. Import the
        modules that define its activations of your own first: loading imports nothing."""
        from nn.serialization import load_module
        return cast(M, load_module(cls, path))

    def describe(self) -> str:
        """A one-line summary such as `MLP(2 -> 16 -> 1)`."""
        return type(self).__name__

    def predict(self, X: Any) -> list:
        """The output for each sample of X (a list or array): a float, or a list of floats
        for several outputs; builds no graph (compiled when the class is static_graph)."""
        from nn.prediction import predict
        return predict(self, X)


class Neuron(Module):
    """activation(w . x + b) for `nin` inputs; weights uniform with variance scaled by fan-in."""

    static_graph = True  # relu and friends decide their branch inside the op, at every run

    def __init__(self, nin: int, activation: Activation = "tanh", seed: int | None = None,
                 *, rng: random.Random | None = None) -> None:
        self.nin = nin = check_int(nin, "Neuron nin", 1)
        self.activation = activation = _check_activation(activation, "Neuron activation")
        rng = weight_rng(seed, rng, "Neuron")
        # LeCun (variance 1/nin) for saturating units and primitives, He (2/nin) for relu:
        # a uniform draw on [-a, a] has variance a*a/3.
        relu_like = isinstance(activation, str) and activation in _RELU_LIKE
        bound = math.sqrt((6.0 if relu_like else 3.0) / nin)
        self.w = [Value(rng.uniform(-bound, bound), label=f"w{i}") for i in range(nin)]
        self.b = Value(0.0, label="b")
        self._act: Callable[[Value], Value] | None
        if isinstance(activation, str):
            self._act = None if activation == "linear" else getattr(Value, activation)
        else:
            self._act = activation  # a primitive: called on a Value, it makes its node

    def __call__(self, x: Input) -> Value:
        """The neuron's output Value for one input sample."""
        return self._forward(as_inputs(x, self.nin, self.describe()))

    def _forward(self, x: Sequence[Number | Value]) -> Value:
        total = sum(map(mul, self.w, x), self.b)
        return total if self._act is None else self._act(total)

    def named_tensors(self) -> dict[str, Tensor]:
        return {"weight": self.w, "bias": self.b, **self._found_tensors(_NEURON_PARTS)}

    def config(self) -> dict[str, Any]:
        return {"nin": self.nin, "activation": self.activation}

    @classmethod
    def parameter_shapes(cls, config: dict[str, Any]) -> Shapes:
        _check_activations(config, "Neuron", "activation")
        nin = check_int(config["nin"], "Neuron nin", 1)
        return {"weight": (nin,), "bias": ()}

    def describe(self) -> str:
        return f"Neuron({self.nin} inputs, {_activation_name(self.activation)})"

    __repr__ = describe


class Layer(Module):
    """`nout` neurons reading the same `nin` inputs; calling it returns a list of `nout` Values."""

    static_graph = True

    def __init__(self, nin: int, nout: int, activation: Activation = "tanh",
                 seed: int | None = None, *, rng: random.Random | None = None) -> None:
        nin, nout = check_int(nin, "Layer nin", 1), check_int(nout, "Layer nout", 1)
        _check_activation(activation, "Layer activation")
        rng = weight_rng(seed, rng, "Layer")
        neurons = [Neuron(nin, activation, rng=rng) for _ in range(nout)]
        for j, neuron in enumerate(neurons):
            place(neuron, f"N{j}.")  # N2.w1: neuron, input; before assigning, which would
        self.neurons = neurons        # label them by the attribute's name (neurons.2.)
        self.nin, self.nout, self.activation = nin, nout, activation

    def __call__(self, x: Input) -> list[Value]:
        """The list of the layer's outputs for one input sample (a list even for one unit)."""
        return self._forward(as_inputs(x, self.nin, self.describe()))

    def _forward(self, x: Sequence[Number | Value]) -> list[Value]:
        return [neuron._forward(x) for neuron in self.neurons]

    def named_tensors(self) -> dict[str, Tensor]:
        return {"weight": [n.w for n in self.neurons], "bias": [n.b for n in self.neurons],
                **self._found_tensors(_LAYER_PARTS)}

    def config(self) -> dict[str, Any]:
        return {"nin": self.nin, "nout": self.nout, "activation": self.activation}

    @classmethod
    def parameter_shapes(cls, config: dict[str, Any]) -> Shapes:
        _check_activations(config, "Layer", "activation")
        nin = check_int(config["nin"], "Layer nin", 1)
        nout = check_int(config["nout"], "Layer nout", 1)
        return {"weight": (nout, nin), "bias": (nout,)}

    def describe(self) -> str:
        return f"Layer({self.nin} -> {self.nout}, {_activation_name(self.activation)})"

    __repr__ = describe


class MLP(Module):
    """Layers of sizes `nouts` after `nin` inputs; hidden layers use `activation`, the last
    `output_activation` (linear by default), each a name of ACTIVATIONS or a one-operand
    @primitive. Equal seeds give equal models."""

    static_graph = True

    def __init__(self, nin: int, nouts: Sequence[int], activation: Activation = "tanh",
                 seed: int | None = None, output_activation: Activation = "linear") -> None:
        nin = check_int(nin, "MLP nin", 1)
        nouts = _layer_sizes(nouts)
        _check_activation(activation, "MLP activation")
        _check_activation(output_activation, "MLP output_activation")
        rng = random.Random(check_seed(seed, "MLP seed"))  # private: no global state touched
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        layers = [Layer(sizes[i], sizes[i + 1],
                        output_activation if i == last else activation, rng=rng)
                  for i in range(len(nouts))]
        for i, layer in enumerate(layers):
            place(layer, f"L{i}.")  # L0.N2.w1: layer, neuron, input (as layers.0)
        self.layers = layers
        self.nin, self.nouts = nin, list(nouts)
        self.activation, self.output_activation = activation, output_activation

    def __call__(self, x: Input) -> Value | list[Value]:
        """One Value when the last layer has one unit, else a list of Values."""
        x = as_inputs(x, self.nin, self.describe())
        for layer in self.layers:
            x = layer._forward(x)
        return x[0] if len(x) == 1 else x

    def named_tensors(self) -> dict[str, Tensor]:
        tensors = {f"layers.{i}.{name}": tensor for i, layer in enumerate(self.layers)
                   for name, tensor in layer.named_tensors().items()}
        return {**tensors, **self._found_tensors(_MLP_PARTS)}

    def config(self) -> dict[str, Any]:
        return {"nin": self.nin, "nouts": list(self.nouts), "activation": self.activation,
                "output_activation": self.output_activation}

    @classmethod
    def parameter_shapes(cls, config: dict[str, Any]) -> Shapes:
        _check_activations(config, "MLP", "activation", "output_activation")
        sizes = [check_int(config["nin"], "MLP nin", 1), *_layer_sizes(config["nouts"])]
        shapes: Shapes = {}
        for i, (fan_in, units) in enumerate(zip(sizes, sizes[1:])):
            shapes[f"layers.{i}.weight"] = (units, fan_in)
            shapes[f"layers.{i}.bias"] = (units,)
        return shapes

    def describe(self) -> str:
        return f"MLP({' -> '.join(str(s) for s in [self.nin, *self.nouts])})"

    def __repr__(self) -> str:
        lines = [f"{self.describe()[:-1]}, {len(self.parameters())} parameters)"]
        lines += [f"  ({i}) {layer!r}" for i, layer in enumerate(self.layers)]
        return "\n".join(lines)


def declares_static_graph(model: object) -> bool:
    """True when the class of `model` declares in its own body that its graph does not
    depend on its input (`static_graph = True`, or a property saying so for this instance,
    as Sequential's): fit then compiles it by default. Never inherited: a subclass may
    change the forward pass, so it declares this again."""
    return "static_graph" in vars(type(model)) and getattr(model, "static_graph") is True


def _layer_sizes(nouts: Any) -> list[int]:
    """`nouts` as a list of ints >= 1 (a numpy array of them too)."""
    expected = "a non-empty list of layer sizes such as [16, 16, 1]"
    nouts = plain(nouts)
    sizes = as_list(nouts, "MLP nouts", expected)
    if not sizes:
        raise ValueError(f"MLP nouts must be {expected}, got {short_repr(nouts)}")
    return [check_int(size, f"MLP nouts[{i}]", 1) for i, size in enumerate(sizes)]


def _check_activation(activation: Any, what: str) -> Activation:
    return check_activation(activation, what, ACTIVATIONS)


def _activation_name(activation: Activation) -> str:
    """How a module shows its activation: its name, a primitive's as its graphs' ops do."""
    return activation if isinstance(activation, str) else activation.__name__


def _check_activations(config: dict[str, Any], owner: str, *keys: str) -> None:
    for key in keys:
        if key in config:  # else the constructor's default
            _check_activation(config[key], f"{owner} {key}")
