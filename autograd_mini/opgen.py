"""Turns the rows of ops.py into Value methods and higher-order rules.

Each unary row becomes a method whose body is the row's text inlined (no call per op
beyond the method itself: as fast as writing it out by hand), and each row's slopes
become a rule over Values, with `a / b` and `a ** b` read as rule_arithmetic's divide
and power. The text is compiled from the table in this package, never from input, so
`exec` here runs only our own source.
"""
from __future__ import annotations

import ast
import linecache
import math
import operator
from typing import Any, Callable, Iterable, NamedTuple, Sequence

from .decisions import branches
from .numeric import (INF, DomainError, FloatOverflowError, refuse_nonfinite_number,
                      to_float)
from .ops import BINARY, PAIRWISE, PAIRWISE_BY_NAME, UNARY, UNARY_BY_NAME, Binary, Pairwise, Unary
from .rule_arithmetic import divide, on_slope, power

__all__ = ["Op", "LEAF", "install", "op_by_key", "register", "apply", "apply_op", "PAIRWISE_LEFT"]


class Op(NamedTuple):
    """What made a node: its symbol for people, its higher-order rule, where its constant
    operand or parameter (kept on the node) goes ("", "left", "right" or the parameter's
    name), and its key in the table of ops (how pickle refers to it).

    Ops that share a symbol may differ in rule: x / y, x / 2 and 2 / x are all "/".
    """
    symbol: str
    rule: Callable | None
    constant: str = ""
    key: str = ""
    branches: bool = False  # the rule chooses its formula by its operands' values
    primitive: Any = None   # the user's op (primitives.Primitive) it is a side of, if any

    def __reduce__(self) -> tuple:
        if self.primitive is not None:  # found again through its primitive's name
            return primitive_op, (self.primitive.findable(), self.constant)
        return op_by_key, (self.key,)  # the rules are generated code: pickled by name


_REGISTRY: dict[str, Op] = {}


def op_by_key(key: str) -> Op:
    """The op registered under key (for unpickling)."""
    return _REGISTRY[key]


def primitive_op(function: Any, side: str) -> Op:
    """The op of a user's primitive (the function @primitive made) on this side (for
    unpickling)."""
    return function.__primitive__.ops[side]


def register(op: Op) -> Op:
    """Make op picklable by its key."""
    _REGISTRY[op.key] = op
    return op


LEAF = register(Op("", None, key="leaf"))

_MICROGRAD = "micrograd:"  # the key's prefix of a node made as Value(data, (a, b), "*")


def micrograd_op(symbol: str) -> Op:
    """The op of nodes made micrograd's way, Value(data, children, symbol): no rule (their
    derivative is a first-order closure, out._backward), one op per symbol."""
    key = _MICROGRAD + symbol
    op = _REGISTRY.get(key)
    return op if op is not None else register(Op(symbol, None, key=key))


def is_micrograd_node(node: object) -> bool:
    """Whether node was made micrograd's way (its derivative is a closure, if any)."""
    return node._made_by.key.startswith(_MICROGRAD)


def micrograd_node_error(node: object, what: str) -> TypeError:
    """The error for a node made micrograd's way where a rule is needed."""
    label = f" {node.label!r}" if node.label else ""
    return TypeError(
        f"{what} cannot pass through the node{label} made as Value({node._data!r}, children, "
        f"{node._made_by.symbol!r}): its derivative is a first-order _backward closure, "
        "which only the plain backward() runs. Define the op with @autograd_mini.primitive "
        "(its slopes as functions) to get higher orders, compile_graph, jvp and the step "
        "player too")


def refuse_micrograd_nodes(nodes: Iterable, what: str) -> None:
    """micrograd_node_error for the first node made micrograd's way among nodes, if any."""
    for node in nodes:
        if node._made_by.key.startswith(_MICROGRAD):
            raise micrograd_node_error(node, what)


_MATH = ("exp", "log", "sqrt", "log1p", "expm1", "sin", "cos", "tan", "atan", "sinh", "cosh",
         "tanh", "erf", "erfc")
