"""Derivatives of plain functions: grad, value_and_grad (HIPS autograd / JAX style), gradcheck.

An argument differentiated is a number or a list, tuple or dict of them, nested to any
depth; its derivative has its shape (trees.py flattens and rebuilds). The transforms
(transforms.py) prepare their arguments here too.
"""
from __future__ import annotations

from contextvars import ContextVar
from functools import wraps
from numbers import Real
from typing import Any, Callable, NamedTuple, Sequence

from .backprop import gradients
from .engine import Value, no_grad, recording
from .numeric import to_float
from .trees import NUMBER, Structure, flatten, paths, rebuild, rebuild_each

__all__ = ["grad", "value_and_grad", "gradcheck", "GradcheckError"]

# How many grad-wrapped functions are running in this thread (or asyncio task). A
# derivative taken inside one may be differentiated again by it (through an argument or
# a closure), so it is built as a Value; at depth 0 with float arguments it is a float.
_depth: ContextVar[int] = ContextVar("autograd_mini_grad_depth", default=0)
_ARGUMENT_KINDS = ", a Value, or a list, tuple or dict of them (an array: .tolist())"


class _Inputs(NamedTuple):
    args: list              # f's arguments, each differentiated number replaced by a fresh Value
    leaves: list            # those fresh Values, flattened in argument order
    structures: list[Structure]  # per differentiated argument, its shape
    nested: bool            # derivatives must be Values: inside a transform, or given Values


def value_and_grad(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0, *,
                   allow_nonfinite: bool = False) -> Callable[..., tuple]:
    """Wrap f so that it returns (f(*args), df/d(args[argnums])).

    With an int argnums the derivative is one number, with a tuple a tuple of them. An
    argument may be a list, tuple or dict of numbers, nested: its derivative has its
    shape (a tuple stays a tuple, a dict keeps its keys and their order).
    Arguments not differentiated are passed through unchanged. Called with floats it
    returns floats; called with Values, or inside another grad's function (nested,
    as in grad(grad(f))), it returns Values, differentiable again to any order.
    A derivative that is NaN or infinite raises ValueError naming where it became so,
    unless allow_nonfinite=True.
    """
    return _with_value(f, argnums, allow_nonfinite, "value_and_grad")


def _with_value(f: Callable[..., Any], argnums: int | tuple[int, ...], allow_nonfinite: bool,
                name: str) -> Callable[..., tuple]:
    """value_and_grad, its errors said as `name`'s."""
    positions = _check_argnums(argnums)

    @wraps(f)
    def wrapped(*args: Any, **kwargs: Any) -> tuple:
        with recording():  # an outer no_grad() would leave nothing to differentiate
            return _value_and_grad(f, argnums, positions, allow_nonfinite, args, kwargs, name)

    return wrapped


def _value_and_grad(f: Callable[..., Any], argnums: int | tuple[int, ...],
                    positions: tuple[int, ...], allow_nonfinite: bool, args: tuple,
                    kwargs: dict, name: str) -> tuple:
    """value_and_grad's work, once recording is on."""
    inputs = _prepare(name, f, args, positions)
    depth = _depth.set(_depth.get() + 1)
    try:
        out = f(*inputs.args, **kwargs)
    finally:
        _depth.reset(depth)
    if isinstance(out, Value):
        flat = gradients(out, inputs.leaves, inputs.nested, allow_nonfinite)
        value = out if inputs.nested else out.data
    elif isinstance(out, (int, float)) and not isinstance(out, bool):
        flat = [0.0] * len(inputs.leaves)  # f does not depend on its inputs
        value = float(out)
    else:
        raise TypeError(
            f"grad only applies to functions returning one real number (a Value or "
            f"float); {_name(f)} returned {type(out).__name__}. For several outputs, "
            "differentiate each one, e.g. grad(lambda x: f(x)[0])")
    derivatives = rebuild_each(inputs.structures, flat)
    return value, (derivatives[0] if isinstance(argnums, int) else tuple(derivatives))


def _prepare(name: str, f: Callable, args: Sequence, positions: Sequence[int]) -> _Inputs:
    """f's arguments with a fresh Value for each number it is differentiated by."""
    for i in positions:
        if i >= len(args):
            raise TypeError(f"{name}: argnums asks for positional argument {i}, but {_name(f)} "
                            f"was called with {len(args)}; pass it positionally")
    args, leaves, structures, given_values = list(args), [], [], False
    for i in positions:
        items, structure = flatten(args[i])
        fresh = []
        for item, path in zip(items, ("",) if structure is NUMBER else paths(structure)):
            if isinstance(item, Value):
                # A caller's Value (an outer grad's variable) gets a fresh node on top, where
                # this pass stops; the derivatives then come back as Values of it.
                given_values = True
                fresh.append(item + 0.0)
            else:
                number = _number(item, f"{name}: argument {i}{path}", _ARGUMENT_KINDS)
                fresh.append(Value(number, label=f"arg{i}{path}"))
        args[i] = rebuild(structure, fresh)
        leaves += fresh
        structures.append(structure)
    return _Inputs(args, leaves, structures, _depth.get() > 0 or given_values)


