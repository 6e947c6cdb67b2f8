"""Ops of the user's own: `@primitive(slope=...)` turns a function of floats into an op.

    @primitive(slope=lambda x, out: out * (1.0 - out))
    def logistic(x):
        return 1.0 / (1.0 + math.exp(-x))

`logistic(0.3)` is a float; `logistic(Value(0.3))` a node whose op is "logistic", with
its float slope computed at once (as the table's rows do) and, for higher orders, the
same slope evaluated on Values as the node's rule. One evaluator over floats serves the
eager node, a call on numbers and the compiler's generated code, so that the numbers
agree bit for bit.
"""
from __future__ import annotations

import builtins
import dis
import functools
import inspect
import itertools
import math
import sys
from types import CodeType, FunctionType
from typing import Any, Callable, Protocol, Sequence, Union, overload

from . import functions
from .engine import Value, _binary, _unary, _unary_with_constant
from .numeric import DomainError, FloatOverflowError, to_float
from .opgen import Op
from .rule_arithmetic import on_slope

__all__ = ["primitive", "UnaryPrimitive", "BinaryPrimitive", "PrimitiveFunction", "Primitive",
           "definition"]

Slope = Callable[..., Any]

_SERIALS = itertools.count(1)

# Sides of a two-operand primitive, as the operators': x op y, x op c, c op x.
_SIDES = ("", "right", "left")


class UnaryPrimitive(Protocol):
    """What @primitive(slope=...) returns, as type checkers see it: a number gives a
    float, a Value a Value."""

    __name__: str
    __qualname__: str

    @overload
    def __call__(self, x: float, /) -> float: ...
    @overload
    def __call__(self, x: Value, /) -> Value: ...


class BinaryPrimitive(Protocol):
    """What @primitive(slopes=(dx, dy)) returns: two numbers give a float, a Value on
    either side a Value."""

    __name__: str
    __qualname__: str

    @overload
    def __call__(self, x: float, y: float, /) -> float: ...
    @overload
    def __call__(self, x: Value, y: Value | float, /) -> Value: ...
    @overload
    def __call__(self, x: float, y: Value, /) -> Value: ...


PrimitiveFunction = Union[UnaryPrimitive, BinaryPrimitive]


