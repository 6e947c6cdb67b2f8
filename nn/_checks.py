"""The one place where nn checks arguments. A wrong kind of argument is a TypeError: a
string or None for a number, a bool for a number, a float (even 2.0) for a count, a number
for a list. A wrong value is a ValueError: a negative count, NaN, a number out of range, an
empty list. Each message names the argument, shows what was given and says what to give.

numpy-like input (anything with `tolist()`) is read as the Python lists and numbers it
holds. numpy is never imported: arrays and numpy scalars are recognised by duck typing
(`tolist()`, `numbers.Real`, `__index__`, `__len__`/`__iter__`), and converting them with
`tolist()` gives exactly the Python numbers a list of the same data holds, so results
are bit-identical to those on lists.
"""
from __future__ import annotations

import math
import reprlib
import sys
from collections.abc import Mapping, Set
from numbers import Real
from operator import index
from typing import Any, Iterable, Sequence, cast

from autograd_mini import Value
from autograd_mini.primitives import UnaryPrimitive, definition

_LARGEST_FLOAT = sys.float_info.max


def plain(x: Any) -> Any:
    """`x`, or for a numpy-like array or scalar its `tolist()`: nested lists, Python numbers."""
    to_list = getattr(x, "tolist", None)
    return x if to_list is None else to_list()


# --- counts, seeds, flags, names ----------------------------------------------------------

def check_int(value: Any, what: str, least: int, *, most: int | None = None,
              expected: str | None = None) -> int:
    """`value` (an int or a numpy integer) as an int in [least, most]: a TypeError naming
    `what` for any other kind (a bool, a float such as 2.0, a string), a ValueError for an
    int out of range. `expected` says what it must be (by default "an int >= least")."""
    value = plain(value)
    expected = expected or f"an int >= {least}"
    if not _is_integer(value):
        raise TypeError(f"{what} must be {expected}, got {short_repr(value)}; pass an int")
    number = index(value)
    # a count past a float's range means nothing
    if number < least or number > (_LARGEST_FLOAT if most is None else most):
        raise ValueError(f"{what} must be {expected}, got {short_repr(number)}")
    return number


def check_seed(seed: Any, what: str) -> int | None:
    """`seed` as an int (a numpy integer too) or None; a TypeError naming `what` for any
    other kind, a bool or a float included."""
    seed = plain(seed)
    if seed is None:
        return None
    if not _is_integer(seed):
        raise TypeError(f"{what} must be an int or None, got {_describe_value(seed)}")
    return index(seed)


def check_flag(value: Any, what: str, *, optional: bool = False) -> bool | None:
    """`value` as True or False (a numpy bool too), or None when `optional`; a TypeError
    naming `what` for anything else, since a string such as "False" is truthy."""
    value = plain(value)
    if isinstance(value, bool) or (optional and value is None):
        return value
    choices = "True, False or None" if optional else "True or False"
    raise TypeError(f"{what} must be {choices}, got {_describe_value(value)}")


def check_choice(value: Any, what: str, choices: Sequence[str], noun: str) -> str:
    """`value` if it is one of the names `choices`: a TypeError naming `what` for a
    non-string, a ValueError for an unknown name; both list the choices."""
    listed = ", ".join(choices)
    if not isinstance(value, str):
        article = "an" if noun[:1] in "aeiou" else "a"
        raise TypeError(f"{what} must be the name of {article} {noun}, got "
                        f"{short_repr(value)}; choose one of {listed}")
    if value not in choices:
        raise ValueError(f"{what}: unknown {noun} {short_repr(value)}; choose one of {listed}")
    return value


def check_activation(value: Any, what: str, names: Sequence[str]) -> str | UnaryPrimitive:
    """`value` if it is one of the activation `names` or a function of one operand made by
    @primitive: a ValueError naming `what` for an unknown name, a TypeError for anything
    else (a plain function, which has no slope, or a primitive of two operands)."""
    if isinstance(value, str):
        return check_choice(value, what, names, "activation")
    found = definition(value)
    if found is not None and found.arity == 1:
        return cast(UnaryPrimitive, value)
    listed = ", ".join(names)
    expected = (f"{what} must be the name of an activation or a one-operand "
                f"@autograd_mini.primitive")
    if found is not None:
        raise TypeError(f"{expected}, got the primitive {found.qualname}, which takes "
                        f"{found.arity} operands; choose one of {listed}, or a primitive of "
                        f"one operand")
    if callable(value):
        name = getattr(value, "__qualname__", None) or short_repr(value)
        raise TypeError(f"{expected}, got {name} ({type(value).__name__}), which has no "
                        f"slope: make it an op with @autograd_mini.primitive(slope=...), or "
                        f"choose one of {listed}")
    raise TypeError(f"{what} must be the name of an activation, got {short_repr(value)}; "
                    f"choose one of {listed}, or a one-operand @autograd_mini.primitive")


