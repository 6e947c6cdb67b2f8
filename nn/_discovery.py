"""How a Module finds what it holds, as PyTorch's do: Values, Modules, and lists, tuples and
dicts of them kept as attributes, in assignment order (an instance's __dict__ keeps that
order), under dotted names: "hidden.weight", "blocks.0", "heads.left".

Nothing is registered: each question walks the attributes again, so a subclass that forgets
super().__init__(), or fills a list after assigning it, is still answered right. A list or
tuple of Values (nested lists of them too) is one tensor, a state_dict entry, as Neuron's
weights are; any other list, tuple or dict is a container whose items are named by index or
key. The Module class is passed in (`kind`): nn.modules imports this file.

Labels, which draw_dot shows, are decided once, when a part is assigned: a Value without a
label takes its name, and a Module assigned to an attribute has its parameters' labels
prefixed with that name ("hidden.N3.w1"), as MLP prefixes its layers' ("L0.N3.w1").

Also here: tensors flattened, read as floats, and paired with the numbers of a state.
"""
from __future__ import annotations

import math
import threading
from contextlib import contextmanager
from typing import Any, Iterator, Union

from autograd_mini import Value
from nn._checks import check_instance, check_number, plain

# A parameter "tensor": one Value, or a (nested) list or tuple of them.
Tensor = Union[Value, list[Any], tuple[Any, ...]]

# Set on a module whose parameters' labels already say where it lives in its first owner;
# a second owner (an alias, a tied layer, a slice of a Sequential) leaves them as they are.
PLACED = "_labels_placed"
# Kinds of attribute that hold no parameters: skipped at once by assignment and discovery.
_PLAIN = frozenset({int, float, str, bool, type(None)})

_INF = math.inf

_walking = threading.local()


def held_parts(owner: object, kind: type,
               skip: frozenset[str] = frozenset()) -> Iterator[tuple[str, Any]]:
    """(dotted name, tensor or module) for each Value tensor and each `kind` instance that
    the attributes of `owner` other than `skip` hold, in assignment order."""
    for name, held in vars(owner).items():
        if held.__class__ not in _PLAIN and name not in skip:
            yield from _parts(name, held, kind)


def _parts(name: str, held: Any, kind: type) -> Iterator[tuple[str, Any]]:
    if isinstance(held, (Value, kind)):
        yield name, held
    elif isinstance(held, (list, tuple)):
        if held and _is_tensor(held):
            yield name, held
        else:
            for i, item in enumerate(held):
                yield from _parts(f"{name}.{i}", item, kind)
    elif isinstance(held, dict):
        for key, item in held.items():
            if isinstance(key, str):
                yield from _parts(f"{name}.{key}", item, kind)
            elif any(True for _ in _parts(name, item, kind)):
                raise TypeError(f"{name} is a dict with the key {key!r}, which names a "
                                f"parameter or module: use str keys, which become their "
                                f"dotted names ({name}.<key>), as PyTorch's ModuleDict")


def _is_tensor(items: list[Any] | tuple[Any, ...]) -> bool:
    """True for a non-empty list or tuple of Values, or of such lists and tuples."""
    return all(isinstance(item, Value)
               or (isinstance(item, (list, tuple)) and bool(item) and _is_tensor(item))
               for item in items)


def named_values(name: str, tensor: Tensor) -> Iterator[tuple[str, Value]]:
    """Each Value of `tensor` with its index path: weight.3.1 is row 3, column 1."""
    if isinstance(tensor, Value):
        yield name, tensor
    else:
        for i, item in enumerate(tensor):
            yield from named_values(f"{name}.{i}" if name else str(i), item)


def label_assigned(name: str, held: Any, kind: type) -> None:
    """Label what an attribute `name` is about to hold: its Values without a label by their
    names, its modules not yet placed by prefixing `name.` to their parameters' labels."""
    if held.__class__ in _PLAIN:
        return
    for part_name, part in _parts(name, held, kind):
        if isinstance(part, kind):
            if not vars(part).get(PLACED, False):
                place(part, f"{part_name}.")
        elif not all(value.label for value in flatten(part)):
            for value_name, value in named_values(part_name, part):
                if not value.label:
                    value.label = value_name


def place(module: Any, prefix: str) -> None:
    """Put where they live, `prefix`, in front of the labels of module's parameters (a
    parameter without a label gets its dotted name), once."""
    parameters = module.parameters()
    if all(parameter.label for parameter in parameters):  # as a built-in's: no names needed
        for parameter in parameters:
            parameter.label = prefix + parameter.label
    else:
        for name, parameter in module.named_parameters():
            parameter.label = prefix + (parameter.label or name)
    object.__setattr__(module, PLACED, True)


@contextmanager
def visiting(module: object) -> Iterator[bool]:
    """True inside a walk of `module` that is already walking it (a module that holds one
    of its owners): the walk stops there instead of recursing for ever."""
    active: set[int] = _walking.__dict__.setdefault("ids", set())
    key = id(module)
    if key in active:
        yield True
        return
    active.add(key)
    try:
        yield False
    finally:
        active.discard(key)


def tree(name: str, children: list[tuple[str, Any]]) -> str:
    """PyTorch's repr of a module: `Name()`, or its children one per line, indented."""
    if not children:
        return f"{name}()"
    lines = [f"{name}("]
    for child_name, child in children:
        text = repr(child).replace("\n", "\n  ")
        lines.append(f"  ({child_name}): {text}")
    return "\n".join([*lines, ")"])


# --- tensors: a Value, or nested lists of Values ---------------------------------------------

def flatten(tensor: Tensor) -> list[Value]:
    """The Values of `tensor`, row by row."""
    if isinstance(tensor, Value):
        return [tensor]
    values: list[Value] = []
    for item in tensor:  # a loop, not nested generators: parameters() runs at every step
        if item.__class__ is Value:
            values.append(item)
        else:
            values += flatten(item)
    return values


def to_floats(tensor: Tensor) -> Any:
    """`tensor`'s numbers, as nested lists of floats of its shape."""
    if isinstance(tensor, Value):
        return tensor.data
    return [to_floats(item) for item in tensor]


def collect(tensor: Tensor, data: Any, where: str, pairs: list[tuple[Value, float]]) -> None:
    """Pair each Value of `tensor` with the number at the same place in `data`, checking shape."""
    if isinstance(tensor, Value):
        # a finite float is taken as it is; anything else is checked, by name, by check_number
        if not (data.__class__ is float and -_INF < data < _INF):
            data = check_number(data, f"load_state_dict: {where}")
        pairs.append((tensor, data))
        return
    data = plain(data)  # a numpy array as nested lists
    expected = f"a list of {len(tensor)} entries"
    check_instance(data, f"load_state_dict: {where}", list, expected)
    if len(data) != len(tensor):
        raise ValueError(f"load_state_dict: {where} must be {expected}, got a list of "
                         f"{len(data)}")
    for i, (item, sub) in enumerate(zip(tensor, data)):
        collect(item, sub, f"{where}[{i}]", pairs)