_CONSTANTS = {"INF": INF, "NAN": math.nan, "TWO_OVER_SQRT_PI": 2.0 / math.sqrt(math.pi),
              "INV_SQRT_2PI": 1.0 / math.sqrt(2.0 * math.pi), "SQRT2": math.sqrt(2.0)}


def _float_namespace() -> dict:
    names = {name: getattr(math, name) for name in _MATH}
    names.update(_CONSTANTS, is_zero=lambda v: v == 0)
    return names


def _value_namespace(value_class: type) -> dict:
    """The same names over Values; a plain number (a constant operand) stays a float."""
    def poly(name: str) -> Callable:
        float_function = getattr(math, name)
        return lambda v: getattr(v, name)() if v.__class__ is value_class else float_function(v)

    names = {name: poly(name) for name in _MATH}
    names.update(_CONSTANTS, is_zero=lambda v: (v._data if v.__class__ is value_class else v) == 0,
                 divide=divide, power=power, on_slope=on_slope)
    return names


class _OverValues(ast.NodeTransformer):
    """A rule's `a / b` and `a ** b` as divide(a, b) and power(a, b): over Values they keep
    their local slopes in range (rule_arithmetic.py), so that no second derivative is lost
    to an underflowing slope."""

    _FUNCTIONS = {ast.Div: "divide", ast.Pow: "power"}

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        function = self._FUNCTIONS.get(type(node.op))
        if function is None:
            return node
        call = ast.Call(ast.Name(function, ast.Load()), [node.left, node.right], [])
        return ast.copy_location(call, node)


def _compile(source: str, namespace: dict, name: str, over_values: bool = False) -> Callable:
    """The function `name` defined by source (over_values: a rule, read with _OverValues),
    with a file name that tracebacks and inspect.getsource can show the source of
    (linecache holds it, as for attrs' and dataclasses' generated code)."""
    filename = f"<autograd_mini.ops: {name}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    tree = ast.parse(source, filename)
    if over_values:
        tree = ast.fix_missing_locations(_OverValues().visit(tree))
    defined: dict[str, Callable] = {}  # not the namespace: `def tanh` must not hide math's tanh
    exec(compile(tree, filename, "exec"), namespace, defined)
    return defined[name]


def _lines(text: str, indent: str) -> str:
    return "".join(f"{indent}{statement.strip()}\n" for statement in text.split(";") if statement)


def _method_source(row: Unary) -> str:
    """def tanh(self[, param=default]): the row's checks, value and slope, inlined."""
    signature, checks, tail = "", "", "    return _unary(out, OP, self, local_grad)\n"
    hint = row.hint or "rescale the input"
    if row.param:
        param, default = row.param
        signature = f", {param}: float = {default!r}"
        where = f"{row.name}({param}=...)"
        checks = (f"    if {param}.__class__ is not float:\n"
                  f"        {param} = to_float({param}, {where!r})\n"
                  f"    if {param} - {param}:\n"
                  f"        refuse_nonfinite_number({where!r}, {param})\n")
        # the parameter times x may overflow where no math function would say so
        tail = (f"    if out - out:\n"
                f"        raise FloatOverflowError(f\"{row.name}({{x!r}}, {param}={{{param}!r}}) "
                f"overflows a float\", {hint!r}, {row.name!r}, (x, {param}))\n"
                f"    return _unary_with_constant(out, OP, self, local_grad, {param})\n")
    if row.domain:
        checks += (f"    if not ({row.domain}):\n"
                   f"        raise DomainError(f\"{row.name}({{x!r}}): {row.name} needs "
                   f"{row.domain}\", {row.hint!r}, {row.name!r}, (x,))\n")
    return (f"def {row.method or row.name}(self{signature}):\n"
            f"    x = self._data\n{checks}"
            f"    try:\n{_lines(row.let, '        ')}"
            f"        out = {row.value}\n"
            f"        local_grad = {row.slope}\n"
            f"    except OverflowError:\n"
            f"        raise FloatOverflowError(f\"{row.name}({{x!r}}) overflows a float\", "
            f"{hint!r}, {row.name!r}, (x,)) from None\n"
            # math refuses sin, cos and tan of an (allowed) infinity; IEEE says NaN
            f"    except ValueError:\n"
            f"        out = local_grad = NAN\n{tail}")


