"""The scalar `Value`: its data, gradient and graph, its operators, and no_grad.

A node made by an op keeps its (at most two) inputs and the local derivatives
d(node)/d(input) as floats, computed once in the forward pass; `backward` applies
the chain rule over them (backprop.py). Each op also has a rule that rebuilds its
local derivatives as `Value`s, so that `backward(create_graph=True)` differentiates
with the same primitives. Every op's math is one row of ops.py: the functions
(`x.tanh()`, ...) are generated from it (opgen.py), and the operators below follow
the same rows, with their rules taken from there.

Inputs live in two slots rather than a tuple: that makes one garbage-collected
object per node instead of three, which halves the cyclic collector's work while a
graph is built. No node references itself (local derivatives are floats, rules are
module functions, a constant operand is a float on the node), so graphs are freed by
reference counting alone.

no_grad lives here, not in a module of its own, because the node constructors read its
count of open blocks on every op: a module global is the cheapest read there is.
"""
from __future__ import annotations

import math
import threading
import weakref
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Callable, Iterator, Union

from .backprop import NO_GRADIENT, backpropagate, topological_order
from .numeric import (DomainError, nonzero_divisor, operand, power, power_slope,
                      refuse_nonfinite_constant, refuse_overflow, to_float)
from .opgen import LEAF, Op, install, micrograd_op, register
from .persist import deep_copy, restore_value, set_state, value_state
from .micrograd_nodes import MicrogradNames, micrograd_parents
from .readouts import Readouts

Number = Union[int, float]
_UNIT_SEED = 1.0  # backward's default seed; compared by identity to see if grad= was given

if TYPE_CHECKING:  # the methods generated from ops.py's rows, declared for type checkers
    from .table_methods import TableMethods

    class _Bases(Readouts, MicrogradNames, TableMethods):
        __slots__ = ()
else:
    class _Bases(Readouts, MicrogradNames):
        __slots__ = ()

# no_grad is per thread and per asyncio task (a ContextVar), as PyTorch's grad mode is.
# Ops read only a global count, and ask the ContextVar only when it is nonzero: recording
# stays one global read on the fast path. The count is of the _Paused markers alive, not
# of open blocks: a task created inside a block keeps a copy of its context, marker and
# all, after the block closes, and must keep not recording whatever other threads do.
_recording_paused: ContextVar[object] = ContextVar("autograd_mini_no_grad", default=False)
_open_no_grad_blocks = 0
_no_grad_count_lock = threading.RLock()  # re-entrant: a marker may die inside the lock


class _Paused:
    """What no_grad() puts in its context (true: paused); counted while alive."""

    __slots__ = ("__weakref__",)


def _marker_gone() -> None:
    global _open_no_grad_blocks
    with _no_grad_count_lock:
        _open_no_grad_blocks -= 1


# What an op makes under no_grad: a leaf that remembers it was computed, so that
# backward() on it can say why there is nothing to backpropagate through.
NO_GRAD_RESULT = register(Op("", None, key="no_grad"))


