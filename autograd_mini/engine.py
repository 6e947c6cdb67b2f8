"""The scalar `Value`: every op's forward value and local derivatives, and no_grad.

A node made by an op keeps its (at most two) inputs and the local derivatives
d(node)/d(input) as floats, computed once in the forward pass; `backward` applies
the chain rule over them (backprop.py). Each op also names a rule that
rebuilds its local derivatives as `Value`s (`local_grads_fn`), so that
`backward(create_graph=True)` differentiates with the same primitives.

Inputs live in two slots rather than a tuple: that makes one garbage-collected
object per node instead of three, which halves the cyclic collector's work while a
graph is built. No node references itself (local derivatives are floats, rules are
module functions or closures over constants), so graphs are freed by reference
counting alone.
"""
from __future__ import annotations

import math
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Callable, Iterator, NamedTuple, Union

from .backprop import backpropagate, gradients, topological_order
from .numeric import (INF, nonzero_divisor, operand, power, power_slope, refuse_nonfinite_constant,
                      refuse_nonfinite_number, refuse_overflow, to_float)
from .persist import deep_copy, restore_value, value_state

Number = Union[int, float]

# no_grad is per thread and per asyncio task (a ContextVar), as PyTorch's grad mode is.
# Ops read only the global count of open no_grad blocks, and ask the ContextVar only when
# some block is open somewhere: recording stays one global read on the fast path.
_recording_paused = ContextVar("autograd_mini_no_grad", default=False)
_open_no_grad_blocks = 0
_no_grad_count_lock = threading.Lock()


