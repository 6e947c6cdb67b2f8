"""Every primitive in one table: its forward value, its local derivative, its domain.

A row's `value` and `slopes` are Python expressions in `x` (the input; `y` the second
one of a binary op), `out` (the result) and the op's parameter. Each is compiled twice
(opgen.py): over floats, with `math`'s functions, for the forward pass and its float
local derivative; and over Values, with Value's methods, for the rule that
`backward(create_graph=True)` builds and differentiates again. One text, two meanings,
so the float slope and the higher-order rule cannot drift apart. Comparisons in them
(`x > 0`) compare numbers on both; `is_zero` is there because `==` on Values is identity.

Over Values a second derivative must never lose a path to a rule's own slopes, so there
`/` and `**` are rule_arithmetic.py's divide and power, which keep every local slope
within a float's range (the same numbers); and where a slope's text would still lose
digits over Values (an intermediate out of range, a cancellation, a constant inf), the
row's `rule` (`rules` for an operator) is the slope as the rule reads it: the same
number up to rounding, set onto the float slope bit for bit.

Adding an op is one row (and the tests' tables pick it up): the method, its docstring
(`doc`), the formula function, the CLI's list and the README's list all come from here.
`let` runs before `value` and `slopes`, for a quantity both need; `domain` is the
condition the input must meet (a DomainError "log(-1.0): log needs x > 0" otherwise),
and `hint` says what to do when it does not, or when the result overflows (a
FloatOverflowError).

The operators are the one exception to "one text": the float slopes of + - * / ** are
written out by hand in engine.py's Value.__add__, __mul__, ... (the hottest path: a
generated method there would add a call per op), and their domains and overflow checks
are numeric.py's. Their rules for create_graph and the compiler's forms do come from
the BINARY rows below, and a test compares the hand-written slopes with the rows' bit
for bit.

Functions of two operands that are not operators (maximum, minimum) are PAIRWISE rows:
one text each, compiled over floats into the method `x.maximum(y)` and the top-level
`maximum(a, b)` (a plain number on either side), and over Values into their rules, with
the three sides of an operator ("maximum", "maximum:right", "maximum:left"). A node keeps
one constant, so an op of two parameters is two rows: torch.clamp is clamp_min then
clamp_max (Value.clamp and the top-level clamp), which gives its values and gradients.
"""
from __future__ import annotations

from typing import NamedTuple

__all__ = ["Unary", "Binary", "Pairwise", "UNARY", "BINARY", "PAIRWISE", "UNARY_BY_NAME",
           "BINARY_BY_SYMBOL", "PAIRWISE_BY_NAME", "FUNCTIONS", "ACTIVATIONS"]


class Unary(NamedTuple):
    """A function of one Value: a method `x.name()` and a formula function `name(x)`."""

    name: str
    doc: str                                # in words: what it is, and its derivative
    value: str
    slope: str
    domain: str = ""
    hint: str = ""
    let: str = ""
    param: tuple[str, float] | None = None  # (keyword, default), kept on the node
    method: str = ""                        # when the method is a dunder: "__neg__"
    activation: bool = False                # offered by nn as an activation
    rule: str = ""                          # the slope as the higher-order rule reads it


class Binary(NamedTuple):
    """An operator of two operands: its symbol, and the slope for each operand."""

    symbol: str
    slopes: tuple[str, str]
    method: str
    rules: tuple[str, str] = ("", "")       # the slopes as the higher-order rule reads them


class Pairwise(NamedTuple):
    """A function of two operands, not an operator: a method `x.name(y)` and a function
    `name(x, y)`, a plain number on either side (kept on the node, as 3.0 in x * 3)."""

    name: str
    doc: str
    value: str
    slopes: tuple[str, str]


# exp(-|x|) without abs's kink: e in (0, 1] never overflows, and 1 - s = e / (1 + e).
_E_ABS = "e = exp(-x) if x > 0 else exp(x)"

