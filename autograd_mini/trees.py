"""Containers of numbers: flatten and rebuild (lists, tuples and dicts, nested, mixed).

A container is flattened into its leaves (whatever is not a list, tuple or dict: a
number, a Value, or something the caller will refuse) and a `Structure`, from which a
container of the same shape is rebuilt around any leaves, as JAX's pytrees. The walks
use explicit stacks, so a nest is not limited by Python's recursion depth.
"""
from __future__ import annotations

from typing import Any, Iterator, NamedTuple, Sequence

__all__ = ["Structure", "NUMBER", "flatten", "rebuild", "rebuild_each", "sequence", "spans",
           "paths", "leaves_like"]

# A Structure's node: None for a leaf; (kind, keys) for a container, where kind is list,
# tuple, dict or a namedtuple's class, and keys a dict's keys or a sequence's length.
Node = Any


class Structure(NamedTuple):
    """A container's shape: its nodes in preorder (None for a leaf), and its leaf count."""
    nodes: tuple[Node, ...]
    size: int


NUMBER = Structure((None,), 1)  # a bare leaf: one number


def flatten(tree: Any) -> tuple[list[Any], Structure]:
    """tree's leaves, depth first in order (a dict's in its key order), and its Structure."""
    if _kind(tree) is None:
        return [tree], NUMBER
    leaves: list[Any] = []
    nodes: list[Node] = []
    stack = [tree]
    while stack:
        x = stack.pop()
        kind = _kind(x)
        if kind is None:
            leaves.append(x)
            nodes.append(None)
        elif kind is dict:
            nodes.append((dict, tuple(x)))
            stack.extend(reversed(x.values()))
        else:
            nodes.append((kind, len(x)))
            stack.extend(reversed(x))
    return leaves, Structure(tuple(nodes), len(leaves))


def rebuild(structure: Structure, leaves: Sequence[Any]) -> Any:
    """A container shaped as structure holding leaves (in flatten's order)."""
    nodes = structure.nodes
    if nodes[0] is None:
        return leaves[0]
    if len(nodes) == structure.size + 1:  # one container of numbers (the usual): at once
        kind, keys = nodes[0]
        return _build(kind, keys, leaves)
    built: list[Any] = []
    remaining = len(leaves)
    # In reverse preorder a container comes after its children, the first on top.
    for node in reversed(nodes):
        if node is None:
            remaining -= 1
            built.append(leaves[remaining])
            continue
        kind, keys = node
        built.append(_build(kind, keys, [built.pop() for _ in range(
            len(keys) if kind is dict else keys)]))
    return built[0]


def rebuild_each(structures: Sequence[Structure], leaves: Sequence[Any]) -> list[Any]:
    """One container per structure, from their leaves flattened one after another."""
    if all(structure is NUMBER for structure in structures):  # bare numbers: no cutting
        return list(leaves)
    return [rebuild(structure, leaves[span.start:span.stop])
            for structure, span in zip(structures, spans(structures))]


def sequence(length: int) -> Structure:
    """The Structure of a flat list of length numbers."""
    return Structure(((list, length),) + (None,) * length, length)


def spans(structures: Sequence[Structure]) -> list[range]:
    """Where each structure's leaves sit when several are flattened one after another."""
    found: list[range] = []
    start = 0
    for structure in structures:
        found.append(range(start, start + structure.size))
        start += structure.size
    return found


def paths(structure: Structure) -> Iterator[str]:
    """Each leaf's place as Python indexes it, "[0]['a']" ("" for a bare leaf), in order."""
    route: list[str] = []         # the index of each open container's current child
    to_visit: list[list[str]] = []  # per open container, its children's indexes to come
    for node in structure.nodes:
        if to_visit:
            route.append(to_visit[-1].pop())
        if node is None:
            yield "".join(route)
        else:
            indexes = _indexes(node)
            if indexes:
                to_visit.append(indexes[::-1])
                continue
        # This node is done, and so is every container it was the last child of.
        if route:
            route.pop()
        while to_visit and not to_visit[-1]:
            to_visit.pop()
            if route:
                route.pop()


def leaves_like(structure: Structure, tree: Any, where: str, partner: str) -> list[Any]:
    """tree's leaves in structure's order, or ValueError naming where tree's shape differs.

    A list and a tuple of one length match, and dicts with the same keys in any order.
    """
    leaves: list[Any] = []
    stack = [(tree, "")]
    for at, node in enumerate(structure.nodes):
        given, path = stack.pop()
        kind = _kind(given)
        if node is None and kind is None:
            leaves.append(given)
            continue
        if node is not None and kind is not None:
            expected, keys = node
            if expected is dict and kind is dict and set(given) == set(keys):
                stack.extend((given[key], f"{path}[{key!r}]") for key in reversed(keys))
                continue
            if expected is not dict and kind is not dict and len(given) == keys:
                stack.extend((given[i], f"{path}[{i}]") for i in reversed(range(keys)))
                continue
        raise ValueError(f"{where}{path} must be {_describe(structure, at)}, shaped as "
                         f"{partner}{path}; got {given!r}")
    return leaves


def _kind(x: Any) -> type | None:
    """The container type x is flattened as, or None for a leaf."""
    kind = type(x)
    if kind is list or kind is tuple or kind is dict:
        return kind
    if isinstance(x, tuple) and hasattr(kind, "_fields"):
        return kind
    return None  # other subclasses (OrderedDict, ...) too: a plain rebuild would change their type


def _build(kind: type, keys: Any, children: Sequence[Any]) -> Any:
    if kind is dict:
        return dict(zip(keys, children))
    if kind is list or kind is tuple:
        return kind(children)
    return kind(*children)  # a namedtuple takes its fields one by one


def _indexes(node: Node) -> list[str]:
    kind, keys = node
    return [f"[{key!r}]" for key in keys] if kind is dict else [f"[{i}]" for i in range(keys)]


def _describe(structure: Structure, at: int) -> str:
    """The shape of the node at preorder position at, in words."""
    node = structure.nodes[at]
    if node is None:
        return "one number"
    kind, keys = node
    if kind is dict:
        return f"a dict with keys {', '.join(map(repr, keys))}" if keys else "an empty dict"
    # The first `keys` nodes after a sequence are all leaves only when its entries are.
    flat = all(child is None for child in structure.nodes[at + 1:at + 1 + keys])
    noun = ("number" if flat else "entry") if keys == 1 else ("numbers" if flat else "entries")
    return f"a {kind.__name__} of {keys} {noun}"
