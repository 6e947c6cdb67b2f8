"""A safe formula parser for the CLI: Python's `ast` with a whitelist, never `eval`.

Allowed: numbers, names given a value, `+ - * / **`, unary minus and plus, and calls
of the Value functions in API.md (exp, log, tanh, sigmoid, relu, leaky_relu, sin,
cos, sqrt, abs). Everything else raises FormulaError, which points at the culprit.
"""
from __future__ import annotations

import ast
import math
import operator
from collections.abc import Mapping

from autograd_mini.engine import Value

MAX_LENGTH = 1000
MAX_DEPTH = 100

FUNCTIONS = ("exp", "log", "tanh", "sigmoid", "relu", "leaky_relu", "sin", "cos", "sqrt", "abs")

_OPERATORS = {
    ast.Add: ("+", operator.add), ast.Sub: ("-", operator.sub), ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv), ast.Pow: ("**", operator.pow),
}

# Friendly names for what people are most likely to try; anything else uses the class name.
_REFUSED = {
    ast.Attribute: "attribute access", ast.Subscript: "a subscript", ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension", ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension", ast.GeneratorExp: "a comprehension",
    ast.Compare: "a comparison", ast.BoolOp: "and/or", ast.IfExp: "an if-expression",
    ast.NamedExpr: "an assignment", ast.JoinedStr: "an f-string", ast.Starred: "a starred argument",
    ast.Tuple: "a tuple", ast.List: "a list", ast.Dict: "a dict", ast.Set: "a set",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield",
}


class FormulaError(ValueError):
    """A formula or variable the parser refuses; `column` (0-based) points at the culprit."""

    def __init__(self, message: str, text: str = "", column: int | None = None,
                 width: int = 1) -> None:
        self.message, self.text, self.column = message, text, column
        shown = message
        if text and column is not None:
            column = min(max(column, 0), len(text))
            shown += f" (at column {column + 1})\n  {text}\n  {' ' * column}{'^' * max(width, 1)}"
        super().__init__(shown)


def _span(node: ast.AST, text: str) -> tuple[int, int]:
    """Character column and width of a node (ast counts UTF-8 bytes, not characters)."""
    encoded = text.encode("utf-8")
    start = len(encoded[: node.col_offset].decode("utf-8", "ignore"))
    end_offset = getattr(node, "end_col_offset", None) or node.col_offset + 1
    end = len(encoded[:end_offset].decode("utf-8", "ignore"))
    return start, max(end - start, 1)


def _parse_tree(text: str) -> ast.expr:
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is {len(text)} characters long; the limit is "
                           f"{MAX_LENGTH}")
    for column, char in enumerate(text):
        if not char.isprintable():
            raise FormulaError(f"the formula must be one line of printable text; found "
                               f"{char!r}", text.replace(char, " "), column)
    if not text:
        raise FormulaError("the formula is empty; write an expression such as tanh(a*b + c)")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        # Python gives no offset (or 0) when the text ends too early: point past the end.
        column = error.offset - 1 if error.offset and error.offset > 0 else len(text)
        raise FormulaError(f"not a valid formula: {error.msg}", text, column) from None
    except (ValueError, RecursionError, MemoryError) as error:
        raise FormulaError(f"not a valid formula: {error}", text) from None
    _check_depth(tree.body, text)
    return tree.body


def _check_depth(root: ast.AST, text: str) -> None:
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise FormulaError(f"the formula is nested more than {MAX_DEPTH} levels deep",
                               text, *_span(node, text))
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