class Value:
    """A scalar in a computation graph: its data, its gradient, and how it was made."""

    # parent2 is None for an op of one input, and then local_grad2 is never set;
    # _label is set only when a label is given. Fewer stores make nodes cheaper to
    # build, and fewer filled slots make them cheaper for the garbage collector to scan.
    __slots__ = ("data", "grad", "parent1", "parent2", "local_grad1", "local_grad2",
                 "_op", "_label", "_seen_by")

    def __init__(self, data: Number, label: str = "", *, allow_nonfinite: bool = False) -> None:
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
        self.data = data
        self.grad = 0.0
        self.parent1 = self.parent2 = self._seen_by = None
        self._op = LEAF

    @property
    def op(self) -> str:
        """The op that made this node ("+", "tanh", ...), "" for a leaf."""
        return self._op.symbol

    @property
    def local_grads_fn(self) -> Callable | None:
        """The rule giving this node's local derivatives as Values: (self, *parents) -> tuple."""
        return self._op.rule

    @property
    def label(self) -> str:
        """A name shown in repr and graphs; "" when none was given."""
        return getattr(self, "_label", "")  # an unset slot: no label was given

    @label.setter
    def label(self, text: str) -> None:
        if not isinstance(text, str):
            raise TypeError(f"Value label must be a str, got {type(text).__name__} {text!r}")
        self._label = text

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
        grad = self.grad.data if isinstance(self.grad, Value) else self.grad
        text = f"Value(data={self.data!r}, grad={grad!r}"
        if self.label:
            text += f", label={self.label!r}"
        if self.op:
            text += f", op={self.op!r}"
        return text + ")"

    def __float__(self) -> float:
        return self.data

    # pickle and copy.deepcopy: a graph is copied leaves first, never by recursion (persist.py)
    def __reduce_ex__(self, protocol: int):
        return restore_value, (), value_state(self)

    def __deepcopy__(self, memo: dict) -> Value:
        return deep_copy(self, memo)

    def __setstate__(self, state: tuple) -> None:
        _ancestors, self.data, self.grad, self._op, label, parents, local_grads = state
        self.parent1, self.parent2 = (parents + (None, None))[:2]
        if local_grads:
            self.local_grad1 = local_grads[0]
        if len(local_grads) > 1:
            self.local_grad2 = local_grads[1]
        if label:
            self._label = label
        self._seen_by = None

    # -- arithmetic: forward value, local derivatives, higher-order rule ------
    # `if out - out:` is true only for inf or NaN (x - x is 0.0 for every finite x):
    # an overflow check that costs one subtraction. A float constant is checked by the
    # same test (a NaN or infinite constant makes a NaN or infinite out) for + - *.
    def __add__(self, other: Value | Number) -> Value:
        if other.__class__ is Value:
            out = self.data + other.data
            if out - out:
                refuse_overflow("+", self.data, other.data)
            return _binary(out, ADD, self, 1.0, other, 1.0)
        b = other if other.__class__ is float else operand(other, "+")
        if b is None:
            return NotImplemented
        out = self.data + b
        if out - out:
            refuse_nonfinite_constant("+", self.data, b, b)
        return _unary(out, ADD, self, 1.0)

    __radd__ = __add__

    def __sub__(self, other: Value | Number) -> Value:
        if other.__class__ is Value:
            out = self.data - other.data
            if out - out:
                refuse_overflow("-", self.data, other.data)
            return _binary(out, SUB, self, 1.0, other, -1.0)
        b = other if other.__class__ is float else operand(other, "-")
        if b is None:
            return NotImplemented
        out = self.data - b
        if out - out:
            refuse_nonfinite_constant("-", self.data, b, b)
        return _unary(out, SUB, self, 1.0)

    def __rsub__(self, other: Number) -> Value:
        a = other if other.__class__ is float else operand(other, "-")
        if a is None:
            return NotImplemented
        out = a - self.data
        if out - out:
            refuse_nonfinite_constant("-", a, self.data, a)
        return _unary(out, SUB, self, -1.0)

    def __mul__(self, other: Value | Number) -> Value:
        if other.__class__ is Value:
            a, b = self.data, other.data
            out = a * b
            if out - out:
                refuse_overflow("*", a, b)
            return _binary(out, MUL, self, b, other, a)
        b = other if other.__class__ is float else operand(other, "*")
        if b is None:
            return NotImplemented
        out = self.data * b
        if out - out:
            refuse_nonfinite_constant("*", self.data, b, b)
        return _unary(out, MUL_CONSTANT, self, b)

    __rmul__ = __mul__

    def __truediv__(self, other: Value | Number) -> Value:
        if other.__class__ is Value:
            a, b = self.data, nonzero_divisor(other.data, self.data)
            out = a / b
            if out - out:
                refuse_overflow("/", a, b)
            return _binary(out, DIV, self, 1.0 / b, other, -out / b)
        b = operand(other, "/")
        if b is None:
            return NotImplemented
        b = nonzero_divisor(b, self.data)
        out = self.data / b
        if out - out:
            refuse_overflow("/", self.data, b)
        return _unary(out, DIV_CONSTANT, self, 1.0 / b)

    def __rtruediv__(self, other: Number) -> Value:
        a = operand(other, "/")
        if a is None:
            return NotImplemented
        b = nonzero_divisor(self.data, a)
        out = a / b
        if out - out:
            refuse_overflow("/", a, b)
        return _unary(out, RDIV, self, -out / b)

    def __pow__(self, other: Value | Number) -> Value:
        if other.__class__ is Value:
            a, b = self.data, other.data
            if a < 0:
                raise ValueError(
                    f"Value({a!r}) ** Value({b!r}) in '**': with a negative base the derivative "
                    "for the exponent, out * log(base), is not real; use a plain-number exponent")
            out = power(a, b)
            d_exponent = out * math.log(a) if a > 0 else 0.0  # 0 ** b is flat in b for b > 0
            return _binary(out, POW, self, power_slope(a, b), other, d_exponent)
        c = operand(other, "**")
        if c is None:
            return NotImplemented
        op = POW_CONSTANT_0 if c == 0 else Op("**", partial(_pow_const_exponent_rule, c))
        return _unary(power(self.data, c), op, self, power_slope(self.data, c))

    def __rpow__(self, other: Number) -> Value:
        c = operand(other, "**")
        if c is None:
            return NotImplemented
        if c < 0:
            raise ValueError(f"{c!r} ** Value in '**': a negative base has no real derivative "
                             "for the exponent; use a positive base")
        out = power(c, self.data)
        log_base = math.log(c) if c > 0 else 0.0  # 0 ** x is flat for x > 0
        return _unary(out, Op("**", partial(_pow_const_base_rule, log_base)), self, out * log_base)

    def __neg__(self) -> Value:
        return _unary(-self.data, NEG, self, -1.0)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        x = self.data
        sign = 1.0 if x > 0 else -1.0 if x < 0 else 0.0  # sign(0) = 0, as PyTorch
        return _unary(abs(x), ABS, self, sign)

    # -- functions ----------------------------------------------------------
    def exp(self) -> Value:
        try:
            out = math.exp(self.data)
        except OverflowError:
            raise ValueError(f"exp({self.data!r}) overflows a float; scale the input down") from None
        return _unary(out, EXP, self, out)

    def log(self) -> Value:
        x = self.data
        if not x > 0:
            raise ValueError(f"log({x!r}): log needs x > 0; clamp or shift the input")
        return _unary(math.log(x), LOG, self, 1.0 / x)

    def tanh(self) -> Value:
        x = self.data
        t = math.tanh(x)
        if -0.5 < t < 0.5:
            slope = 1.0 - t * t
        else:  # 1 - t*t cancels as |t| -> 1; sech^2 = 4e/(1+e)^2 with e = exp(-2|x|) does not
            e = math.exp(-2.0 * abs(x))
            slope = 4.0 * e / ((1.0 + e) * (1.0 + e))
        return _unary(t, TANH, self, slope)

    def sigmoid(self) -> Value:
        x = self.data
        e = math.exp(-abs(x))  # in (0, 1]: never overflows, and s(1-s) = e/(1+e)^2 never cancels
        s = 1.0 / (1.0 + e) if x >= 0 else e / (1.0 + e)
        return _unary(s, SIGMOID, self, e / ((1.0 + e) * (1.0 + e)))

    def relu(self) -> Value:
        x = self.data
        if x > 0:
            return _unary(x, RELU, self, 1.0)
        return _unary(0.0, RELU, self, 0.0)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        x = self.data
        if x > 0:
            return _unary(x, LEAKY_RELU, self, 1.0)
        slope = to_float(slope, "leaky_relu(slope=...)")
        refuse_nonfinite_number("leaky_relu(slope=...)", slope)
        return _unary(slope * x, LEAKY_RELU, self, slope)

    def sin(self) -> Value:
        x = self.data
        return _unary(math.sin(x), SIN, self, math.cos(x))

    def cos(self) -> Value:
        x = self.data
        return _unary(math.cos(x), COS, self, -math.sin(x))

    def sqrt(self) -> Value:
        x = self.data
        if x < 0:
            raise ValueError(f"sqrt({x!r}): sqrt needs x >= 0; clamp the input or use abs()")
        out = math.sqrt(x)
        return _unary(out, SQRT, self, 0.5 / out if out else INF)

    # -- gradients ----------------------------------------------------------
    def backward(self, grad: Number = 1.0, create_graph: bool = False, *,
                 allow_nonfinite: bool = False) -> None:
        """Add d(self)/d(node) * grad to the .grad of every node self was computed from.

        A gradient that becomes NaN or infinite raises ValueError naming the node where it
        first did and why, unless allow_nonfinite=True; a pass that raises leaves every
        .grad as it was.
        """
        if isinstance(grad, Value):
            seed = grad if create_graph else grad.data
            seed_data = grad.data
        else:
            seed = seed_data = to_float(grad, "backward(grad=...)")
            if create_graph:
                seed = Value(seed, allow_nonfinite=True)  # API: every .grad is a Value then
        if seed_data - seed_data and not allow_nonfinite:  # nonzero only for inf and NaN
            raise ValueError(f"backward(grad={seed_data!r}): the seed gradient must be finite; "
                             "pass allow_nonfinite=True if you mean it")
        backpropagate(self, seed, create_graph, allow_nonfinite)

    def zero_grad(self) -> None:
        """Reset .grad to 0.0 on this node and every node it was computed from."""
        for node in topological_order(self):
            node.grad = 0.0


