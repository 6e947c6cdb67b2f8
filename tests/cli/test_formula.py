"""The safe formula parser: right values for good formulas, a pointed FormulaError otherwise."""
from __future__ import annotations

import ast
import builtins
import math
import operator
import sys
import unicodedata  # noqa: F401  Python's compiler imports it for non-ASCII names
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd_mini.engine import Value
from autograd_mini.cli.formula import (MAX_DEPTH, MAX_LENGTH, FormulaError, build, evaluate,
                                   parse_assignment)
from autograd_mini.ops import FUNCTIONS, UNARY_BY_NAME

VALUES = {"a": 2.0, "b": -3.0, "c": 1.0}


def refusal(formula: str, values: dict | None = None) -> FormulaError:
    with pytest.raises(FormulaError) as error:
        build(formula, VALUES if values is None else values)
    return error.value


def test_a_formula_builds_the_same_value_and_gradients_as_the_engine():
    root, leaves = build("tanh(a*b + c)", VALUES)
    root.backward()
    a, b, c = Value(2.0), Value(-3.0), Value(1.0)
    expected = (a * b + c).tanh()
    expected.backward()
    assert root.data == expected.data
    assert [leaves[n].grad for n in "abc"] == [a.grad, b.grad, c.grad]


def test_leaves_are_labelled_with_their_names():
    _, leaves = build("a + b", VALUES)
    assert {name: leaf.label for name, leaf in leaves.items()} == {"a": "a", "b": "b", "c": "c"}


@pytest.mark.parametrize("formula, expected", [
    ("a - b / c", 2.0 - (-3.0) / 1.0),
    ("-a ** 2", -4.0),  # ** binds tighter than unary minus, as in Python
    ("2 ** a", 4.0),
    ("+a", 2.0),
    ("abs(b)", 3.0),
    ("exp(c) * log(a)", math.e * math.log(2.0)),
    ("sigmoid(0)", 0.5),
    ("relu(b) + leaky_relu(b, 0.1)", -0.3),
    ("leaky_relu(b)", -0.03),
    ("sqrt(a) * sin(c) + cos(c)", math.sqrt(2) * math.sin(1) + math.cos(1)),
    ("1e-3 * 1_000", 1.0),
    ("  a  ", 2.0),
])
def test_good_formulas_give_the_right_value(formula, expected):
    assert evaluate(formula, VALUES) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("name", [name for name in FUNCTIONS if name in UNARY_BY_NAME])
def test_every_function_in_the_ops_table_can_be_called_in_a_formula(name):
    row = UNARY_BY_NAME[name]
    expected = getattr(Value(0.5), row.method or name)()
    assert evaluate(f"{name}(a)", {"a": 0.5}) == expected.data


@pytest.mark.parametrize("formula, expected", [
    ("leaky_relu(b, 0.2)", -0.6),
    ("elu(b, 2)", 2.0 * math.expm1(-3.0)),
])
def test_a_functions_parameter_is_its_second_argument(formula, expected):
    assert evaluate(formula, VALUES) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("formula, expected", [
    ("maximum(a, b)", 2.0), ("minimum(a, b)", -3.0), ("maximum(b, 0)", 0.0),
    ("minimum(1, a)", 1.0), ("maximum(a, b) + minimum(c, 0.5)", 2.5),
])
def test_the_two_operand_functions_take_a_name_or_a_number_on_either_side(formula, expected):
    assert evaluate(formula, VALUES) == expected


@pytest.mark.parametrize("formula, expected", [
    ("clamp(a, 0, 1)", 1.0), ("clamp(b, 0, 1)", 0.0), ("clamp(c, 0)", 1.0),
    ("clamp(b, -1)", -1.0), ("clamp_max(a, 1.5)", 1.5), ("maximum(a, b) + clamp(c, 0, 1)", 3.0),
])
def test_clamp_takes_its_bounds_as_numbers(formula, expected):
    assert evaluate(formula, VALUES) == expected


def test_clamp_with_a_variable_bound_is_refused():
    with pytest.raises(FormulaError, match="bounds of clamp must be numbers"):
        evaluate("clamp(a, b)", VALUES)


def test_a_two_operand_function_with_one_argument_is_refused():
    with pytest.raises(FormulaError, match=r"maximum\(\) takes 2 arguments"):
        evaluate("maximum(a)", VALUES)


def test_a_constant_formula_gives_a_value_too():
    root, leaves = build("2 * 3", {})
    assert (root.data, leaves) == (6.0, {})