def _unary_rule_source(row: Unary) -> str:
    param = f"    {row.param[0]} = out.constant\n" if row.param else ""
    slope = _rule_text(row.slope, row.rule, 1)
    return (f"def {row.name}_rule(out, x):\n{param}{_lines(row.let, '    ')}"
            f"    return ({slope},)\n")


def _binary_rule_sources(row: Binary) -> dict[str, tuple[str, str]]:
    """(function name, source) of the rules of x op y, x op c and c op x, by key."""
    (left, right), (left_rule, right_rule) = row.slopes, row.rules
    both = (_rule_text(left, left_rule, 1), _rule_text(right, right_rule, 2))
    # a node of x op c or c op x has its one slope in local_grad1
    alone = (both[0], _rule_text(right, right_rule, 1))
    name = row.method.strip("_")  # "mul" for *
    return {row.symbol: (f"{name}_rule", f"def {name}_rule(out, x, y):\n"
                                         f"    return ({both[0]}, {both[1]})\n"),
            f"{row.symbol}:right": (f"{name}_right_rule", f"def {name}_right_rule(out, x):\n"
                                                          f"    y = out.constant\n"
                                                          f"    return ({alone[0]},)\n"),
            f"{row.symbol}:left": (f"{name}_left_rule", f"def {name}_left_rule(out, y):\n"
                                                        f"    x = out.constant\n"
                                                        f"    return ({alone[1]},)\n")}


def _pairwise_sources(row: Pairwise) -> dict[str, tuple[str, str]]:
    """(function name, source) of the method x.name(y) (a Value or a number y) and of
    name_left(c, y), the function of a number c and a Value y, by key."""
    (left, right), name = row.slopes, row.name
    constant = (f"    if out - out:\n"
                f"        refuse_nonfinite_number({name!r}, c)\n")
    method = (f"def {name}(self, other):\n"
              f"    x = self._data\n"
              f"    if other.__class__ is VALUE:\n"
              f"        y = other._data\n"
              f"        return _binary({row.value}, OP, self, {left}, other, {right})\n"
              f"    y = c = other if other.__class__ is float else to_float(other, {name + '(x, y)'!r})\n"
              f"    out = {row.value}\n{constant}"
              f"    return _unary_with_constant(out, OP_RIGHT, self, {left}, c)\n")
    left_function = (f"def {name}_left(c, other):\n"
                     f"    x = c = c if c.__class__ is float else to_float(c, {name + '(x, y)'!r})\n"
                     f"    y = other._data\n"
                     f"    out = {row.value}\n{constant}"
                     f"    return _unary_with_constant(out, OP_LEFT, other, {right}, c)\n")
    return {name: (name, method), f"{name}:left": (f"{name}_left", left_function)}


def _rule_text(slope: str, rule: str, position: int) -> str:
    """The slope as a rule reads it: the row's rule text where it has one, which is the
    slope up to rounding, set onto the node's float slope (local_grad<position>)."""
    return f"on_slope({rule}, out.local_grad{position})" if rule else slope


# By side (x op y, x op c, c op x): the slopes a binary rule gives, and the name it reads
# as the op's constant operand.
_SLOPES_USED = {"": lambda slopes: slopes, "right": lambda slopes: slopes[:1],
                "left": lambda slopes: slopes[1:]}
_CONSTANT_NAMES = {"": (), "right": ("y",), "left": ("x",)}


# name -> the function of a number and a Value, maximum(2.0, x): made by install
PAIRWISE_LEFT: dict[str, Callable] = {}