# -- node construction --------------------------------------------------------
_new_value = object.__new__


def _unary(data: float, op: Op, parent: Value, local_grad: float) -> Value:
    """An op's output with one input (or, under no_grad, a plain leaf)."""
    out = _new_value(Value)
    out.data = data
    out.grad = 0.0
    out._seen_by = out.parent2 = None
    if not _open_no_grad_blocks or not _recording_paused.get():
        out._op = op
        out.parent1 = parent
        out.local_grad1 = local_grad
    else:
        out._op = LEAF
        out.parent1 = None
    return out


def _binary(data: float, op: Op, parent1: Value, local_grad1: float,
            parent2: Value, local_grad2: float) -> Value:
    """An op's output with two inputs (or, under no_grad, a plain leaf)."""
    out = _new_value(Value)
    out.data = data
    out.grad = 0.0
    out._seen_by = None
    if not _open_no_grad_blocks or not _recording_paused.get():
        out._op = op
        out.parent1 = parent1
        out.parent2 = parent2
        out.local_grad1 = local_grad1
        out.local_grad2 = local_grad2
    else:
        out._op = LEAF
        out.parent1 = out.parent2 = None
    return out


# -- higher-order rules: local derivatives rebuilt as Values -------------------
# Each takes (out, *parents) and returns one derivative per parent, the same math as
# the floats above; tests/test_engine_ops.py checks that the two agree everywhere.
def _constant_rule(out, *parents): return out.local_grads  # derivative has no input in it
def _mul_rule(out, a, b): return (b, a)
def _div_rule(out, a, b): return (1.0 / b, -out / b)
def _rdiv_rule(out, b): return (-out / b,)
def _exp_rule(out, x): return (out,)
def _log_rule(out, x): return (1.0 / x,)
def _sin_rule(out, x): return (x.cos(),)
def _cos_rule(out, x): return (-x.sin(),)
def _sqrt_rule(out, x): return (0.5 / out,)
def _pow_rule(out, a, b):
    if b.data != 0:
        d_base = b * a ** (b - 1.0)
    elif a.data != 0:  # the same 0.0, where a ** -1 may overflow for a tiny a
        d_base = b / a ** (1.0 - b)
    else:
        d_base = 0.0  # 0 ** 0 is flat in the base (power_slope)
    return (d_base, out * a.log() if a.data > 0 else 0.0)
