"""jacobian, hessian, jvp and vjp of plain functions, HIPS autograd / JAX style.

Shapes follow JAX. An argument is a number or a list of numbers, and so is f's output;
a derivative has the output's shape, then the argument's (rows are outputs). An int
argnums gives that block; a tuple gives one block per argument, as grad gives a tuple of
partials (hessian: a tuple of tuples). Floats in, floats out; called with Values or
inside a differentiated function, Values, differentiable again (as value_and_grad).
"""
from __future__ import annotations

from functools import wraps
from numbers import Real
from typing import Any, Callable, NamedTuple, Sequence, Union

from .backprop import gradients, topological_order
from .engine import Value, recording
from .functional import _check_argnums, _depth, _name
from .nonfinite import describe
from .numeric import NonFiniteGradientError, to_float, within
from .rule_arithmetic import rule_with_ieee_arithmetic

__all__ = ["jacobian", "hessian", "jvp", "vjp"]

Shape = Union[int, None]  # None: one number; n: a list of n numbers
_OPT_OUT = "or pass allow_nonfinite=True to get IEEE inf/NaN instead of this error"


class _Inputs(NamedTuple):
    args: list           # f's arguments, each differentiated number replaced by a fresh Value
    leaves: list         # those fresh Values, flattened in argument order
    shapes: list         # per differentiated argument, its Shape
    nested: bool         # derivatives must be Values: inside a transform, or given Values


def jacobian(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0, *,
             allow_nonfinite: bool = False) -> Callable[..., Any]:
    """Wrap f so that it returns d f(*args) / d args[argnums]: rows are outputs (reverse mode)."""
    positions = _check_argnums(argnums)

    @wraps(f)
    @recording()
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        inputs = _prepare("jacobian", f, args, positions)
        roots, out_shape = _outputs("jacobian", f, _call(f, inputs.args, kwargs))
        matrix = [_row(root, inputs.leaves, inputs.nested, allow_nonfinite) for root in roots]
        rows = (out_shape, range(len(roots)))
        blocks = [_block(matrix, rows, columns) for columns in _spans(inputs.shapes)]
        return blocks[0] if isinstance(argnums, int) else tuple(blocks)

    return wrapped


def hessian(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0, *,
            allow_nonfinite: bool = False) -> Callable[..., Any]:
    """Wrap f (one number out) so that it returns its second derivatives, exactly symmetric."""
    positions = _check_argnums(argnums)

    @wraps(f)
    @recording()
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        inputs = _prepare("hessian", f, args, positions)
        roots, out_shape = _outputs("hessian", f, _call(f, inputs.args, kwargs))
        if out_shape is not None:
            raise TypeError(f"hessian needs {_name(f)} to return one number; it returned a list of "
                            f"{out_shape}. For several outputs use jacobian(jacobian(f))")
        first = _row(roots[0], inputs.leaves, True, allow_nonfinite)
        matrix = [_row(slope, inputs.leaves, inputs.nested, allow_nonfinite) for slope in first]
        for i, row in enumerate(matrix):
            # d2f/dxi dxj and d2f/dxj dxi may differ in the last bit: mirror the upper triangle
            row[:i] = [matrix[j][i] for j in range(i)]
        spans = _spans(inputs.shapes)
        blocks = tuple(tuple(_block(matrix, rows, columns) for columns in spans) for rows in spans)
        return blocks[0][0] if isinstance(argnums, int) else blocks

    return wrapped


@recording()
def jvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any], *,
        allow_nonfinite: bool = False) -> tuple[Any, Any]:
    """(f(*primals), f's derivative along tangents), by one forward pass over f's graph.

    A zero tangent does not move its input, so an infinite slope there is no error.
    """
    for what, given in (("primals", primals), ("tangents", tangents)):
        if not isinstance(given, (list, tuple)):
            raise TypeError(f"jvp: {what} must be a tuple with one entry per argument of f, "
                            f"e.g. (0.3,) for one; got {type(given).__name__} {given!r}")
    if len(tangents) != len(primals):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents; pass one "
                         "tangent per primal, e.g. jvp(f, (x, y), (1.0, 0.0))")
    inputs = _prepare("jvp", f, primals, range(len(primals)))
    seeds = []
    for i, (tangent, shape) in enumerate(zip(tangents, inputs.shapes)):
        seeds += _directions(tangent, shape, f"jvp: tangents[{i}]", f"primals[{i}]")
    nested = inputs.nested or any(isinstance(seed, Value) for seed in seeds)
    roots, out_shape = _outputs("jvp", f, _call(f, inputs.args, {}))
    tangent_of: dict[Value, Any] = dict(zip(inputs.leaves, seeds))
    for root in roots:
        if isinstance(root, Value):
            # Shared nodes keep the tangent an earlier output's order gave them.
            for node in topological_order(root, inputs.leaves):
                if node not in tangent_of:
                    tangent_of[node] = 0.0 if node.parent1 is None else _tangent(
                        node, tangent_of, nested, allow_nonfinite)
    values = [_value(root, nested) for root in roots]
    outs = [tangent_of[root] if isinstance(root, Value) else 0.0 for root in roots]
    return _shaped(values, out_shape), _shaped(outs, out_shape)


