"""jacobian, hessian, jvp and vjp of plain functions, HIPS autograd / JAX style.

Shapes follow JAX's pytrees. An argument is a number or a list, tuple or dict of them,
nested (trees.py); f's output is a number or a list of them. A derivative has the
output's shape outside and the argument's inside: jacobian's rows are outputs, each
shaped as the argument, and hessian is shaped [argument][argument]. An int argnums gives
that block; a tuple gives one block per argument, as grad gives a tuple of partials
(hessian: a tuple of tuples). Floats in, floats out; called with Values or inside a
differentiated function, Values, differentiable again (as value_and_grad).
"""
from __future__ import annotations

from functools import wraps
from numbers import Real
from typing import Any, Callable, Sequence

from .backprop import gradients, topological_order
from .decisions import Decisions
from .engine import Value, recording
from .functional import _check_argnums, _depth, _name, _number, _prepare
from .nonfinite import describe
from .numeric import NonFiniteGradientError, to_float, within
from .opgen import micrograd_node_error
from .rule_arithmetic import rule_with_ieee_arithmetic
from .trees import NUMBER, Structure, leaves_like, paths, rebuild, rebuild_each, sequence, spans

__all__ = ["jacobian", "hessian", "jvp", "vjp"]

_OPT_OUT = "or pass allow_nonfinite=True to get IEEE inf/NaN instead of this error"


def jacobian(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0, *,
             allow_nonfinite: bool = False) -> Callable[..., Any]:
    """Wrap f so that it returns d f(*args) / d args[argnums]: rows are outputs (reverse mode).

    f returns a number or a list of them. For a list, the result is a list with one row
    per output, each shaped as the argument (a list, tuple or dict, nested, as grad's
    derivative); for a number, the one row itself.
    """
    positions = _check_argnums(argnums)

    @wraps(f)
    @recording()
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        inputs = _prepare("jacobian", f, args, positions)
        roots, out_structure = _outputs("jacobian", f, _call(f, inputs.args, kwargs))
        matrix = [_row(root, inputs.leaves, inputs.nested, allow_nonfinite) for root in roots]
        rows = (out_structure, range(len(roots)))
        blocks = [_block(matrix, rows, columns) for columns in _columns(inputs.structures)]
        return blocks[0] if isinstance(argnums, int) else tuple(blocks)

    return wrapped


def hessian(f: Callable[..., Any], argnums: int | tuple[int, ...] = 0, *,
            allow_nonfinite: bool = False) -> Callable[..., Any]:
    """Wrap f (one number out) so that it returns its second derivatives, exactly symmetric.

    Shaped as JAX's, `[argument][argument]`: one row per number of the argument, set where
    that number sits, each row shaped as the argument; so `hessian(f)(p)["a"][1]` is
    `d2f / dp["a"] dp[1]`. A flat list gives a list of lists, a number a number.
    """
    positions = _check_argnums(argnums)

    @wraps(f)
    @recording()
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        inputs = _prepare("hessian", f, args, positions)
        roots, out_structure = _outputs("hessian", f, _call(f, inputs.args, kwargs))
        if out_structure is not NUMBER:
            raise TypeError(f"hessian needs {_name(f)} to return one number; it returned a list of "
                            f"{len(roots)}. For several outputs use jacobian(jacobian(f))")
        first = _row(roots[0], inputs.leaves, True, allow_nonfinite)
        matrix = [_row(slope, inputs.leaves, inputs.nested, allow_nonfinite) for slope in first]
        for i, row in enumerate(matrix):
            # d2f/dxi dxj and d2f/dxj dxi may differ in the last bit: mirror the upper triangle
            row[:i] = [matrix[j][i] for j in range(i)]
        cuts = _columns(inputs.structures)  # the rows are the same numbers as the columns
        blocks = tuple(tuple(_block(matrix, rows, columns) for columns in cuts) for rows in cuts)
        return blocks[0][0] if isinstance(argnums, int) else blocks

    return wrapped


