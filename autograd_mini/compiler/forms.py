"""The rows of ops.py as templates for generated code, rewritten with the ast module.

A row's value and slopes are expressions in x, y, out, its parameter and its `let`
temporaries. Each becomes a template whose names are fields: {a} and {b} for the
operands, {c} for the constant (a parameter, or the number in x * 3), {out} for the
result and {t_e} for a temporary e, so that a node's line is `template.format(...)`.
Only `**` differs from its row: Value.__pow__ and __rpow__ compute it through
numeric.power and power_slope (0 ** y, negative bases), and so does generated code.

A worked form: ops.py's row

    Unary("tanh", "tanh(x)", "1.0 - out * out if -0.5 < out < 0.5 else 0.0 if abs(x) > 400.0 "
          "else 4.0 * (e := exp(-2.0 * abs(x))) / ((1.0 + e) * (1.0 + e))", activation=True)

becomes FORMS["tanh"], which holds

    value   'tanh({a})'
    slopes  ('tanh_slope({out}, {a})',)

Its slope, too large to compile again at every node, is a call of a helper written once
from the row's own text, HELPERS["tanh_slope"]:

    def tanh_slope(out, x):
        return 1.0 - out * out if -0.5 < out < 0.5 else 0.0 if ... (the row's slope)

For `(x * 0.5).tanh()`, whose tanh is node 2 reading node 1, codegen fills the fields
with a="v1" and out="v2" and writes in forward_0

    v2 = tanh(v1)  # tanh
    d2 = tanh_slope(v2, v1)

and backward_0 reads d2 back (through S[0]) for the term `d2 * g2`.
"""
from __future__ import annotations

import ast
import math
import weakref
from typing import Any, Callable, Iterable, Iterator, NamedTuple

from autograd_mini.numeric import INF, power, power_slope
from autograd_mini.opgen import Op, _float_namespace
from autograd_mini.ops import BINARY, PAIRWISE, UNARY

__all__ = ["Form", "FORMS", "HELPERS", "namespace", "literal", "TEMPORARIES", "form_of",
           "primitive_names"]


def _pow_values(x: float, y: float) -> float:
    """x ** y for two Values, refusing a negative base as Value.__pow__ does."""
    if x < 0:
        raise ValueError("negative base")  # the caller replays eagerly for eager's message
    return power(x, y)


def namespace() -> dict:
    """The globals of generated code: the rows' functions and constants, and the helpers."""
    return dict(_float_namespace(), power=power, power_slope=power_slope,
                pow_values=_pow_values, NAN=math.nan, __builtins__={"abs": abs, "sum": sum},
                **_HELPER_FUNCTIONS)


def literal(x: float) -> str:
    """x as Python source: a float literal, or INF / NAN, negative ones in parentheses."""
    x = float(x)  # the repr of a float, never of a subclass or a numpy scalar
    if x != x:
        return "NAN"
    text = "INF" if x == INF else "(-INF)" if x == -INF else repr(x)
    return f"({text})" if text.startswith("-") else text


class Form(NamedTuple):
    """An op's row as templates, and how its value line may be folded into another."""

    lets: tuple[tuple[str, str], ...]  # (temporary, template)
    value: str
    slopes: tuple[str, ...]
    slope_kinds: tuple[str, ...]       # "constant", "a", "b", "out" or "expr", per slope
    temporaries: tuple[str, ...]
    comment: str
    top: int                           # how tightly the value's outer operation binds
    needs: dict                        # field -> the least binding an expression needs there
    producer: bool                     # the value may be written inside its reader's line
    consumer: tuple[str, ...]          # fields that may hold such a value: a NaN or inf in
    #                                    them makes the value NaN or inf (it is checked)
    joint: str                         # a helper's call giving value and slopes, or ""


# How tightly Python binds: a lower number needs parentheses inside a higher one.
_BINDING = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}
_ATOM, _UNARY = 5, 3


class _Fields(ast.NodeTransformer):
    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = fields
        self.used: set[str] = set()

    def visit_Name(self, node: ast.Name) -> ast.Name:
        field = self.fields.get(node.id)
        if field is None:
            return node
        self.used.add(field)
        return ast.copy_location(ast.Name(id="{" + field + "}", ctx=node.ctx), node)


def _template(tree: ast.expr, fields: dict[str, str]) -> tuple[str, set[str], ast.expr]:
    renamer = _Fields(fields)
    tree = renamer.visit(tree)
    return ast.unparse(tree), renamer.used, tree


def _parse(text: str) -> ast.expr:
    if "{" in text or "}" in text:
        raise ValueError(f"ops.py: braces in {text!r} would break its template")
    return ast.parse(text, mode="eval").body


def _field(node: ast.expr) -> str | None:
    return node.id[1:-1] if isinstance(node, ast.Name) and node.id.startswith("{") else None