class Value(_Bases):
    """A scalar in a computation graph: its data, its gradient, and how it was made."""

    # parent2 is None for an op of one input, and then local_grad2 is never set.
    # _extra holds what few nodes have: a label (str), the constant operand or parameter
    # of the op that made it (float: 3.0 in x * 3), or both (a tuple); it is set only
    # then. Fewer stores make nodes cheaper to build, fewer filled slots cheaper for the
    # garbage collector to scan, and one slot for the two keeps a node in 112 bytes
    # (with __weakref__, which explain() needs for the latest root).
    # data and grad are properties whose setters check what users assign; the engine
    # reads and writes the slots _data and _grad directly, so ops and backward pay nothing.
    __slots__ = ("_data", "_grad", "parent1", "parent2", "local_grad1", "local_grad2",
                 "_made_by", "_extra", "_seen_by", "__weakref__")

    def __init__(self, data: Number, _children: tuple = (), _op: str = "", label: str = "", *,
                 allow_nonfinite: bool = False) -> None:
        """A leaf holding data; with micrograd's `_children` and `_op` (Value(data, (a, b),
        "*")), a node computed from them whose derivative is the closure assigned to its
        `_backward` (none: it passes no gradient on, as in micrograd)."""
        if _children.__class__ is str and not _op:  # Value(2.0, "a"): the label, as before
            _children, label = (), _children
        if data.__class__ is not float:
            data = to_float(data, "Value")
        if data - data and not allow_nonfinite:  # nonzero only for inf and NaN
            raise ValueError(
                f"Value({data!r}): NaN and infinity are refused because they silently "
                "poison every gradient; pass allow_nonfinite=True if you mean it")
        if label:
            self.label = label
        elif label.__class__ is not str:
            self.label = label  # refused by the setter with the reason
        if allow_nonfinite:
            self._extra = _allowing_nonfinite(getattr(self, "_extra", None))
        self._data = data
        self._grad = 0.0
        self.parent1 = self.parent2 = self._seen_by = None
        self._made_by = LEAF
        if _children:
            self._computed_from(_children, _op)

    def _computed_from(self, children: object, symbol: object) -> None:
        """Make this node micrograd's way: parents `children`, op `symbol`, zero slopes
        until a closure is assigned to `_backward`."""
        parents = micrograd_parents(children, symbol)
        if _open_no_grad_blocks and _recording_paused.get():
            self._made_by = NO_GRAD_RESULT
            return
        self.parent1 = parents[0]
        self.parent2 = parents[1] if len(parents) == 2 else None
        self.local_grad1 = self.local_grad2 = 0.0
        self._made_by = micrograd_op(symbol)

    @property
    def op(self) -> str:
        """The op that made this node ("+", "tanh", ...), "" for a leaf."""
        return self._made_by.symbol

    @property
    def local_grads_fn(self) -> Callable | None:
        """The rule giving this node's local derivatives as Values: (self, *parents) -> tuple."""
        return self._made_by.rule

    @property
    def label(self) -> str:
        """A name shown in repr and graphs; "" when none was given."""
        extra = getattr(self, "_extra", None)  # an unset slot: neither label nor constant
        if extra.__class__ is str:
            return extra
        return extra[0] if extra.__class__ is tuple else ""

    @label.setter
    def label(self, text: str) -> None:
        if not isinstance(text, str):
            raise TypeError(f"Value label must be a str, got {type(text).__name__} {text!r}")
        constant = self.constant
        extra = text if constant is None else (text, constant) if text else constant
        self._extra = _allowing_nonfinite(extra) if self.allows_nonfinite else extra

    @property
    def parents(self) -> tuple[Value, ...]:
        """The Values this one was computed from, in argument order (a*a gives (a, a))."""
        if self.parent1 is None:
            return ()
        if self.parent2 is None:
            return (self.parent1,)
        return (self.parent1, self.parent2)

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(self)/d(parent) for each parent, as floats."""
        if self.parent1 is None:
            return ()
        if self.parent2 is None:
            return (self.local_grad1,)
        return (self.local_grad1, self.local_grad2)

    def __repr__(self) -> str:
        grad = self.grad
        grad = grad._data if isinstance(grad, Value) else grad
        text = f"Value(data={self._data!r}, grad={grad!r}"
        if self.label:
            text += f", label={self.label!r}"
        if self.op:
            text += f", op={self.op!r}"
        return text + ")"

    @property
    def constant(self) -> float | None:
        """The plain-number operand or parameter of the op that made this node (3.0 in
        x * 3, 0.2 in x.leaky_relu(0.2)), or None."""
        extra = getattr(self, "_extra", None)
        if extra.__class__ is float:
            return extra
        return extra[1] if extra.__class__ is tuple else None

    def clamp(self, min: Number | None = None, max: Number | None = None) -> Value:
        """x within [min, max], None meaning unbounded: the rows clamp_min then clamp_max,
        as torch.clamp computes it; the gradient passes where min <= x <= max (bounds
        included), 0 outside."""
        if min is None and max is None:
            raise TypeError("clamp(x) needs min, max or both, as torch.clamp: clamp(x, min=0.0)")
        out = self if min is None else self.clamp_min(min)
        return out if max is None else out.clamp_max(max)

    # pickle and copy.deepcopy: a graph is copied leaves first, never by recursion (persist.py)
    def __reduce_ex__(self, protocol: int):
        return restore_value, (), value_state(self)

    def __deepcopy__(self, memo: dict) -> Value:
        return deep_copy(self, memo)

    __setstate__ = set_state

    # -- operators: the rows of ops.BINARY, float slopes written out for speed ----
    # `if out - out:` is true only for inf or NaN (x - x is 0.0 for every finite x):
    # an overflow check that costs one subtraction. A float constant is checked by the
    # same test (a NaN or infinite constant makes a NaN or infinite out) for + - *.
    def __add__(self, other: Value | Number) -> Value:
        if other.__class__ is Value:
            out = self._data + other._data
            if out - out:
                refuse_overflow("+", self._data, other._data)
            return _binary(out, ADD, self, 1.0, other, 1.0)
        b = other if other.__class__ is float else operand(other, "+")
        if b is None:
            return NotImplemented
        out = self._data + b
        if out - out:
            refuse_nonfinite_constant("+", self._data, b, b)
        return _unary_with_constant(out, ADD_RIGHT, self, 1.0, b)

    __radd__ = __add__

    def __sub__(self, other: Value | Number) -> Value:
        if other.__class__ is Value:
            out = self._data - other._data
            if out - out:
                refuse_overflow("-", self._data, other._data)
            return _binary(out, SUB, self, 1.0, other, -1.0)
        b = other if other.__class__ is float else operand(other, "-")
        if b is None:
            return NotImplemented
        out = self._data - b
        if out - out:
            refuse_nonfinite_constant("-", self._data, b, b)
        return _unary_with_constant(out, SUB_RIGHT, self, 1.0, b)

    def __rsub__(self, other: Number) -> Value:
        a = other if other.__class__ is float else operand(other, "-")
        if a is None:
            return NotImplemented
        out = a - self._data
        if out - out:
            refuse_nonfinite_constant("-", a, self._data, a)
        return _unary_with_constant(out, SUB_LEFT, self, -1.0, a)

    def __mul__(self, other: Value | Number) -> Value:
        if other.__class__ is Value:
            a, b = self._data, other._data
            out = a * b
            if out - out:
                refuse_overflow("*", a, b)
            return _binary(out, MUL, self, b, other, a)
        b = other if other.__class__ is float else operand(other, "*")
        if b is None:
            return NotImplemented
        out = self._data * b
        if out - out:
            refuse_nonfinite_constant("*", self._data, b, b)
        return _unary_with_constant(out, MUL_RIGHT, self, b, b)

    __rmul__ = __mul__

    def __truediv__(self, other: Value | Number) -> Value:
        if other.__class__ is Value:
            a, b = self._data, nonzero_divisor(other._data, self._data)
            out = a / b
            if out - out:
                refuse_overflow("/", a, b)
            return _binary(out, DIV, self, 1.0 / b, other, -out / b)
        b = operand(other, "/")
        if b is None:
            return NotImplemented
        b = nonzero_divisor(b, self._data)
        out = self._data / b
        if out - out:
            refuse_overflow("/", self._data, b)
        return _unary_with_constant(out, DIV_RIGHT, self, 1.0 / b, b)

    def __rtruediv__(self, other: Number) -> Value:
        a = operand(other, "/")
        if a is None:
            return NotImplemented
        b = nonzero_divisor(self._data, a)
        out = a / b
        if out - out:
            refuse_overflow("/", a, b)
        return _unary_with_constant(out, DIV_LEFT, self, -out / b, a)

    def __pow__(self, other: Value | Number) -> Value:
        if other.__class__ is Value:
            a, b = self._data, other._data
            if a < 0:
                raise DomainError(
                    f"Value({a!r}) ** Value({b!r}) in '**': with a negative base the derivative "
                    "for the exponent, out * log(base), is not real",
                    "use a plain-number exponent", "**", (a, b))
            out = power(a, b)
            d_exponent = out * math.log(a) if a > 0 else 0.0  # 0 ** b is flat in b for b > 0
            return _binary(out, POW, self, power_slope(a, b), other, d_exponent)
        c = operand(other, "**")
        if c is None:
            return NotImplemented
        return _unary_with_constant(power(self._data, c), POW_RIGHT, self,
                                    power_slope(self._data, c), c)

    def __rpow__(self, other: Number) -> Value:
        c = operand(other, "**")
        if c is None:
            return NotImplemented
        if c < 0:
            raise DomainError(f"{c!r} ** Value in '**': a negative base has no real derivative "
                              "for the exponent", "use a positive base", "**", (c, self._data))
        out = power(c, self._data)
        log_base = math.log(c) if c > 0 else 0.0  # 0 ** x is flat for x > 0
        return _unary_with_constant(out, POW_LEFT, self, out * log_base, c)

    def __pos__(self) -> Value:
        return self

    # -- functions: exp, log, tanh, ... are added below from ops.UNARY --------

    # -- gradients ----------------------------------------------------------
    def backward(self, grad: Number | Value = _UNIT_SEED, create_graph: bool = False, *,
                 allow_nonfinite: bool = False, gradient: Number | Value | None = None) -> None:
        """Add d(self)/d(node) * grad to the .grad of every node self was computed from.

        A gradient that becomes NaN or infinite raises NonFiniteGradientError naming the
        node where it first did and why, unless allow_nonfinite=True; a pass that raises
        leaves every .grad as it was. `gradient=` is PyTorch's name for `grad`.
        """
        if gradient is not None:
            if grad is not _UNIT_SEED:  # given both ways
                raise TypeError("backward: give the seed once, as grad= or as PyTorch's "
                                "gradient=, not both")
            grad = gradient
        if self._made_by is NO_GRAD_RESULT:
            raise RuntimeError(
                "backward() on a Value computed under no_grad(): it recorded no graph to "
                "backpropagate through; compute it outside no_grad() (as PyTorch requires)")
        if isinstance(grad, Value):
            seed = grad if create_graph else grad._data
            seed_data = grad._data
        else:
            seed = seed_data = to_float(grad, "backward(grad=...)")
            if create_graph:
                seed = Value(seed, allow_nonfinite=True)  # API: every .grad is a Value then
        if seed_data - seed_data and not allow_nonfinite:  # nonzero only for inf and NaN
            raise ValueError(f"backward(grad={seed_data!r}): the seed gradient must be finite; "
                             "pass allow_nonfinite=True if you mean it")
        backpropagate(self, seed, create_graph, allow_nonfinite)

    def zero_grad(self, set_to_none: bool = False) -> None:
        """Reset .grad to 0.0 (None with set_to_none=True, as PyTorch) on this node and
        every node it was computed from."""
        cleared = NO_GRADIENT if set_to_none else 0.0
        for node in topological_order(self):
            node._grad = cleared


def _allowing_nonfinite(extra: object) -> tuple:
    """_extra with the mark of allow_nonfinite=True: a 3-tuple (label, constant, True),
    shared when there is no label or constant, so a mark costs no memory per node."""
    if extra is None:
        return _ALLOWING_NONFINITE
    if extra.__class__ is tuple:
        return extra if len(extra) == 3 else (extra[0], extra[1], True)
    return (extra, None, True) if extra.__class__ is str else ("", extra, True)


_ALLOWING_NONFINITE = ("", None, True)


# -- node construction --------------------------------------------------------
_new_value = object.__new__


def _unary(data: float, op: Op, parent: Value, local_grad: float) -> Value:
    """An op's output with one input (or, under no_grad, a plain leaf)."""
    out = _new_value(Value)
    out._data = data
    out._grad = 0.0
    out._seen_by = out.parent2 = None
    if not _open_no_grad_blocks or not _recording_paused.get():
        out._made_by = op
        out.parent1 = parent
        out.local_grad1 = local_grad
    else:
        out._made_by = NO_GRAD_RESULT
        out.parent1 = None
    return out