def check_callable(value: Any, what: str, expected: str) -> Any:
    """`value` if it can be called; else a TypeError naming `what` and what was `expected`."""
    if not callable(value):
        raise TypeError(f"{what} must be {expected}, got {_describe_value(value)}")
    return value


def check_methods(value: Any, what: str, methods: Sequence[str], expected: str) -> Any:
    """`value` if it has each of `methods`; else a TypeError naming `what`, what was
    `expected` and the first method missing."""
    missing = [name for name in methods if not callable(getattr(value, name, None))]
    if missing:
        raise TypeError(f"{what} must be {expected}, got {_describe_value(value)}, which has no "
                        f"{missing[0]}()")
    return value


def check_instance(value: Any, what: str, kind: type, expected: str) -> Any:
    """`value` if it is a `kind`; else a TypeError naming `what` and what was `expected`."""
    if not isinstance(value, kind):
        raise TypeError(f"{what} must be {expected}, got {short_repr(value)}")
    return value


# --- real numbers ---------------------------------------------------------------------------

def check_real(value: Any, what: str, *, least: float | None = None,
               bools: bool = False) -> int | float:
    """`value` (a Python or numpy real number) as a finite int or float, >= `least` if given.
    A bool is read as 0/1 when `bools`, else refused. A TypeError naming `what` for a
    non-number, a ValueError for a number that is not finite or is below `least`."""
    value = plain(value)
    if isinstance(value, bool):
        if not bools:
            raise TypeError(f"{what} must be a number, not the bool {value!r}")
        return int(value)
    number = _as_python_real(value, what)
    if not -_LARGEST_FLOAT <= number <= _LARGEST_FLOAT:
        size = " (too large for a float)" if isinstance(number, int) else ""
        raise ValueError(f"{what} must be finite{size}, got {short_repr(number)}")
    if least is not None and number < least:
        raise ValueError(f"{what} must be >= {least}, got {number!r}")
    return number


def check_number(value: Any, what: str, least: float | None = None, *, above: bool = False,
                 below: float | None = None, most: float | None = None) -> float:
    """`value` (a Python or numpy real number) as a finite float >= least (> least if
    `above`), < below and <= most, each when given: a TypeError naming `what` for a
    non-number or a bool, a ValueError for any other number. The message reads, e.g.,
    "SGD: lr must be a finite number >= 0, got nan"."""
    expected = "a finite number" + _bounds_text(least, above, below, most)
    value = plain(value)
    if isinstance(value, bool):
        raise TypeError(f"{what} must be {expected}, not the bool {value!r}")
    if not isinstance(value, Real):
        raise TypeError(f"{what} must be {expected}, got {_describe_value(value)}")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"{what} must be {expected}, got an int of about "
                         f"{_digits(int(value))} digits, too large for a float") from None
    if not (-math.inf < number < math.inf and _within(number, least, above, below, most)):
        raise ValueError(f"{what} must be {expected}, got {number!r}")
    return number


def check_sample_number(x: Any, where: str) -> int | float:
    """A number of a data sample as it is (a numpy scalar as its Python number; a bool is
    0/1, and an int beyond a float's range passes, for the engine to name where it is used):
    a TypeError "fit: X[3][1] is str 'a', not a number", a ValueError for NaN or infinity."""
    x = plain(x)
    if not isinstance(x, Real):
        nested = " (samples must be flat: a number or a list of numbers)" if is_sequence(x) \
            else ""
        raise TypeError(f"{where} is {_describe_value(x)}, not a number{nested}")
    if not _is_finite(x):
        raise ValueError(f"{where} is {x!r}; the data must be finite numbers (drop or impute "
                         f"the sample)")
    return x


def is_number(x: Any) -> bool:
    """True for a plain real number or bool (what `plain` gives for a numpy scalar)."""
    return isinstance(x, (Real, bool))


def _is_integer(x: Any) -> bool:
    return hasattr(x, "__index__") and not isinstance(x, bool)


def _as_python_real(value: Any, what: str) -> int | float:
    if value.__class__ is float or value.__class__ is int:
        return value
    if not isinstance(value, Real):
        raise TypeError(f"{what} must be a real number, got {_describe_value(value)}")
    if hasattr(value, "__index__"):
        return index(value)
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"{what}: {short_repr(value)} is too large for a float") from None


def _is_finite(x: Real) -> bool:
    try:
        return math.isfinite(x)
    except OverflowError:  # an int beyond a float's range
        return True