def _shape(tree: ast.expr) -> tuple[int, dict[str, int], tuple[str, ...]]:
    """The value's binding, what each operand field at its top needs, and the fields that
    pass a NaN or inf on (both sides of + - *, the left of /, the operand of -x)."""
    if isinstance(tree, ast.BinOp) and type(tree.op) in _BINDING:
        binding = _BINDING[type(tree.op)]
        left, right = _field(tree.left), _field(tree.right)
        power = isinstance(tree.op, ast.Pow)  # right-associative: 2 ** -x is fine
        needs = {left: _ATOM if power else binding, right: _UNARY if power else binding + 1}
        passing = (left,) + (() if isinstance(tree.op, (ast.Div, ast.Pow)) else (right,))
        return binding, needs, tuple(field for field in passing if field)
    if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.USub):
        operand = _field(tree.operand)
        return _UNARY, {operand: _UNARY}, (operand,) if operand else ()
    atom = isinstance(tree, (ast.Name, ast.Constant, ast.Call))
    return (_ATOM if atom else 0), {}, ()


# Expressions larger than this (in ast nodes) become a helper function, written once from
# the row: compiling tanh's slope inline costs ~40 us per node, calling it ~13 ns per run.
_LARGEST_INLINE = 20


def _size(tree: ast.AST) -> int:
    return sum(1 for _ in ast.walk(tree))


def _names(tree: ast.AST, among: list[str]) -> list[str]:
    found = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    return [name for name in among if name in found]


def _helper(name: str, arguments: list[str], lines: list[str], result: str) -> tuple[str, str]:
    """A helper written from a row's own text (in its own names: x, out, alpha, ...): a
    call of it, and its source."""
    body = "".join(f"    {line}\n" for line in lines)
    call = f"{name}({', '.join(arguments)})"
    return call, f"def {call}:\n{body}    return {result}\n"


def _outlined(name: str, statements: list[str], value: str, slopes: tuple[str, ...],
              inputs: list[str]) -> tuple[list[str], list[ast.expr], str, dict[str, str]]:
    """The row with its large parts moved into helpers: the let statements left inline,
    the trees of the value and the slopes, the call of a helper giving value and slopes
    together (or ""), and the helpers' sources by name. `inputs` are the row's own names
    for its operands and parameter."""
    trees = [_parse(text) for text in (value, *slopes)]
    size = sum(map(_size, trees)) + sum(_size(ast.parse(line)) for line in statements)
    if statements and size > _LARGEST_INLINE:
        # value and slopes share the temporaries: one helper returns them all
        helper = f"{name}_with_slope"
        joint, source = _helper(helper, inputs, [*statements, f"out = {value}"],
                                f"out, {', '.join(slopes)}")
        return [], [trees[0], *(_parse("out") for _ in slopes)], joint, {helper: source}
    helpers: dict[str, str] = {}
    if not statements:
        for n, tree in enumerate(trees[1:], 1):
            if _size(tree) > _LARGEST_INLINE:
                helper = f"{name}_slope"
                call, helpers[helper] = _helper(helper, _names(tree, ["out", *inputs]), [],
                                                ast.unparse(tree))
                trees[n] = _parse(call)
    return statements, trees, "", helpers


def _temporaries(lets: list[ast.Assign], trees: list[ast.expr]) -> list[str]:
    """The names the row binds: its let statements' targets, then its walrus targets."""
    found = [statement.targets[0].id for statement in lets]
    for tree in trees:
        found += [node.target.id for node in ast.walk(tree) if isinstance(node, ast.NamedExpr)]
    return found


def _slope_kind(template: str, used: set[str], joint: str) -> str:
    """How codegen reads a slope: "constant" (a number at compile time), the field it is
    ("a", "b", "out"), or "expr" (a line of its own, or the joint helper's result)."""
    if joint:
        return "expr"
    if used <= {"c"}:
        return "constant"
    return template[1:-1] if template in ("{a}", "{b}", "{out}") else "expr"


def _form(name: str, let: str, value: str, slopes: tuple[str, ...], row_fields: dict[str, str],
          comment: str) -> tuple[Form, dict[str, str]]:
    """The Form of one row, and the sources of the helpers it calls by name; `row_fields`
    maps the row's names for its operands and parameter to their fields."""
    statements = [line.strip() for line in let.split(";") if line.strip()]
    statements, trees, joint, helpers = _outlined(name, statements, value, slopes,
                                                  list(row_fields))
    lets = [ast.parse(line).body[0] for line in statements]
    temporaries = _temporaries(lets, trees)
    fields = dict(row_fields, out="out", **{t: f"t_{t}" for t in temporaries})
    let_templates = tuple((statement.targets[0].id, _template(statement.value, fields)[0])
                          for statement in lets)
    value_text, _, value_tree = _template(trees[0], fields)
    slope_texts, kinds = [], []
    for tree in trees[1:]:
        text, used, _ = _template(tree, fields)
        slope_texts.append(text)
        kinds.append(_slope_kind(text, used, joint))
    top, needs, passing = _shape(value_tree)
    # a value that is one arithmetic operation on operands, with slopes that do not read it
    producer = not temporaries and not joint and set(kinds) <= {"constant", "a", "b"} and \
        isinstance(value_tree, (ast.BinOp, ast.UnaryOp))
    consumer = passing if set(kinds) == {"constant"} else ()
    joint_call = _template(_parse(joint), fields)[0] if joint else ""
    form = Form(let_templates, value_text, tuple(slope_texts), tuple(kinds),
                tuple(temporaries), comment, top, needs, producer, consumer, joint_call)
    return form, helpers