def _unary_with_constant(data: float, op: Op, parent: Value, local_grad: float,
                         constant: float) -> Value:
    """_unary, keeping the op's constant operand or parameter (for its rule and pictures)."""
    out = _new_value(Value)
    out._data = data
    out._grad = 0.0
    out._seen_by = out.parent2 = None
    if not _open_no_grad_blocks or not _recording_paused.get():
        out._made_by = op
        out.parent1 = parent
        out.local_grad1 = local_grad
        out._extra = constant
    else:
        out._made_by = NO_GRAD_RESULT
        out.parent1 = None
    return out


def _binary(data: float, op: Op, parent1: Value, local_grad1: float,
            parent2: Value, local_grad2: float) -> Value:
    """An op's output with two inputs (or, under no_grad, a plain leaf)."""
    out = _new_value(Value)
    out._data = data
    out._grad = 0.0
    out._seen_by = None
    if not _open_no_grad_blocks or not _recording_paused.get():
        out._made_by = op
        out.parent1 = parent1
        out.parent2 = parent2
        out.local_grad1 = local_grad1
        out.local_grad2 = local_grad2
    else:
        out._made_by = NO_GRAD_RESULT
        out.parent1 = out.parent2 = None
    return out


OPS = install(Value, _unary, _unary_with_constant, _binary)  # every op of ops.py, by name
ADD, ADD_RIGHT = OPS["+"], OPS["+:right"]
SUB, SUB_RIGHT, SUB_LEFT = OPS["-"], OPS["-:right"], OPS["-:left"]
MUL, MUL_RIGHT = OPS["*"], OPS["*:right"]
DIV, DIV_RIGHT, DIV_LEFT = OPS["/"], OPS["/:right"], OPS["/:left"]
POW, POW_RIGHT, POW_LEFT = OPS["**"], OPS["**:right"], OPS["**:left"]


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block ops record no parents: fast evaluation, nothing to backpropagate.

    It applies to the calling thread (and asyncio task) only, as PyTorch's no_grad does.
    """
    global _open_no_grad_blocks
    marker = _Paused()
    with _no_grad_count_lock:
        _open_no_grad_blocks += 1
    weakref.finalize(marker, _marker_gone)
    token = _recording_paused.set(marker)
    del marker  # the contexts that hold it keep it alive, and no one else
    try:
        yield
    finally:
        _recording_paused.reset(token)


@contextmanager
def recording() -> Iterator[None]:
    """Inside this block ops record again, even within an outer no_grad().

    For function transforms (grad, jacobian, ...), which differentiate whatever block
    they are called in, as torch.func.grad ignores an outer no_grad.
    """
    token = _recording_paused.set(False)
    try:
        yield
    finally:
        _recording_paused.reset(token)
