"""Derivatives of plain functions: grad, value_and_grad (HIPS autograd / JAX style), gradcheck."""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable, Sequence

from .engine import Value, gradients, no_grad

__all__ = ["grad", "value_and_grad", "gradcheck", "GradcheckError"]

# How many grad-wrapped functions are running. A derivative taken inside one may be
# differentiated again by it (through an argument or a closure), so it is built as
# a Value; at depth 0 with float arguments it is a plain float.
_depth = 0


def value_and_grad(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., tuple]:
    """Wrap f so that it returns (f(*args), df/d(args[argnums])).

    With an int argnums the derivative is one number, with a tuple a tuple of them.
    Arguments not differentiated are passed through unchanged. Called with floats it
    returns floats; called with Values, or inside another grad's function (nested,
    as in grad(grad(f))), it returns Values, differentiable again to any order.
    """
    positions = _check_argnums(argnums)

    @wraps(f)
    def wrapped(*args: Any, **kwargs: Any) -> tuple:
        global _depth
        for i in positions:
            if i >= len(args):
                raise TypeError(
                    f"argnums={argnums!r} asks for positional argument {i}, but "
                    f"{_name(f)} was called with {len(args)}; pass it positionally")
        args = list(args)
        nested = _depth > 0 or any(isinstance(args[i], Value) for i in positions)
        inputs = []
        for i in positions:
            # A caller's Value (an outer grad's variable) gets a fresh node on top, where
            # this pass stops; the derivatives then come back as Values of it.
            arg = args[i]
            x = arg + 0.0 if isinstance(arg, Value) else Value(arg, label=f"arg{i}")
            args[i] = x
            inputs.append(x)
        _depth += 1
        try:
            out = f(*args, **kwargs)
        finally:
            _depth -= 1
        if isinstance(out, Value):
            derivatives = tuple(gradients(out, inputs, create_graph=nested))
            value = out if nested else out.data
        elif isinstance(out, (int, float)) and not isinstance(out, bool):
            derivatives = (0.0,) * len(inputs)  # f does not depend on its inputs
            value = float(out)
        else:
            raise TypeError(
                f"grad only applies to functions returning one real number (a Value or "
                f"float); {_name(f)} returned {type(out).__name__}. For several outputs, "
                "differentiate each one, e.g. grad(lambda x: f(x)[0])")
        return value, (derivatives[0] if isinstance(argnums, int) else derivatives)

    return wrapped


def grad(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """Wrap f so that it returns df/d(args[argnums]); grad(grad(f)) is the second derivative."""
    with_value = value_and_grad(f, argnums)

    @wraps(f)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return with_value(*args, **kwargs)[1]

    return wrapped


class GradcheckError(AssertionError):
    """Backpropagated derivatives disagree with central finite differences."""


def gradcheck(f: Callable[..., Value], inputs: Sequence[float], eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-4) -> bool:
    """Compare f's backprop derivatives with central differences; True or GradcheckError.

    f takes one Value per entry of inputs and returns a Value. An input passes when
    |analytic - numeric| <= atol + rtol * |numeric|.
    """
    points = [float(x) for x in inputs]
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