# Value.__pow__ and __rpow__ go through numeric.power and power_slope, not the row's text.
_POWER_VALUES = {"**": "pow_values(x, y)", "**:right": "power(x, y)", "**:left": "power(x, y)"}


def _rows() -> Iterator[tuple[str, str, str, tuple[str, ...], dict[str, str], str]]:
    """Each op's key and its row's text as _form takes it: let, value, slopes, the fields
    of the row's names, comment. A binary row gives three ops: x op y, x op c, c op x."""
    for row in UNARY:
        fields = {"x": "a", **({row.param[0]: "c"} if row.param else {})}
        yield row.name, row.let, row.value, (row.slope,), fields, row.name
    for row in BINARY:
        left, right = row.slopes
        if row.symbol == "**":
            left = "power_slope(x, y)"
        for side, slopes, fields in (("", (left, right), {"x": "a", "y": "b"}),
                                     (":right", (left,), {"x": "a", "y": "c"}),
                                     (":left", (right,), {"x": "c", "y": "a"})):
            key = row.symbol + side
            yield key, "", _POWER_VALUES.get(key, f"x {row.symbol} y"), slopes, fields, ""
    for row in PAIRWISE:  # maximum(x, y), maximum(x, c), maximum(c, y): one value, as eager
        left, right = row.slopes
        for side, slopes, fields in (("", (left, right), {"x": "a", "y": "b"}),
                                     (":right", (left,), {"x": "a", "y": "c"}),
                                     (":left", (right,), {"x": "c", "y": "a"})):
            yield row.name + side, "", row.value, slopes, fields, row.name


def _forms() -> tuple[dict[str, Form], dict[str, str]]:
    """Every op's Form by key, and the sources of the helpers they call by name."""
    forms: dict[str, Form] = {}
    helpers: dict[str, str] = {}
    for key, *row in _rows():
        forms[key], made = _form(key, *row)
        helpers.update(made)
    return forms, helpers


def _compiled(helpers: dict[str, str]) -> dict[str, Callable]:
    """The helper functions, compiled from their sources over the rows' float names."""
    scope = _float_namespace()
    exec(compile("\n".join(helpers.values()), "<autograd_mini.compiler.forms helpers>", "exec"),
         scope)
    return {name: scope[name] for name in helpers}


# FORMS: op key -> Form; HELPERS: name -> source of a helper function generated code calls
FORMS, HELPERS = _forms()
TEMPORARIES = sorted({name for form in FORMS.values() for name in form.temporaries})
_HELPER_FUNCTIONS = _compiled(HELPERS)


# -- users' primitives: a call of the evaluator eager uses, so the floats are eager's ---
# A primitive's function and slopes are the user's Python, not text to rewrite: its node
# becomes `v7, d7 = primitive3(v3)`, primitive3 being the float evaluator behind the
# eager node (Primitive.floats), under a name of ours.
_PRIMITIVE_FORMS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_PRIMITIVE_CALLS = {"": ("floats", "{a}, {b}"), "right": ("floats_right", "{a}, {c}"),
                    "left": ("floats_left", "{c}, {a}")}


def form_of(op: Op) -> Form:
    """The Form of op: its row's, or for a user's primitive a call of its evaluator."""
    form = FORMS.get(op.key)
    if form is not None:
        return form
    forms = _PRIMITIVE_FORMS.setdefault(op.primitive, {})
    form = forms.get(op.constant)
    if form is None:
        form = forms[op.constant] = _primitive_form(op)
    return form


def _primitive_form(op: Op) -> Form:
    primitive, side = op.primitive, op.constant
    operands = "{a}" if primitive.arity == 1 else _PRIMITIVE_CALLS[side][1]
    slopes = primitive.arity if side == "" else 1
    name = primitive.name
    comment = name if name.isidentifier() else repr(name)  # never a line break in code
    return Form((), "", ("{out}",) * slopes, ("expr",) * slopes, (), comment, _ATOM, {},
                False, (), f"{_evaluator_name(op)}({operands})")


def _evaluator_name(op: Op) -> str:
    return f"primitive{op.primitive.serial}" + (op.constant and "_" + op.constant)


def primitive_names(ops: Iterable[Op | None]) -> dict[str, Callable[..., Any]]:
    """The evaluators the generated code of these ops calls, by the names it uses."""
    found = {}
    for op in set(ops):
        if op is not None and op.primitive is not None:
            method = _PRIMITIVE_CALLS[op.constant][0] if op.primitive.arity == 2 else "floats"
            found[_evaluator_name(op)] = getattr(op.primitive, method)
    return found