@recording()
def jvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any], *,
        allow_nonfinite: bool = False) -> tuple[Any, Any]:
    """(f(*primals), f's derivative along tangents), by one forward pass over f's graph.

    Each tangent is shaped as its primal (a number, or a list, tuple or dict of them);
    the tangent out is shaped as f's output. A zero tangent does not move its input, so
    an infinite slope there is no error.
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
    for i, (tangent, structure) in enumerate(zip(tangents, inputs.structures)):
        seeds += _directions(tangent, structure, f"jvp: tangents[{i}]", f"primals[{i}]")
    nested = inputs.nested or any(isinstance(seed, Value) for seed in seeds)
    roots, out_structure = _outputs("jvp", f, _call(f, inputs.args, {}))
    tangent_of: dict[Value, Any] = dict(zip(inputs.leaves, seeds))
    decisions = Decisions()  # nested tangents a rule's choice reached (decisions.py)
    for root in roots:
        if isinstance(root, Value):
            # Shared nodes keep the tangent an earlier output's order gave them.
            for node in topological_order(root, inputs.leaves):
                if node not in tangent_of:
                    if node.parent1 is not None and nested:
                        decisions.pass_forward(node)
                    tangent_of[node] = 0.0 if node.parent1 is None else _tangent(
                        node, tangent_of, nested, allow_nonfinite)
    values = [_value(root, nested) for root in roots]
    outs = [tangent_of[root] if isinstance(root, Value) else 0.0 for root in roots]
    for root, out in zip(roots, outs):
        if isinstance(root, Value):
            decisions.mark_value(root, out)
    return rebuild(out_structure, values), rebuild(out_structure, outs)


@recording()
def vjp(f: Callable[..., Any], *primals: Any,
        allow_nonfinite: bool = False) -> tuple[Any, Callable[[Any], tuple]]:
    """(f(*primals), pullback): pullback(cotangent) is the tuple cotangent . df/d(primal).

    A primal may be a number or a list, tuple or dict of them; its entry is shaped as it.
    """
    inputs = _prepare("vjp", f, primals, range(len(primals)))
    roots, out_structure = _outputs("vjp", f, _call(f, inputs.args, {}))

    @recording()
    def pullback(cotangent: Any) -> tuple:
        """cotangent (shaped as f's output) . df/d(primal), one entry per primal, shaped as it."""
        weights = _directions(cotangent, out_structure, "vjp: the cotangent", "f's output")
        nested = inputs.nested or any(isinstance(weight, Value) for weight in weights)
        row = _row(_weighted_sum(roots, weights), inputs.leaves, nested, allow_nonfinite)
        return tuple(rebuild_each(inputs.structures, row))

    return rebuild(out_structure, [_value(root, inputs.nested) for root in roots]), pullback


# -- arguments and outputs ------------------------------------------------------
def _call(f: Callable, args: list, kwargs: dict) -> Any:
    """f(*args), counted as nested so that a grad inside it returns Values."""
    depth = _depth.set(_depth.get() + 1)
    try:
        return f(*args, **kwargs)
    finally:
        _depth.reset(depth)


def _outputs(name: str, f: Callable, out: Any) -> tuple[list, Structure]:
    """f's output as a list of Values and floats, and its Structure: a tuple's is a list's."""
    several = isinstance(out, (list, tuple))
    items = list(out) if several else [out]
    for k, item in enumerate(items):
        if not isinstance(item, Value):
            if isinstance(item, bool) or not isinstance(item, Real):
                what = f"a list whose entry {k} is " if several else ""
                raise TypeError(f"{name} needs {_name(f)} to return a number (a Value or float) or "
                                f"a list of them; it returned {what}{type(item).__name__} {item!r}")
            items[k] = to_float(item, f"{name}: {_name(f)}'s output")
    return items, (sequence(len(items)) if several else NUMBER)


def _directions(given: Any, structure: Structure, where: str, partner: str) -> list:
    """A tangent or cotangent shaped like its partner, flattened into finite floats or Values."""
    items = leaves_like(structure, given, where, partner)
    return [_number(item, f"{where}{path}") for item, path in zip(items, paths(structure))]


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
    if node._made_by.rule is None:  # made micrograd's way: a closure, reverse mode only
        raise micrograd_node_error(node, "jvp (forward mode)")
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


def _columns(structures: list[Structure]) -> list[tuple[Structure, range]]:
    """Each argument's Structure and its columns in the flat matrix."""
    return list(zip(structures, spans(structures)))


def _block(matrix: list[list], rows: tuple[Structure, range],
           columns: tuple[Structure, range]) -> Any:
    """The cells of matrix at rows x columns: the rows' shape outside, the columns' inside."""
    (row_structure, row_range), (column_structure, column_range) = rows, columns
    cut = slice(column_range.start, column_range.stop)
    return rebuild(row_structure, [rebuild(column_structure, matrix[r][cut]) for r in row_range])