@recording()
def vjp(f: Callable[..., Any], *primals: Any,
        allow_nonfinite: bool = False) -> tuple[Any, Callable[[Any], tuple]]:
    """(f(*primals), pullback): pullback(cotangent) is the tuple cotangent . df/d(primal)."""
    inputs = _prepare("vjp", f, primals, range(len(primals)))
    roots, out_shape = _outputs("vjp", f, _call(f, inputs.args, {}))

    @recording()
    def pullback(cotangent: Any) -> tuple:
        """cotangent (shaped as f's output) . df/d(primal), one entry per primal, shaped as it."""
        weights = _directions(cotangent, out_shape, "vjp: the cotangent", "f's output")
        nested = inputs.nested or any(isinstance(weight, Value) for weight in weights)
        row = _row(_weighted_sum(roots, weights), inputs.leaves, nested, allow_nonfinite)
        return tuple(_block([row], (None, range(1)), columns) for columns in _spans(inputs.shapes))

    return _shaped([_value(root, inputs.nested) for root in roots], out_shape), pullback


# -- arguments and outputs ------------------------------------------------------
def _prepare(name: str, f: Callable, args: Sequence, positions: Sequence[int]) -> _Inputs:
    """f's arguments with fresh Values where it is differentiated, as value_and_grad does."""
    for i in positions:
        if i >= len(args):
            raise TypeError(f"{name}: argnums asks for positional argument {i}, but {_name(f)} "
                            f"was called with {len(args)}; pass it positionally")
    args, leaves, shapes, given_values = list(args), [], [], False
    for i in positions:
        items, shape = _flat(args[i])
        given_values = given_values or any(isinstance(item, Value) for item in items)
        fresh = []
        for k, item in enumerate(items):
            at = f"{i}" if shape is None else f"{i}[{k}]"
            item = _number(item, f"{name}: argument {at}", ", a Value or a list of them "
                           "(an array: .tolist())")
            # A caller's Value gets a fresh node on top, where this pass stops.
            fresh.append(item + 0.0 if isinstance(item, Value) else Value(item, label=f"arg{at}"))
        if shape is None:
            fresh_arg: Any = fresh[0]
        else:
            fresh_arg = tuple(fresh) if isinstance(args[i], tuple) else fresh
        args[i] = fresh_arg
        leaves += fresh
        shapes.append(shape)
    return _Inputs(args, leaves, shapes, _depth.get() > 0 or given_values)


def _flat(x: Any) -> tuple[list, Shape]:
    return (list(x), len(x)) if isinstance(x, (list, tuple)) else ([x], None)


def _number(x: Any, where: str, also: str = " or a Value") -> Any:
    """x as a finite float, or x itself if a Value; else TypeError or ValueError naming where."""
    if isinstance(x, Value):
        return x
    if isinstance(x, bool) or not isinstance(x, Real):
        raise TypeError(f"{where} must be a real number{also}; got {type(x).__name__} {x!r}")
    number = to_float(x, where)
    if number - number:  # nonzero only for inf and NaN
        raise ValueError(f"{where} is {number!r}; NaN and infinity would poison every "
                         "derivative: pass a finite number")
    return number


def _call(f: Callable, args: list, kwargs: dict) -> Any:
    """f(*args), counted as nested so that a grad inside it returns Values."""
    depth = _depth.set(_depth.get() + 1)
    try:
        return f(*args, **kwargs)
    finally:
        _depth.reset(depth)


def _outputs(name: str, f: Callable, out: Any) -> tuple[list, Shape]:
    """f's output as a list of Values and floats, and its Shape."""
    items, shape = _flat(out)
    for k, item in enumerate(items):
        if not isinstance(item, Value):
            if isinstance(item, bool) or not isinstance(item, Real):
                what = "" if shape is None else f"a list whose entry {k} is "
                raise TypeError(f"{name} needs {_name(f)} to return a number (a Value or float) or "
                                f"a list of them; it returned {what}{type(item).__name__} {item!r}")
            items[k] = to_float(item, f"{name}: {_name(f)}'s output")
    return items, shape


