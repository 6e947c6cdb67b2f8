"""A safe formula parser for the CLI: Python's `ast` with a whitelist, never `eval`.

Allowed: numbers, names given a value, `+ - * / **`, unary minus and plus, and calls
of the functions in ops.py's table (exp, log, tanh, ..., leaky_relu(x, 0.1), abs).
Everything else raises FormulaError, which points at the culprit.
"""
from __future__ import annotations

import ast
import math
import unicodedata
from collections.abc import Mapping

from autograd_mini.engine import Value
from autograd_mini.opgen import apply
from autograd_mini.ops import FUNCTIONS as TABLE_FUNCTIONS
from autograd_mini.ops import PAIRWISE_BY_NAME, UNARY_BY_NAME

# the table's functions, and clamp(x, min[, max]): its rows clamp_min then clamp_max
FUNCTIONS = (*TABLE_FUNCTIONS, "clamp")

MAX_LENGTH = 1000
MAX_DEPTH = 100


# The operators a formula may use, as the op table's keys (the symbols themselves).
_OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}

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
_REFUSED_OPERATORS = {
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.BitXor: "^", ast.BitAnd: "&",
    ast.BitOr: "|", ast.LShift: "<<", ast.RShift: ">>", ast.Invert: "~", ast.Not: "not",
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


def _span(node: ast.AST, text: str) -> tuple[int | None, int]:
    """Character column and width of a node (ast counts UTF-8 bytes, not characters)."""
    offset = getattr(node, "col_offset", None)
    if offset is None:  # operator and context nodes carry no position
        return None, 1
    encoded = text.encode("utf-8")
    start = len(encoded[:offset].decode("utf-8", "ignore"))
    end_offset = getattr(node, "end_col_offset", None) or offset + 1
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
    _check_nesting(text)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        # Python gives no offset (or 0) when the text ends too early: point past the end.
        column = error.offset - 1 if error.offset and error.offset > 0 else len(text)
        raise FormulaError(f"not a valid formula: {error.msg}", text, column) from None
    except (RecursionError, MemoryError) as error:
        # CPython's parser recurses once per operator in a chain such as -----a or a**a**a.
        raise FormulaError(f"the formula is too long or too deeply nested for Python's parser "
                           f"({type(error).__name__}); shorten it or split it into parts",
                           text) from None
    except ValueError as error:
        raise FormulaError(f"not a valid formula: {error}", text) from None
    return tree.body


def _check_nesting(text: str) -> None:
    """Refuse brackets nested more than MAX_DEPTH deep: the depth a reader sees.

    A chain such as a+a+...+a is deep in the syntax tree but flat to a reader, and the
    evaluator below needs no recursion, so only brackets count.
    """
    depth = 0
    for column, char in enumerate(text):
        if char in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise FormulaError(f"the formula is nested more than {MAX_DEPTH} levels deep "
                                   "(brackets inside brackets); simplify it", text, column)
        elif char in ")]}":
            depth -= 1


class _Evaluator:
    """Builds the Value graph for a parsed tree; every refusal names its node.

    The tree is walked with an explicit stack (children left to right, then the node), so
    a formula with many operators cannot exhaust Python's recursion limit.
    """

    def __init__(self, text: str, leaves: Mapping[str, Value]) -> None:
        self.text, self.leaves = text, leaves

    def fail(self, message: str, node: ast.AST) -> FormulaError:
        return FormulaError(message, self.text, *_span(node, self.text))

    def apply(self, node: ast.AST, key: str, operands: list[Value | float],
              constant: float | None = None, shown: str = "") -> Value:
        """The table's op `key` on the operands, as the engine applies it; an error names
        the op as `shown` (its key by default)."""
        shown = shown or key
        # Plain numbers are computed as Values too, so that domain errors and
        # overflow follow the engine's rules and arrive here as exceptions.
        if not any(isinstance(operand, Value) for operand in operands):
            operands = [Value(operands[0], label=_number_label(operands[0])), *operands[1:]]
        try:
            result = apply(key, operands, constant)
        except (ArithmeticError, ValueError, TypeError) as error:
            raise self.fail(f"{shown} failed: {error}", node) from None
        if not isinstance(result, Value) or not math.isfinite(result.data):
            raise self.fail(f"{shown} gave {getattr(result, 'data', result)!r}, not a finite "
                            "number", node)
        return result

    def evaluate(self, root: ast.AST) -> Value | float:
        """The Value (or plain number) of the tree below `root`."""
        results: list[Value | float] = []
        work: list[tuple[ast.AST, list[ast.AST] | None]] = [(root, None)]
        while work:
            node, operands = work.pop()
            if operands is None:  # first visit: check the node, then its operands
                operands = self.operands(node)
                work.append((node, operands))
                work.extend((operand, None) for operand in reversed(operands))
                continue
            arguments = results[len(results) - len(operands):]
            del results[len(results) - len(operands):]
            results.append(self.combine(node, arguments))
        return results[0]

    def operands(self, node: ast.AST) -> list[ast.AST]:
        """The subtrees `node` needs, after refusing anything not allowed in a formula."""
        if isinstance(node, (ast.Constant, ast.Name)):
            return []
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return [node.operand]
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            return [node.left, node.right]
        if isinstance(node, ast.Call):
            return self.check_call(node)
        if isinstance(node, (ast.BinOp, ast.UnaryOp)):
            raise self.fail(self.refused_operator(node), node)
        kind = _REFUSED.get(type(node), type(node).__name__)
        raise self.fail(f"{kind} is not allowed in a formula; use numbers, names, "
                        "+ - * / ** and function calls", node)

    def refused_operator(self, node: ast.BinOp | ast.UnaryOp) -> str:
        symbol = _REFUSED_OPERATORS.get(type(node.op), type(node.op).__name__)
        if isinstance(node.op, ast.BitXor):
            # ^ binds looser than * and unary minus but ** binds as tight as a power in
            # maths, so swapping the symbol in the whole text keeps what was meant.
            return (f"'^' is not allowed; for a power write **, as in "
                    f"{self.text.replace('^', '**')}")
        return f"'{symbol}' is not allowed; use + - * / **"

    def combine(self, node: ast.AST, arguments: list[Value | float]) -> Value | float:
        """The value of `node` from the values of its operands."""
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            [operand] = arguments
            if isinstance(node.op, ast.UAdd):
                return operand
            if isinstance(operand, float):  # a negative number, not an op
                return -operand
            return self.apply(node, "neg", [operand], shown="-")
        if isinstance(node, ast.BinOp):
            return self.apply(node, _OPERATORS[type(node.op)], arguments)
        return self.call(node, arguments)

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

    def check_call(self, node: ast.Call) -> list[ast.AST]:
        function = node.func
        if not isinstance(function, ast.Name) or function.id not in FUNCTIONS:
            shown = ast.get_source_segment(self.text, function) or "this"
            raise self.fail(f"{shown!r} is not a known function; use one of "
                            f"{', '.join(FUNCTIONS)}", function)
        if function.id == "clamp":
            if node.keywords or len(node.args) not in (2, 3):
                raise self.fail("clamp() takes 2 or 3 arguments, as in clamp(x, 0, 1); for "
                                "an upper bound alone write clamp_max(x, 1)", node)
            return list(node.args)
        if function.id in PAIRWISE_BY_NAME:
            if node.keywords or len(node.args) != 2:
                raise self.fail(f"{function.id}() takes 2 arguments, as in "
                                f"{function.id}(x, 0.5)", node)
            return list(node.args)
        param = UNARY_BY_NAME[function.id].param
        if node.keywords:
            example = f"{function.id}(x, {param[1]:g})" if param else f"{function.id}(x)"
            raise self.fail(f"keyword arguments are not allowed; write {example}",
                            node.keywords[0].value)
        arity = (1, 2) if param else (1,)
        if len(node.args) not in arity:
            raise self.fail(f"{function.id}() takes {' or '.join(map(str, arity))} "
                            f"argument(s), got {len(node.args)}", node)
        return list(node.args)

    def call(self, node: ast.Call, arguments: list[Value | float]) -> Value:
        if node.func.id == "clamp":
            argument, *bounds = arguments
            if not all(isinstance(bound, float) for bound in bounds):
                raise self.fail("the bounds of clamp must be numbers", node.args[1])
            for key, bound in zip(("clamp_min", "clamp_max"), bounds):
                argument = self.apply(node, key, [argument], bound, shown="clamp")
            return argument
        if node.func.id in PAIRWISE_BY_NAME:
            return self.apply(node, node.func.id, arguments)
        row = UNARY_BY_NAME[node.func.id]
        argument, *extra = arguments
        if extra and not isinstance(extra[0], float):
            raise self.fail(f"the {row.param[0]} of {row.name} must be a number", node.args[1])
        return self.apply(node, row.name, [argument], extra[0] if extra else None)


def _number_label(number: float) -> str:
    return f"{number:g}"


def check_name(name: str) -> str:
    """Return `name` if it can be a formula variable, else raise FormulaError."""
    python_name = unicodedata.normalize("NFKC", name)  # as the parser will read it
    if not name.isidentifier() or python_name.startswith("__"):
        raise FormulaError(f"{name!r} is not a variable name; use letters, digits and _ "
                           "(not starting with a digit or __)")
    if python_name in FUNCTIONS:
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
    leaves: dict[str, Value] = {}
    as_parsed: dict[str, Value] = {}  # by the name Python reads: NFKC-normalised, ﬁ as fi
    for name, value in values.items():
        python_name = unicodedata.normalize("NFKC", check_name(name))
        if python_name in as_parsed:
            raise FormulaError(f"{as_parsed[python_name].label!r} and {name!r} are one name in "
                               f"a formula (Python reads both as {python_name!r}); give the "
                               f"variables names that differ")
        leaves[name] = as_parsed[python_name] = Value(parse_number(value, name), label=name)
    root = _Evaluator(formula, as_parsed).evaluate(_parse_tree(formula))
    if not isinstance(root, Value):
        root = Value(root, label=_number_label(root))
    return root, leaves


def evaluate(formula: str, values: Mapping[str, float]) -> float:
    """The value of `formula` at `values`, computed through the Value engine."""
    return build(formula, values)[0].data