UNARY: tuple[Unary, ...] = (
    Unary("neg", "negation, -x; d/dx = -1",
          "-x", "-1.0", method="__neg__"),
    # sign(0) = 0, as PyTorch: the kink takes the derivative of neither side
    Unary("abs", "absolute value |x|; d/dx = sign(x), and 0 at 0 (as PyTorch)",
          "abs(x)", "1.0 if x > 0 else -1.0 if x < 0 else 0.0", method="__abs__"),
    Unary("exp", "exponential e^x; d/dx = e^x",
          "exp(x)", "out", hint="scale the input down"),
    Unary("log", "natural logarithm, for x > 0; d/dx = 1/x",
          "log(x)", "1.0 / x", "x > 0", "clamp or shift the input"),
    # over Values 0.5 / 0 is IEEE's inf, whose derivative -inf an allowed pass keeps
    Unary("sqrt", "square root, for x >= 0; d/dx = 1/(2 sqrt(x)), infinite at 0",
          "sqrt(x)", "0.5 / out if out > 0 else INF", "x >= 0",
          "clamp the input or use abs()", rule="0.5 / out"),
    Unary("log1p", "log(1 + x), exact near 0, for x > -1; d/dx = 1/(1 + x)",
          "log1p(x)", "1.0 / (1.0 + x)", "x > -1",
          "clamp or shift the input"),
    Unary("expm1", "e^x - 1, exact near 0; d/dx = e^x",
          "expm1(x)", "exp(x)", hint="scale the input down"),
    Unary("sin", "sine; d/dx = cos(x)",
          "sin(x)", "cos(x)"),
    Unary("cos", "cosine; d/dx = -sin(x)",
          "cos(x)", "-sin(x)"),
    # math.tan is exact for every float; the nearest float to pi/2 is not a pole
    Unary("tan", "tangent; d/dx = 1 + tan(x)^2",
          "tan(x)", "1.0 + out * out"),
    # over Values, r^2 / (1 + r^2) with r = 1/x far out: the gradient of x * x, 1/x^4 of
    # the result's, would underflow where the second derivative, -2x/(1 + x^2)^2, does not
    Unary("atan", "arctangent; d/dx = 1/(1 + x^2)",
          "atan(x)", "1.0 / (1.0 + x * x) if -1e150 < x < 1e150 else (r := 1.0 / x) * r",
          rule="1.0 / (1.0 + x * x) if -1.0 < x < 1.0 else (r := 1.0 / x) * r / (1.0 + r * r)"),
    Unary("sinh", "hyperbolic sine; d/dx = cosh(x)",
          "sinh(x)", "cosh(x)", hint="scale the input down"),
    Unary("cosh", "hyperbolic cosine; d/dx = sinh(x)",
          "cosh(x)", "sinh(x)", hint="scale the input down"),
    # sech^2 = 1 - tanh^2 cancels as |tanh| -> 1; 4e/(1+e)^2 with e = exp(-2|x|) does not
    Unary("tanh", "hyperbolic tangent; d/dx = 1 - tanh(x)^2",
          "tanh(x)", "1.0 - out * out if -0.5 < out < 0.5 else 0.0 if abs(x) > 400.0 "
          "else 4.0 * (e := exp(-2.0 * abs(x))) / ((1.0 + e) * (1.0 + e))", activation=True),
    # over Values, (1 - tanh(x/2)^2) / 4 near 0: the derivative of e / (1 + e)^2 is
    # (1 - e) / (1 + e)^3, all lost to cancellation as e -> 1 (0.0 at x = 1e-25, not -x/8)
    Unary("sigmoid", "logistic sigmoid 1/(1 + e^-x); d/dx = sigmoid(x) (1 - sigmoid(x))",
          "1.0 / (1.0 + e) if x >= 0 else e / (1.0 + e)",
          "e / ((1.0 + e) * (1.0 + e))", let=_E_ABS, activation=True,
          rule="0.25 * (1.0 - (t := tanh(0.5 * x)) * t) if -1.0 < x < 1.0 "
               "else e / ((1.0 + e) * (1.0 + e))"),
    Unary("erf", "error function; d/dx = 2/sqrt(pi) e^(-x^2)",
          "erf(x)", "0.0 if abs(x) > 30.0 else TWO_OVER_SQRT_PI * exp(-x * x)"),
    Unary("erfc", "complementary error function 1 - erf(x), exact in the right tail; "
                  "d/dx = -2/sqrt(pi) e^(-x^2)",
          "erfc(x)", "0.0 if abs(x) > 30.0 else -TWO_OVER_SQRT_PI * exp(-x * x)"),
    Unary("relu", "rectified linear unit max(x, 0); d/dx = 1 for x > 0, else 0",
          "x if x > 0 else 0.0", "1.0 if x > 0 else 0.0", activation=True),
    Unary("leaky_relu", "leaky ReLU: x for x > 0, else slope * x; "
                        "d/dx = 1 for x > 0, else slope",
          "x if x > 0 else slope * x", "1.0 if x > 0 else slope",
          param=("slope", 0.01), activation=True),
    # torch.clamp's gradient: through where min <= x <= max, bounds included, 0 outside;
    # clamp(x, min, max) is clamp_max(clamp_min(x, min), max), as torch.clamp computes it
    Unary("clamp_min", "x raised to at least min (max(x, min)); d/dx = 1 for x >= min "
                       "(the bound included, as PyTorch), else 0",
          "min if x < min else x", "1.0 if x >= min else 0.0", param=("min", 0.0)),
    Unary("clamp_max", "x lowered to at most max (min(x, max)); d/dx = 1 for x <= max "
                       "(the bound included, as PyTorch), else 0",
          "max if x > max else x", "1.0 if x <= max else 0.0", param=("max", 0.0)),
    Unary("elu", "exponential linear unit: x for x > 0, else alpha (e^x - 1); "
                 "d/dx = 1 for x > 0, else alpha e^x",
          "x if x > 0 else alpha * expm1(x)", "1.0 if x > 0 else alpha * exp(x)",
          param=("alpha", 1.0), activation=True),
    # log(1 + e^x), never overflowing: x + log1p(e^-x) for x > 0; the slope is sigmoid(x)
    Unary("softplus", "softplus log(1 + e^x), never overflowing; d/dx = sigmoid(x)",
          "x + log1p(e) if x > 0 else log1p(e)",
          "1.0 / (1.0 + e) if x > 0 else e / (1.0 + e)", let=_E_ABS, activation=True),
    # x * sigmoid(x); its slope s (1 + x (1 - s)) with 1 - s = sigmoid(-x), not cancelled
    Unary("silu", "SiLU (swish) x sigmoid(x); d/dx = sigmoid(x) (1 + x (1 - sigmoid(x)))",
          "x * s", "s * (1.0 + x * r)", activation=True,
          let=f"{_E_ABS}; s = 1.0 / (1.0 + e) if x > 0 else e / (1.0 + e); "
              "r = e / (1.0 + e) if x > 0 else 1.0 / (1.0 + e)"),
    # the exact erf form, PyTorch's default: x * Phi(x), with Phi = erfc(-x / sqrt 2) / 2,
    # which keeps its digits far left where 1 + erf(x / sqrt 2) cancels
    Unary("gelu", "GELU x Phi(x), Phi the standard normal distribution function (the exact "
                  "erf form); d/dx = Phi(x) + x phi(x)",
          "x * cdf", "cdf + x * INV_SQRT_2PI * exp(-0.5 * x * x) if abs(x) < 40.0 "
          "else cdf", let="cdf = 0.5 * erfc(-x / SQRT2)", activation=True),
)