class _Evaluator:
    """Builds the Value graph for a checked tree; every refusal names its node."""

    def __init__(self, text: str, leaves: Mapping[str, Value]) -> None:
        self.text, self.leaves = text, leaves

    def fail(self, message: str, node: ast.AST) -> FormulaError:
        return FormulaError(message, self.text, *_span(node, self.text))

    def apply(self, node: ast.AST, what: str, function, *args):
        # Plain numbers are computed as Values too, so that domain errors and
        # overflow follow the engine's rules and arrive here as exceptions.
        if not any(isinstance(arg, Value) for arg in args):
            args = (Value(args[0], label=_number_label(args[0])),) + args[1:]
        try:
            result = function(*args)
        except (ArithmeticError, ValueError, TypeError) as error:
            raise self.fail(f"{what} failed: {error}", node) from None
        if not isinstance(result, Value) or not math.isfinite(result.data):
            raise self.fail(f"{what} gave {getattr(result, 'data', result)!r}, not a finite "
                            "number", node)
        return result

    def visit(self, node: ast.AST) -> Value | float:
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.visit(node.operand)
            if isinstance(node.op, ast.UAdd):
                return operand
            if isinstance(operand, float):  # a negative number, not an op
                return -operand
            return self.apply(node, "-", operator.neg, operand)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            symbol, function = _OPERATORS[type(node.op)]
            return self.apply(node, symbol, function, self.visit(node.left), self.visit(node.right))
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, (ast.BinOp, ast.UnaryOp)):
            refused = type(node.op).__name__
            raise self.fail(f"the operator {refused} is not allowed; use + - * / **", node)
        kind = _REFUSED.get(type(node), type(node).__name__)
        raise self.fail(f"{kind} is not allowed in a formula; use numbers, names, "
                        "+ - * / ** and function calls", node)

    def number(self, node: ast.Constant) -> float:
        if type(node.value) not in (int, float):
            raise self.fail(f"only numbers are allowed as constants, not {node.value!r}", node)
        try:
            number = float(node.value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise self.fail("this number is too large", node)
        return number

    def name(self, node: ast.Name) -> Value:
        if node.id.startswith("__"):
            raise self.fail(f"dunder names such as {node.id!r} are not allowed", node)
        if node.id in FUNCTIONS:
            raise self.fail(f"{node.id!r} is a function; call it, as in {node.id}(x)", node)
        if node.id not in self.leaves:
            raise self.fail(f"{node.id!r} has no value; give it one, as in {node.id}=1.5", node)
        return self.leaves[node.id]

    def call(self, node: ast.Call) -> Value:
        function = node.func
        if not isinstance(function, ast.Name) or function.id not in FUNCTIONS:
            shown = ast.get_source_segment(self.text, function) or "this"
            raise self.fail(f"{shown!r} is not a known function; use one of "
                            f"{', '.join(FUNCTIONS)}", function)
        if node.keywords:
            raise self.fail("keyword arguments are not allowed; write leaky_relu(x, 0.1)",
                            node.keywords[0].value)
        arity = (1, 2) if function.id == "leaky_relu" else (1,)
        if len(node.args) not in arity:
            raise self.fail(f"{function.id}() takes {' or '.join(map(str, arity))} "
                            f"argument(s), got {len(node.args)}", node)
        argument = self.visit(node.args[0])
        extra = [self.visit(arg) for arg in node.args[1:]]
        if extra and not isinstance(extra[0], float):
            raise self.fail("the slope of leaky_relu must be a number", node.args[1])
        method = abs if function.id == "abs" else operator.methodcaller(function.id, *extra)
        return self.apply(node, function.id, method, argument)


def _number_label(number: float) -> str:
    return f"{number:g}"


def check_name(name: str) -> str:
    """Return `name` if it can be a formula variable, else raise FormulaError."""
    if not name.isidentifier() or name.startswith("__"):
        raise FormulaError(f"{name!r} is not a variable name; use letters, digits and _ "
                           "(not starting with a digit or __)")
    if name in FUNCTIONS:
        raise FormulaError(f"{name!r} is a function name; choose another variable name")
    return name


def parse_number(text: str | float, name: str = "value") -> float:
    """A finite float from a number or text such as '2', '-3.5' or '1e-3', else FormulaError."""
    try:
        number = float(text)
    except (TypeError, ValueError, OverflowError):
        raise FormulaError(f"{name}={text!r} is not a number; write e.g. {name}=1.5") from None
    if not math.isfinite(number):
        raise FormulaError(f"{name}={text!r} is not a finite number")
    return number


def parse_assignment(text: str) -> tuple[str, float]:
    """Split 'name=value' into a checked name and a finite float."""
    name, equals, value = text.partition("=")
    if not equals:
        raise FormulaError(f"{text!r} is not of the form name=value, e.g. a=2")
    name = check_name(name.strip())
    return name, parse_number(value.strip(), name)


def build(formula: str, values: Mapping[str, float]) -> tuple[Value, dict[str, Value]]:
    """Parse `formula` and build its Value graph from `values`: (root, leaf per name).

    Each name gets a leaf Value labelled with it; a constant formula gives a leaf root.
    """
    if not isinstance(formula, str):
        raise FormulaError(f"a formula must be a string, not {type(formula).__name__}")
    formula = formula.strip()
    leaves = {check_name(name): Value(parse_number(value, name), label=name)
              for name, value in values.items()}
    root = _Evaluator(formula, leaves).visit(_parse_tree(formula))
    if not isinstance(root, Value):
        root = Value(root, label=_number_label(root))
    return root, leaves


def evaluate(formula: str, values: Mapping[str, float]) -> float:
    """The value of `formula` at `values`, computed through the Value engine."""
    return build(formula, values)[0].data