def install(value_class: type, unary: Callable, unary_with_constant: Callable,
            binary: Callable) -> dict[str, Op]:
    """Add every unary row's method to value_class; return every op by name.

    Unary ops are named as their rows ("tanh", "neg"); binary ones by symbol ("*"), with
    "*:right" for x * c and "*:left" for c * x (the constant kept on the node).
    """
    float_names, value_names = _float_namespace(), _value_namespace(value_class)
    ops: dict[str, Op] = {}
    for row in UNARY:
        rule = _compile(_unary_rule_source(row), dict(value_names), f"{row.name}_rule", True)
        op = ops[row.name] = register(Op(row.name, rule, row.param[0] if row.param else "",
                                          row.name, branches((row.rule or row.slope, row.let),
                                                             row.param[:1] if row.param else ())))
        namespace = dict(float_names, OP=op, _unary=unary, _unary_with_constant=unary_with_constant,
                         to_float=to_float, refuse_nonfinite_number=refuse_nonfinite_number,
                         DomainError=DomainError, FloatOverflowError=FloatOverflowError)
        name = row.method or row.name
        method = _compile(_method_source(row), namespace, name)
        method.__qualname__ = f"{value_class.__name__}.{name}"
        method.__module__ = value_class.__module__
        call = f"{row.name}(x, {row.param[0]}={row.param[1]!r})" if row.param else f"{row.name}(x)"
        method.__doc__ = f"{call}: {row.doc}."
        setattr(value_class, name, method)
    for row in BINARY:
        for key, (name, source) in _binary_rule_sources(row).items():
            side = key.partition(":")[2]
            used = [rule or slope for slope, rule in zip(row.slopes, row.rules)]
            ops[key] = register(Op(row.symbol, _compile(source, dict(value_names), name, True),
                                    side, key, branches(_SLOPES_USED[side](used),
                                                        _CONSTANT_NAMES[side])))
    for row in PAIRWISE:  # rules as a binary row's, named by the row's name
        rules = _binary_rule_sources(Binary(row.name, row.slopes, f"__{row.name}__"))
        for key, (name, source) in rules.items():
            side = key.partition(":")[2]
            ops[key] = register(Op(row.name, _compile(source, dict(value_names), name, True),
                                   side, key, branches(_SLOPES_USED[side](row.slopes),
                                                       _CONSTANT_NAMES[side])))
        namespace = dict(float_names, OP=ops[row.name], OP_RIGHT=ops[f"{row.name}:right"],
                         OP_LEFT=ops[f"{row.name}:left"], VALUE=value_class, _binary=binary,
                         _unary_with_constant=unary_with_constant, to_float=to_float,
                         refuse_nonfinite_number=refuse_nonfinite_number)
        sources = _pairwise_sources(row)
        method = _compile(sources[row.name][1], namespace, row.name)
        method.__qualname__ = f"{value_class.__name__}.{row.name}"
        method.__module__ = value_class.__module__
        method.__doc__ = f"{row.name}(x, y): {row.doc}."
        setattr(value_class, row.name, method)
        PAIRWISE_LEFT[row.name] = _compile(sources[f"{row.name}:left"][1], namespace,
                                           f"{row.name}_left")
    return ops


_OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
              "**": operator.pow}


def apply(key: str, operands: Sequence[Any], constant: float | None = None) -> Any:
    """The op of the table with this key applied to operands, as user code applies it:
    `apply("*", (a, b))` is a * b, `apply("*:right", (a,), 3.0)` is a * 3.0,
    `apply("*:left", (a,), 3.0)` is 3.0 * a, `apply("tanh", (a,))` is a.tanh() and
    `apply("leaky_relu", (a,), 0.2)` is a.leaky_relu(0.2) (no constant: the default).
    Every check and error is the operators' and methods' own."""
    symbol, _, side = key.partition(":")
    function = _OPERATORS.get(symbol)
    if function is not None:
        if side == "right":
            return function(operands[0], constant)
        if side == "left":
            return function(constant, operands[0])
        return function(*operands)
    if symbol in PAIRWISE_BY_NAME:
        if side == "right":
            return getattr(operands[0], symbol)(constant)
        if side == "left":
            return PAIRWISE_LEFT[symbol](constant, operands[0])
        x, y = operands
        return getattr(x, symbol)(y) if hasattr(x, symbol) else PAIRWISE_LEFT[symbol](x, y)
    row = UNARY_BY_NAME[key]
    method = getattr(operands[0], row.method or row.name)
    return method() if constant is None else method(constant)


def apply_op(op: Op, operands: Sequence[Any], constant: float | None = None) -> Any:
    """apply for an op of the table or a user's primitive (which the table does not hold)."""
    if op.primitive is not None:
        return op.primitive.apply(op.constant, operands, constant)
    return apply(op.key, operands, constant)