def _number(x: Any, where: str, also: str = " or a Value") -> Any:
    """x as a finite float, or x itself if a Value; else TypeError or ValueError naming where."""
    if x.__class__ is float and not x - x:  # the common case, spared the slower checks
        return x
    if isinstance(x, Value):
        return x
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"{where} must be a real number{also}; got {type(x).__name__} {x!r}")
    number = to_float(x, where)
    if number - number:  # nonzero only for inf and NaN
        raise ValueError(f"{where} is {number!r}; NaN and infinity would poison every "
                         "derivative: pass a finite number")
    return number


def grad(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0, *,
         allow_nonfinite: bool = False) -> Callable[..., Any]:
    """Wrap f to return df/d(args[argnums]), shaped as the argument; grad(grad(f)) is f''."""
    with_value = _with_value(f, argnums, allow_nonfinite, "grad")

    @wraps(f)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return with_value(*args, **kwargs)[1]

    return wrapped


class GradcheckError(AssertionError):
    """Backpropagated derivatives disagree with central finite differences."""


def gradcheck(f: Callable[..., Value], inputs: Sequence[float] | float, eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-4) -> bool:
    """Compare f's backprop derivatives with central differences; True or GradcheckError.

    f takes one Value per entry of inputs (a number: f of one Value) and returns a Value.
    An input passes when |analytic - numeric| <= atol + rtol * |numeric|.
    """
    if isinstance(inputs, Real) or getattr(inputs, "shape", None) == ():
        inputs = [inputs]  # type: ignore[list-item]
    elif not isinstance(inputs, Sequence) and not hasattr(inputs, "tolist"):
        raise TypeError(f"gradcheck: inputs must be a number or a sequence of numbers, one "
                        f"per argument of f, got {type(inputs).__name__} {inputs!r}")
    eps = _positive_finite(eps, "eps")
    atol, rtol = _positive_finite(atol, "atol", zero=True), _positive_finite(rtol, "rtol", zero=True)
    points = [to_float(x, f"gradcheck: inputs[{i}]") for i, x in enumerate(inputs)]
    leaves = [Value(x, label=f"x{i}") for i, x in enumerate(points)]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck needs f to return a Value; {_name(f)} returned "
                        f"{type(out).__name__}")
    analytic = gradients(out, leaves)
    numeric = [_central_difference(f, points, i, eps) for i in range(len(points))]
    rows = []
    failed = 0
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        ok = abs(a - n) <= atol + rtol * abs(n)
        failed += not ok
        rows.append(f"  {i:>5}  {points[i]:>13.6g}  {a:>16.10g}  {n:>16.10g}  "
                    f"{abs(a - n):>10.3g}  {'ok' if ok else 'FAIL'}")
    if failed:
        header = (f"gradcheck: {failed} of {len(points)} derivatives of {_name(f)} disagree "
                  f"with central differences (eps={eps}, atol={atol}, rtol={rtol})\n"
                  f"  {'input':>5}  {'at':>13}  {'analytic':>16}  {'numeric':>16}  "
                  f"{'|diff|':>10}")
        raise GradcheckError("\n".join([header, *rows]))
    return True


def _central_difference(f: Callable[..., Value], points: list[float], i: int, eps: float) -> float:
    shifted = {}
    for sign in (1, -1):
        args = list(points)
        args[i] += sign * eps
        with no_grad():
            try:
                shifted[sign] = f(*(Value(x) for x in args)).data
            except ValueError as error:
                raise ValueError(
                    f"gradcheck: {_name(f)} failed at input {i} {'+' if sign > 0 else '-'} eps "
                    f"({args[i]!r}): {error}. Move the point away from the domain edge or "
                    "lower eps") from error
    return (shifted[1] - shifted[-1]) / (2 * eps)


def _positive_finite(x: object, name: str, zero: bool = False) -> float:
    """x as a finite float > 0 (>= 0 with zero=True), or ValueError naming the argument."""
    if isinstance(x, bool):
        raise TypeError(f"gradcheck: {name} must be a number, got {x!r}")
    number = to_float(x, f"gradcheck: {name}")
    if not (number >= 0 if zero else number > 0) or number - number:
        bound = ">= 0" if zero else "> 0"
        raise ValueError(f"gradcheck: {name}={number!r}; it must be finite and {bound} "
                         f"(the defaults are eps=1e-6, atol=1e-5, rtol=1e-4)")
    return number


def _check_argnums(argnums: int | tuple[int, ...]) -> tuple[int, ...]:
    positions = (argnums,) if isinstance(argnums, int) else argnums
    if (not isinstance(positions, tuple) or not positions
            or not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0
                       for i in positions)
            or len(set(positions)) != len(positions)):
        raise TypeError(f"argnums must be a non-negative int or a non-empty tuple of distinct ones, "
                        f"got {argnums!r}")
    return positions


def _name(f: Callable) -> str:
    return getattr(f, "__name__", repr(f))