def _bounds_text(least: float | None, above: bool, below: float | None,
                 most: float | None) -> str:
    if least is None:
        return ""
    opening = "(" if above else "["
    if below is not None:
        return f" in {opening}{least:g}, {below:g})"
    if most is not None:
        return f" in {opening}{least:g}, {most:g}]"
    return f" {'>' if above else '>='} {least:g}"


def _within(number: float, least: float | None, above: bool, below: float | None,
            most: float | None) -> bool:
    if least is not None and (number <= least if above else number < least):
        return False
    return (below is None or number < below) and (most is None or number <= most)


# --- sequences --------------------------------------------------------------------------------

def as_list(x: Any, what: str, expected: str) -> list:
    """The items of a plain sequence `x` (already through `plain`) as a list; a TypeError
    naming `what` and saying what was `expected` for a string, a mapping or a set (which
    has no order), or a non-sequence."""
    if isinstance(x, (str, bytes, bytearray)):
        raise TypeError(f"{what} must be {expected}, got the string {short_repr(x)}")
    if isinstance(x, (Mapping, Set)):
        raise TypeError(f"{what} must be {expected}, got a {type(x).__name__}, which has no "
                        f"fixed order; pass a list")
    if not (hasattr(x, "__len__") and hasattr(x, "__iter__")):
        raise TypeError(f"{what} must be {expected}, got {_describe_value(x)}")
    return list(x)


def check_pair(value: Any, what: str, meaning: str) -> tuple[Any, Any]:
    """`value` as two items, e.g. betas=(0.9, 0.999); `meaning` names them for the message.
    A TypeError for a non-sequence, a ValueError for a sequence of another length."""
    items = as_list(plain(value), what, f"a pair {meaning}")
    if len(items) != 2:
        raise ValueError(f"{what} must be a pair {meaning}, got {len(items)} items "
                         f"{short_repr(value)}")
    return items[0], items[1]


def check_parameters(params: Iterable[Value], owner: str) -> list[Value]:
    """`params` as a non-empty list of Values: a TypeError naming `owner` for a non-iterable
    or an item that is not a Value, a ValueError for an empty list."""
    try:
        params = list(params)
    except TypeError:
        raise TypeError(f"{owner} takes a list of Values, got {type(params).__name__}; pass "
                        f"model.parameters()") from None
    if not params:
        raise ValueError(f"{owner} got an empty parameter list; model.parameters() is empty "
                         f"when no Values or Modules were found among the model's attributes: "
                         f"keep them as attributes, alone or in lists, tuples or dicts "
                         f"(self.w = Value(0.5), self.hidden = nn.Linear(2, 16)), then pass "
                         f"model.parameters()")
    for p in params:
        if not isinstance(p, Value):
            raise TypeError(f"{owner} optimizes Values, got {_describe_value(p)}; pass "
                            f"model.parameters()")
    return params


def is_sequence(x: Any) -> bool:
    """True for a sized, iterable x other than a string, a mapping or a set."""
    return (hasattr(x, "__len__") and hasattr(x, "__iter__")
            and not isinstance(x, (str, bytes, bytearray, Mapping, Set)))


# --- showing what was given -------------------------------------------------------------------

def _describe_value(x: Any) -> str:
    """The type and short repr of `x`, for a message: "str '0.5'"."""
    return f"{type(x).__name__} {short_repr(x)}"


def some_names(names: list, limit: int = 8) -> str:
    """`names` as a list literal, the first `limit` of them and how many more."""
    shown = [short_repr(name) for name in names[:limit]]
    if len(names) > limit:
        shown.append(f"... and {len(names) - limit} more")
    return f"[{', '.join(shown)}]"


# Ints longer than this are described by size: repr would be long, and above 4300
# digits (or a user's lower sys.set_int_max_str_digits, at least 640) it raises.
_MAX_SHOWN_INT_BITS = 2000


class _ShortRepr(reprlib.Repr):
    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > _MAX_SHOWN_INT_BITS:
            return f"<an int of about {_digits(x)} digits>"
        return super().repr_int(x, level)


_SHORT = _ShortRepr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict = 3, 6, 6
_SHORT.maxstring, _SHORT.maxlong, _SHORT.maxother = 60, 40, 60


def short_repr(x: Any) -> str:
    """repr(x), shortened: bounded in length and depth, and safe for ints of any size."""
    return _SHORT.repr(x)


def _digits(x: int) -> int:
    """The number of decimal digits of `x`, for an int of any size."""
    # log10 works on ints of any size, where str(x) may raise or take quadratic time
    return int(math.log10(abs(x))) + 1