# x ** y at the edges: 0 ** 0 is flat in the base; y / x ** (1 - y) is the base slope at
# y = 0 without x ** -1 overflowing; a negative power of 0 never gets here (refused).
_POW_BASE_SLOPE = ("0.0 if is_zero(x) and is_zero(y) else y / x ** (1.0 - y) if is_zero(y) "
                   "else INF if is_zero(x) and y < 1 else y * x ** (y - 1.0)")
# Over Values the base slope is y * x ** (y - 1), exact for integer powers, but for a
# tiny y: the gradient reaching x ** (y - 1) is y times the rule's, and underflows where
# the second derivative is ordinary; there it is y / x * x ** y, with x ** y = e^(y log x)
# near 1 (for a normal, finite x: y / x is then a float). At 0 ** y with 0 < y < 1 it is
# IEEE's y * 0 ** (y - 1) = inf.
_POW_BASE_RULE = ("0.0 if is_zero(x) and is_zero(y) else y / x ** (1.0 - y) if is_zero(y) "
                  "else y / x * exp(y * log(x)) if 1e-308 < x < INF and -1e-5 < y < 1e-5 "
                  "else y * x ** (y - 1.0)")
BINARY: tuple[Binary, ...] = (
    Binary("+", ("1.0", "1.0"), "__add__"),
    Binary("-", ("1.0", "-1.0"), "__sub__"),
    Binary("*", ("y", "x"), "__mul__"),
    Binary("/", ("1.0 / y", "-out / y"), "__truediv__"),
    # 0 ** y is flat in y for y > 0; a negative base has no real slope in y (refused)
    Binary("**", (_POW_BASE_SLOPE, "out * log(x) if x > 0 else 0.0"), "__pow__",
           rules=(_POW_BASE_RULE, "")),
)

# A tie splits the gradient in halves, as torch.maximum and torch.minimum do; a NaN on
# either side gives NaN (x + y), as theirs.
PAIRWISE: tuple[Pairwise, ...] = (
    Pairwise("maximum", "the larger of x and y; d/dx = 1 where x > y, 0 where x < y, "
                        "1/2 at a tie (as PyTorch), and the same for y",
             "x if x >= y else y if y > x else x + y",
             ("1.0 if x > y else 0.0 if x < y else 0.5",
              "1.0 if y > x else 0.0 if y < x else 0.5")),
    Pairwise("minimum", "the smaller of x and y; d/dx = 1 where x < y, 0 where x > y, "
                        "1/2 at a tie (as PyTorch), and the same for y",
             "x if x <= y else y if y < x else x + y",
             ("1.0 if x < y else 0.0 if x > y else 0.5",
              "1.0 if y < x else 0.0 if y > x else 0.5")),
)

UNARY_BY_NAME = {row.name: row for row in UNARY}
PAIRWISE_BY_NAME = {row.name: row for row in PAIRWISE}
BINARY_BY_SYMBOL = {row.symbol: row for row in BINARY}
# What formulas may call: every unary op but the operator-only ones.
FUNCTIONS = tuple(row.name for row in UNARY if row.name != "neg") + tuple(PAIRWISE_BY_NAME)
ACTIVATIONS = tuple(row.name for row in UNARY if row.activation) + ("linear",)