def _directions(given: Any, shape: Shape, where: str, partner: str) -> list:
    """A tangent or cotangent shaped like its partner, flattened into finite floats or Values."""
    items, given_shape = _flat(given)
    if given_shape != shape:
        like = "one number" if shape is None else f"a list of {shape} numbers"
        raise ValueError(f"{where} must be {like}, shaped as {partner}; got {given!r}")
    return [_number(item, where if shape is None else f"{where}[{k}]")
            for k, item in enumerate(items)]


# -- derivatives ----------------------------------------------------------------
def _row(root: Value | float, leaves: list[Value], create_graph: bool,
         allow_nonfinite: bool) -> list:
    if isinstance(root, Value):
        return gradients(root, leaves, create_graph, allow_nonfinite)
    return [0.0] * len(leaves)  # a constant output (or derivative) moves with nothing


def _weighted_sum(roots: list, weights: list) -> Value | float:
    """sum(weight * root): one root, so that the pullback is one reverse pass."""
    total: Value | float = 0.0
    for root, weight in zip(roots, weights):
        if isinstance(root, Value) and not _is_zero(weight):
            term = root if weight.__class__ is float and weight == 1.0 else root * weight
            total = term if total.__class__ is float else total + term
    return total


def _tangent(node: Value, tangent_of: dict, nested: bool, allow_nonfinite: bool) -> Any:
    """Sum over node's parents of local slope * parent's tangent; nested, with the slopes
    rebuilt as Values by node's rule, so that the tangent is differentiable again."""
    moving = [tangent_of[parent] for parent in node.parents]
    if all(map(_is_zero, moving)):
        return 0.0
    slopes = node.local_grads
    # A zero tangent does not move its input, so an infinite slope there is no error.
    infinite = any(s - s for s, t in zip(slopes, moving) if not _is_zero(t))
    if infinite and not allow_nonfinite:
        raise _nonfinite_tangent(node, tangent_of)
    total: Any = 0.0
    try:
        if nested:  # an infinite slope is IEEE's inf, as a Value that keeps its derivative
            slopes = (rule_with_ieee_arithmetic(node) if any(s - s for s in slopes)
                      else node.local_grads_fn(node, *node.parents))
        for slope, t in zip(slopes, moving):
            if not (_is_zero(t) or nested and _is_zero(slope)):
                term = t if slope.__class__ is float and slope == 1.0 else slope * t
                total = term if _is_zero(total) else total + term
    except ValueError as error:  # a rule stepped outside its op's domain
        raise within(f"jvp through {describe(node)}", error) from error
    data = total if total.__class__ is float else total.data
    if data - data and not allow_nonfinite:  # nonzero only for inf and NaN
        raise _nonfinite_tangent(node, tangent_of)
    return total


def _nonfinite_tangent(node: Value, tangent_of: dict) -> NonFiniteGradientError:
    terms = ", ".join(f"slope {slope!r} times tangent {_value(tangent_of[parent], False)!r}"
                      for parent, slope in zip(node.parents, node.local_grads))
    return NonFiniteGradientError(
        f"jvp: the tangent became non-finite at {describe(node)}: {terms}",
        "Move the point away from there or scale the tangents down", node, _OPT_OUT)


# -- shapes -----------------------------------------------------------------------
def _is_zero(x: Any) -> bool:
    return x.__class__ is float and x == 0.0  # a Value is never a structural zero


def _value(x: Any, nested: bool) -> Any:
    return x if nested or not isinstance(x, Value) else x.data


def _shaped(items: list, shape: Shape) -> Any:
    return items[0] if shape is None else items


def _spans(shapes: list[Shape]) -> list[tuple[Shape, range]]:
    """Each argument's Shape and its columns in the flat matrix."""
    spans, start = [], 0
    for shape in shapes:
        width = 1 if shape is None else shape
        spans.append((shape, range(start, start + width)))
        start += width
    return spans


def _block(matrix: list[list], rows: tuple[Shape, range], columns: tuple[Shape, range]) -> Any:
    """The cells of matrix at rows x columns, shaped as JAX does: a number for a number."""
    (row_shape, row_range), (column_shape, column_range) = rows, columns
    return _shaped([_shaped([matrix[r][c] for c in column_range], column_shape)
                    for r in row_range], row_shape)