class Primitive:
    """An op defined by a function of floats and its slopes: what `primitive` builds
    behind the function it returns (that function's `__primitive__`)."""

    def __init__(self, function: Callable[..., Any], slopes: Sequence[Slope],
                 domain: Callable[..., Any] | None, hint: str) -> None:
        self.function, self.slopes, self.domain, self.hint = function, tuple(slopes), domain, hint
        self.name: str = getattr(function, "__name__", "primitive")
        self.qualname: str = getattr(function, "__qualname__", self.name)
        self.arity = len(self.slopes)
        self.serial = next(_SERIALS)  # names its evaluator in compiled code: primitive3
        chooses = any(map(_may_choose, self.slopes))
        self.ops = {side: Op(self.name, rule, side, f"primitive:{self.name}" + (side and ":" + side),
                             chooses, self)
                    for side, rule in zip(_SIDES, self._rules())}
        self.public: Callable[..., Any] = self._public_function()

    def __repr__(self) -> str:
        return f"<primitive {self.qualname}>"

    def _public_function(self) -> Callable[..., Any]:
        """What the decorator returns: a function (so that help(), inspect, pickle and
        copy treat it as the user's function) calling this primitive."""
        def call(*operands: Any) -> Any:
            return self(*operands)

        functools.update_wrapper(call, self.function)  # name, doc, module; __wrapped__
        call.__primitive__ = self  # type: ignore[attr-defined]
        return call

    # -- calls ------------------------------------------------------------------
    def __call__(self, *operands: Any) -> Any:
        if len(operands) != self.arity:
            raise TypeError(f"{self.name}() takes {self.arity} operand"
                            f"{'s' if self.arity > 1 else ''} (numbers or Values), "
                            f"got {len(operands)}")
        if self.arity == 1:
            x = operands[0]
            if x.__class__ is Value:
                out, slope = self.floats(x._data)
                return _unary(out, self.ops[""], x, slope)
            return self.value(self._number(x))
        x, y = operands
        if x.__class__ is Value:
            if y.__class__ is Value:
                out, slope1, slope2 = self.floats(x._data, y._data)
                return _binary(out, self.ops[""], x, slope1, y, slope2)
            c = self._number(y)
            out, slope = self.floats_right(x._data, c)
            return _unary_with_constant(out, self.ops["right"], x, slope, c)
        c = self._number(x)
        if y.__class__ is Value:
            out, slope = self.floats_left(c, y._data)
            return _unary_with_constant(out, self.ops["left"], y, slope, c)
        return self.value(c, self._number(y))

    def apply(self, side: str, operands: Sequence[Value], constant: float | None) -> Value:
        """The op on operands as user code applies it (opgen.apply's for a primitive)."""
        if side == "right":
            return self(operands[0], constant)
        if side == "left":
            return self(constant, operands[0])
        return self(*operands)

    # -- the float evaluators: eager nodes, calls on numbers and generated code ---
    def value(self, *xs: float) -> float:
        """The function at xs, checked: DomainError outside the domain, FloatOverflowError
        for a result too large, TypeError for a result that is not a number."""
        if self.domain is not None and not self.domain(*xs):
            raise DomainError(f"{self._call_text(xs)}: outside {self.name}'s domain",
                              self.hint, self.name, xs)
        try:
            out = self.function(*xs)
        except OverflowError:
            raise FloatOverflowError(f"{self._call_text(xs)} overflows a float",
                                     self.hint or "rescale the input", self.name, xs) from None
        except (ValueError, ZeroDivisionError) as error:  # math's refusal: a domain
            raise DomainError(f"{self._call_text(xs)}: outside {self.name}'s domain ({error})",
                              self.hint, self.name, xs) from None
        if out.__class__ is not float:
            out = self._result(out, " returned")
        if out - out and not any(x - x for x in xs):  # inf or NaN from finite numbers
            if out != out:
                raise DomainError(f"{self._call_text(xs)} is NaN: outside {self.name}'s domain",
                                  self.hint, self.name, xs)
            raise FloatOverflowError(f"{self._call_text(xs)} overflows a float",
                                     self.hint or "rescale the input", self.name, xs)
        return out

    def floats(self, *xs: float) -> tuple[float, ...]:
        """(value, slope for each operand) at xs."""
        out = self.value(*xs)
        return (out, *(self._slope(slope, (*xs, out)) for slope in self.slopes))

    def floats_right(self, x: float, c: float) -> tuple[float, float]:
        """(value, slope for x) of f(x, c), c a number kept on the node."""
        out = self.value(x, c)
        return out, self._slope(self.slopes[0], (x, c, out))

    def floats_left(self, c: float, y: float) -> tuple[float, float]:
        """(value, slope for y) of f(c, y), c a number kept on the node."""
        out = self.value(c, y)
        return out, self._slope(self.slopes[1], (c, y, out))

    def _slope(self, slope: Slope, arguments: tuple) -> float:
        try:
            s = slope(*arguments)
        except (ValueError, ZeroDivisionError, OverflowError):
            # undefined there (0.5 / out at out = 0): NaN, which a backward through it
            # names as a non-finite gradient; `... if out > 0 else inf` gives IEEE's inf
            return math.nan
        return s if s.__class__ is float else self._result(s, "'s slope returned")

    # -- the rules: the same slopes evaluated on Values, for higher orders ---------
    def _rules(self) -> tuple[Callable, ...]:
        check = self._rule_result
        if self.arity == 1:
            (slope,) = self.slopes
            return (lambda out, x: (on_slope(check(slope(x, out)), out.local_grad1),),)
        left, right = self.slopes

        def rule(out: Value, x: Value, y: Value) -> tuple:
            return (on_slope(check(left(x, y, out)), out.local_grad1),
                    on_slope(check(right(x, y, out)), out.local_grad2))

        def rule_right(out: Value, x: Value) -> tuple:
            return (on_slope(check(left(x, out.constant, out)), out.local_grad1),)

        def rule_left(out: Value, y: Value) -> tuple:
            return (on_slope(check(right(out.constant, y, out)), out.local_grad1),)

        return rule, rule_right, rule_left

    def _rule_result(self, s: Any) -> Any:
        if s.__class__ is Value or s.__class__ is float:
            return s
        return self._result(s, "'s slope returned")

    # -- checks -------------------------------------------------------------------
    def _number(self, x: Any) -> float:
        return to_float(x, f"{self.name}()")

    def _result(self, x: Any, what: str) -> float:
        try:
            return to_float(x, "")
        except TypeError:
            pass
        raise TypeError(f"primitive {self.name}{what} "
                        f"{type(x).__name__} {x!r}, not a number: a slope gives a float "
                        "for floats (and a Value or float for Values)") from None

    def _call_text(self, xs: Sequence[float]) -> str:
        return f"{self.name}({', '.join(map(repr, xs))})"

    def findable(self) -> Callable[..., Any]:
        """The function `primitive` made, checked to be where pickle will look for it."""
        _findable(self.public)
        return self.public