@pytest.mark.parametrize("formula, says, column", [
    ("a.real + b", "attribute access", 1),
    ("a[0]", "subscript", 1),
    ("(lambda: 1)()", "not a known function", 2),
    ("lambda x: x", "lambda", 1),
    ("[x for x in a]", "comprehension", 1),
    ("__import__('os')", "not a known function", 1),
    ("__class__", "dunder", 1),
    ("a + eval(b)", "'eval' is not a known function", 5),
    ("a + d", "'d' has no value", 5),
    ("a + 'x'", "only numbers", 5),
    ("a + True", "only numbers", 5),
    ("a + 1j", "only numbers", 5),
    ("a < b", "comparison", 1),
    ("a if b else c", "if-expression", 1),
    ("(d := 1)", "assignment", 2),
    ("f'{a}'", "f-string", 1),
    ("a // b", "'//' is not allowed; use + - * / **", 1),
    ("~a", "'~' is not allowed", 1),
    ("exp + 1", "is a function", 1),
    ("exp(a, b)", "takes 1 argument", 1),
    ("leaky_relu(a, slope=0.1)", "keyword", 21),
    ("leaky_relu(a, b)", "slope", 15),
    ("elu(a, b)", "the alpha of elu must be a number", 8),
    ("softplus(a, b)", "takes 1 argument", 1),
    ("a +", "not a valid formula", 4),
    ("a + * b", "not a valid formula", 5),
    ("a ** 1e999", "too large", 6),
    ("log(b)", "log failed", 1),
    ("a / (c - 1)", "/ failed", 1),
    ("exp(1000)", "exp failed", 1),
])
def test_refused_formulas_say_what_is_wrong_and_where(formula, says, column):
    error = refusal(formula)
    assert says in str(error)
    assert error.column + 1 == column


def test_the_error_shows_a_caret_under_the_culprit():
    assert str(refusal("a + d")).endswith("  a + d\n      ^")


def test_an_over_long_formula_is_refused():
    assert f"limit is {MAX_LENGTH}" in str(refusal("a+" * MAX_LENGTH + "a"))


def test_a_deeply_nested_formula_is_refused():
    assert f"more than {MAX_DEPTH} levels" in str(refusal("(" * 150 + "a" + ")" * 150 + "+-" * 120 + "a"))


def test_a_hundred_nested_brackets_are_allowed_and_one_more_is_refused_at_that_bracket():
    assert evaluate("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH, VALUES) == 2.0
    error = refusal("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))
    assert f"more than {MAX_DEPTH} levels" in str(error) and error.column == MAX_DEPTH


# Ordinary long formulas: deep as syntax trees (one level per operator), flat to a reader.
@pytest.mark.parametrize("formula, expected, name, slope", [
    ("+".join(["a"] * 100), 200.0, "a", 100.0),
    ("-" * 99 + "a", -2.0, "a", -1.0),
    ("+".join(["a"] * 500), 1000.0, "a", 500.0),
    ("-" * (MAX_LENGTH - 1) + "a", -2.0, "a", -1.0),
    ("*".join(["c"] * 500), 1.0, "c", 500.0),
    ("**".join(["c"] * 333), 1.0, "c", 1.0),
])
def test_long_chains_of_operators_evaluate_and_differentiate(formula, expected, name, slope):
    root, leaves = build(formula, VALUES)
    root.backward()
    assert (root.data, leaves[name].grad) == (expected, slope)


def test_ninety_nine_nested_tanh_give_the_value_of_math_tanh():
    expected = 2.0
    for _ in range(99):
        expected = math.tanh(expected)
    assert evaluate("tanh(" * 99 + "a" + ")" * 99, VALUES) == pytest.approx(expected, rel=1e-12)


def test_ninety_nine_nested_exp_are_refused_where_exp_overflows():
    assert "exp failed" in str(refusal("exp(" * 99 + "a" + ")" * 99))


@pytest.mark.parametrize("problem", [RecursionError, MemoryError])
def test_pythons_parser_running_out_of_stack_is_a_formula_error(problem, monkeypatch):
    def exhausted(*args, **kwargs):
        raise problem()

    monkeypatch.setattr(ast, "parse", exhausted)
    assert "too long or too deeply nested" in str(refusal("a + b"))


@pytest.mark.parametrize("formula, says", [
    ("x^2", "for a power write **, as in x**2"),
    ("2*x^2 - a ^ (b + 1)", "as in 2*x**2 - a ** (b + 1)"),
    ("a % 2", "'%' is not allowed"),
    ("not a", "'not' is not allowed"),
])
def test_refused_operators_are_shown_as_typed_and_a_caret_hints_at_power(formula, says):
    assert says in str(refusal(formula, {"a": 1.0, "b": 2.0, "x": 3.0}))


def test_a_multiline_formula_is_refused():
    assert "one line" in str(refusal("(a\n+ b)"))


@pytest.mark.parametrize("values, says", [
    ({"a": "two"}, "not a number"),
    ({"a": float("nan")}, "not a finite number"),
    ({"a": "inf"}, "not a finite number"),
    ({"a": None}, "not a number"),
    ({"__x": 1.0}, "not a variable name"),
    ({"exp": 1.0}, "function name"),
    ({"1a": 1.0}, "not a variable name"),
])
def test_bad_variables_are_refused(values, says):
    assert says in str(refusal("1", values))


def test_assignments_parse_name_and_number():
    assert parse_assignment("rate=-1.5e-2") == ("rate", -0.015)


@pytest.mark.parametrize("text", ["a", "a=", "=1", "a=1=2", "a b=1"])
def test_bad_assignments_are_refused(text):
    with pytest.raises(FormulaError):
        parse_assignment(text)


def test_a_formula_error_is_a_value_error():
    assert isinstance(refusal("a +"), ValueError)


# -- fuzzing: random text and random expressions --------------------------------

@contextmanager
def no_side_effects():
    """Make eval, exec, open and imports of new modules fail loudly while the parser runs."""
    def forbidden(*args, **kwargs):
        raise AssertionError("the formula parser must not call this")

    def import_loaded_only(name, *args, **kwargs):
        if name not in sys.modules:
            raise AssertionError(f"the formula parser must not import {name}")
        return saved["__import__"](name, *args, **kwargs)

    saved = {name: getattr(builtins, name) for name in ("eval", "exec", "open", "__import__")}
    for name in ("eval", "exec", "open"):
        setattr(builtins, name, forbidden)
    builtins.__import__ = import_loaded_only
    try:
        yield
    finally:
        for name, function in saved.items():
            setattr(builtins, name, function)


def parse_or_refuse(formula: str, values: dict) -> float | None:
    """The value, or None when the parser refused with its own error; anything else fails."""
    snapshot = dict(values)
    try:
        with no_side_effects():
            return evaluate(formula, values)
    except FormulaError:
        return None
    finally:
        assert values == snapshot


ALPHABET = st.sampled_from(list("abcxyz0123456789.+-*/()_,=<>[]{}'\" e") +
                           ["exp", "tanh", "log", "**", "__", "lambda", "import", "\n", "\x00"])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60) | st.lists(ALPHABET, max_size=40).map("".join))