def _pow_const_exponent_rule(c: float, out, x): return (c * x ** (c - 1.0),)
def _pow_const_base_rule(log_base: float, out, x): return (out * log_base,)


def _tanh_rule(out, x):
    if -0.5 < out.data < 0.5:
        return (1.0 - out * out,)
    if abs(x.data) > 400.0:  # exp(-2|x|) is 0.0 in floats, as is the float slope
        return (0.0,)
    e = (x * (-2.0 if x.data > 0 else 2.0)).exp()  # exp(-2|x|), without abs's kink
    return (4.0 * e / ((1.0 + e) * (1.0 + e)),)


def _sigmoid_rule(out, x):
    e = (x * (-1.0 if x.data > 0 else 1.0)).exp()  # exp(-|x|), the float slope's own formula
    return (e / ((1.0 + e) * (1.0 + e)),)


class Op(NamedTuple):
    """What made a node: its symbol for people and its higher-order rule.

    Ops that share a symbol may differ in rule: x / y, x / 2 and 2 / x are all "/".
    """
    symbol: str
    rule: Callable | None


LEAF = Op("", None)
ADD, SUB = Op("+", _constant_rule), Op("-", _constant_rule)
NEG, ABS = Op("neg", _constant_rule), Op("abs", _constant_rule)
MUL, MUL_CONSTANT = Op("*", _mul_rule), Op("*", _constant_rule)
DIV, DIV_CONSTANT, RDIV = Op("/", _div_rule), Op("/", _constant_rule), Op("/", _rdiv_rule)
POW, POW_CONSTANT_0 = Op("**", _pow_rule), Op("**", _constant_rule)
EXP, LOG, SQRT = Op("exp", _exp_rule), Op("log", _log_rule), Op("sqrt", _sqrt_rule)
TANH, SIGMOID = Op("tanh", _tanh_rule), Op("sigmoid", _sigmoid_rule)
RELU, LEAKY_RELU = Op("relu", _constant_rule), Op("leaky_relu", _constant_rule)
SIN, COS = Op("sin", _sin_rule), Op("cos", _cos_rule)


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block ops record no parents: fast evaluation, nothing to backpropagate.

    It applies to the calling thread (and asyncio task) only, as PyTorch's no_grad does.
    """
    global _open_no_grad_blocks
    token = _recording_paused.set(True)
    with _no_grad_count_lock:
        _open_no_grad_blocks += 1
    try:
        yield
    finally:
        with _no_grad_count_lock:
            _open_no_grad_blocks -= 1
        _recording_paused.reset(token)