@overload
def primitive(slope: Slope, *, domain: Callable[..., Any] | None = None,
              hint: str = "") -> Callable[[Callable[..., Any]], UnaryPrimitive]: ...
@overload
def primitive(*, slopes: Sequence[Slope], domain: Callable[..., Any] | None = None,
              hint: str = "") -> Callable[[Callable[..., Any]], BinaryPrimitive]: ...


def primitive(slope: Slope | None = None, *, slopes: Sequence[Slope] | None = None,
              domain: Callable[..., Any] | None = None,
              hint: str = "") -> Callable[[Callable[..., Any]], Any]:
    """Make a function of floats an op with its own derivative.

    `slope(x, out)` is d out/dx for a function of one operand; `slopes=(dx, dy)`, each
    `(x, y, out) -> number`, for two. Slopes run on floats in a plain backward and on
    Values under create_graph, grad(grad(...)), hessian and jvp, so written with
    operators and autograd_mini's functions (exp, tanh, ...) they differentiate again.
    `domain(x)` (or `domain(x, y)`) is the condition the operands must meet, `hint` what
    to say when they do not (a DomainError) or when the result overflows.
    """
    if (slope is None) == (slopes is None):
        raise TypeError("primitive needs slope= (one operand: slope(x, out)) or "
                        "slopes=(dx, dy) (two operands: each (x, y, out)), not both")
    given = (slope,) if slopes is None else tuple(slopes)
    if slopes is not None and len(given) != 2:
        raise TypeError(f"primitive: slopes= takes two functions (x, y, out) -> number, one "
                        f"per operand, got {len(given)}; one operand takes slope=")
    if domain is not None and not callable(domain):
        raise TypeError(f"primitive: domain= takes a predicate such as lambda x: x > 0, "
                        f"got {type(domain).__name__} {domain!r}")
    if not isinstance(hint, str):
        raise TypeError(f"primitive: hint= takes a str, got {type(hint).__name__} {hint!r}")

    def decorate(function: Callable[..., Any]) -> Any:
        name = getattr(function, "__name__", repr(function))
        if not callable(function):
            raise TypeError(f"@primitive decorates a function of floats, got "
                            f"{type(function).__name__} {function!r}")
        arity = len(given)
        _check_parameters(function, arity, f"primitive {name}", "operand")
        names = ("x, out",) if arity == 1 else ("x, y, out", "x, y, out")
        for n, (s, expected) in enumerate(zip(given, names)):
            which = "slope" if arity == 1 else f"slopes[{n}]"
            if not callable(s):
                raise TypeError(f"primitive {name}: {which} must be a function ({expected}) "
                                f"-> number, got {type(s).__name__} {s!r}")
            _check_parameters(s, arity + 1, f"primitive {name}: {which}", "parameter",
                              f" ({expected})")
        if domain is not None:
            _check_parameters(domain, arity, f"primitive {name}: domain", "operand")
        return Primitive(function, given, domain, hint).public

    return decorate