def test_random_text_gives_a_number_or_a_formula_error(text):
    result = parse_or_refuse(text, {"a": 0.5, "b": -2.0, "c": 3.0})
    assert result is None or math.isfinite(result)


# Random expressions: trees of numbers and names, rendered as text and computed here
# with plain floats, so the parser's value can be checked against them.
LEAVES = st.sampled_from(["a", "b", "c"]) | st.integers(0, 9).map(str) | \
    st.sampled_from(["0.5", "2.5", "1e-2"])
TOTAL = ("tanh", "sin", "cos", "sigmoid", "relu", "abs")  # defined everywhere, never overflow
PARTIAL = ("exp", "log", "sqrt")


def expressions(functions: tuple[str, ...], operators: tuple[str, ...]):
    return st.recursive(LEAVES, lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(operators), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(functions), inner).map(lambda t: f"{t[0]}({t[1]})"),
        inner.map(lambda e: f"-{e}"),
    ), max_leaves=12)


NAMES = {"a": 0.5, "b": -2.0, "c": 3.0}
MATH = {"tanh": math.tanh, "sin": math.sin, "cos": math.cos, "abs": abs, "exp": math.exp,
        "log": math.log, "sqrt": math.sqrt, "relu": lambda x: max(x, 0.0),
        "sigmoid": lambda x: 1.0 / (1.0 + math.exp(-x))}


BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
          ast.Div: operator.truediv, ast.Pow: operator.pow}


def reference(formula: str) -> float:
    """Plain-float value of a generated formula: Python's parser and the math module."""
    def value(node: ast.expr) -> float:
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return NAMES[node.id]
        if isinstance(node, ast.UnaryOp):
            return -value(node.operand)
        if isinstance(node, ast.Call):
            return MATH[node.func.id](value(node.args[0]))
        return BINARY[type(node.op)](value(node.left), value(node.right))

    return value(ast.parse(formula, mode="eval").body)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(TOTAL, ("+", "-", "*")))
def test_random_total_expressions_give_the_right_value(formula):
    assert parse_or_refuse(formula, NAMES) == pytest.approx(reference(formula), rel=1e-9, abs=1e-12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(TOTAL + PARTIAL, ("+", "-", "*", "/", "**")))
def test_random_expressions_give_the_right_value_or_a_formula_error(formula):
    result = parse_or_refuse(formula, NAMES)
    if result is not None:
        try:
            expected = reference(formula)
        except (ArithmeticError, ValueError):  # the engine was more lenient than math: fine
            return
        if isinstance(expected, float) and math.isfinite(expected):  # not complex, not inf
            assert result == pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_names_python_reads_as_one_are_refused_not_silently_merged():
    with pytest.raises(FormulaError, match=r"'ﬁ' and 'fi' are one name .* reads both as 'fi'"):
        build("ﬁ*10 + fi", {"ﬁ": 2.0, "fi": 3.0})


def test_a_name_with_a_compatibility_character_gets_its_own_gradient():
    root, leaves = build("ﬁ*10 + µ", {"ﬁ": 2.0, "µ": 1.0})
    root.backward()
    assert root.data == 21.0 and leaves["ﬁ"].grad == 10.0 and leaves["µ"].grad == 1.0


def test_a_fullwidth_function_name_is_no_variable_name():
    with pytest.raises(FormulaError, match="function name"):
        build("ｅｘｐ + 1", {"ｅｘｐ": 2.0})