def definition(function: object) -> Primitive | None:
    """The Primitive behind a function @primitive made, or None for any other object."""
    found = getattr(function, "__primitive__", None)
    return found if isinstance(found, Primitive) else None


def _check_parameters(function: Callable, count: int, what: str, kind: str,
                      which: str = "") -> None:
    """TypeError naming `what` unless function can be called with `count` positional
    arguments (functions whose signature Python cannot read are let through)."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return
    try:
        signature.bind(*range(count))
    except TypeError:
        plural = "s" if count > 1 else ""
        raise TypeError(f"{what} must take {count} {kind}{plural}{which}, but its signature is "
                        f"{signature}") from None


# -- does a slope choose its formula by its operands' values? ---------------------
# compile_graph refuses a gradient graph in which a rule chose (decisions.py). A slope's
# choice can hide in Python (an if, a comparison, a read of .data, a call of anything
# else), so a slope counts as choosing unless its code is straight-line arithmetic and
# calls of autograd_mini's functions or of primitives that do not choose.
_STRAIGHT_CALLS = {id(getattr(functions, name)) for name in functions.__all__} | {id(abs)}
_READS_NUMBER = {"data", "_data", "item", "grad", "local_grads"}


def _may_choose(slope: Callable) -> bool:
    code = getattr(slope, "__code__", None)
    if not isinstance(slope, FunctionType) or not isinstance(code, CodeType):
        return True
    return _code_may_choose(code, slope)


def _code_may_choose(code: CodeType, slope: FunctionType) -> bool:
    for instruction in dis.get_instructions(code):
        name = instruction.opname
        if name in ("COMPARE_OP", "CONTAINS_OP") or "JUMP_IF" in name or "POP_JUMP" in name:
            return True
        if name in ("LOAD_ATTR", "LOAD_METHOD") and instruction.argval in _READS_NUMBER:
            return True
        if name in ("LOAD_GLOBAL", "LOAD_DEREF", "LOAD_NAME") and _calls_unknown(
                slope, instruction.argval):
            return True
    return any(_code_may_choose(inner, slope) for inner in code.co_consts
               if isinstance(inner, CodeType))


def _calls_unknown(slope: FunctionType, name: str) -> bool:
    """Whether the name (as the slope sees it) is something callable we cannot vouch for."""
    if name in (slope.__code__.co_freevars or ()):
        cell = slope.__closure__[slope.__code__.co_freevars.index(name)]  # type: ignore[index]
        try:
            found = cell.cell_contents
        except ValueError:  # an empty cell: not known yet
            return True
    elif name in slope.__globals__:
        found = slope.__globals__[name]
    else:
        found = getattr(builtins, name, None)
    if not callable(found) or id(found) in _STRAIGHT_CALLS:
        return False
    inner = definition(found)
    return inner is None or any(op.branches for op in inner.ops.values())


# -- pickling by name ----------------------------------------------------------------
def _findable(p: Callable[..., Any]) -> tuple[str, str]:
    """(module, qualified name) under which pickle finds p again, or a TypeError now."""
    module, qualname = getattr(p, "__module__", None), getattr(p, "__qualname__", "")
    found: Any = sys.modules.get(module) if isinstance(module, str) else None
    for part in qualname.split("."):
        found = getattr(found, part, None)
    if found is not p:
        raise TypeError(
            f"primitive {qualname} cannot be pickled or deep-copied with a graph: "
            f"pickle refers to it by its qualified name, and {module}.{qualname} does not "
            "lead back to it (defined inside a function, or replaced since). Define it at "
            "the top level of a module")
    return module, qualname  # type: ignore[return-value]
