"""autograd-mini: a small, exact and fast scalar reverse-mode autodiff engine.

The core sits at the top of the package:

    ops.py         every primitive in one table: value, slope, domain, hint
    opgen.py       the rows as Value methods and higher-order rules; apply(op)
    numeric.py     float checks, and the error types
    engine.py      Value, its operators, no_grad; readouts.py how it reads as a number
                   (data, grad, item, comparisons); micrograd_nodes.py micrograd's names
    backprop.py    the backward pass; nonfinite.py names a gradient that is not finite
    persist.py     pickle and deepcopy without recursion
    functional.py  grad, value_and_grad, gradcheck
    transforms.py  jacobian, hessian, jvp, vjp
    functions.py   exp(x), tanh(x), ...: the table's functions of a number or a Value
    primitives.py  @primitive: ops of the user's own, with their slopes
    trees.py       containers of numbers (lists, tuples, dicts): flatten and rebuild
    files.py       the atomic writer every file we save goes through

The satellites have packages of their own and only read graphs: compiler/
(compile_graph), viz/ (draw_dot, the step player, explain), cli/ (the command line) and
testing/ (check_grads, strategies, compare_engine: the kit for gradient tests).
The core imports none of them.
"""
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from .backprop import topological_order
from .engine import Value, no_grad
from .functional import GradcheckError, grad, gradcheck, value_and_grad
from .functions import (abs, atan, clamp, clamp_max, clamp_min, cos, cosh, elu, erf, erfc, exp, expm1, gelu, leaky_relu,
                        log, log1p, maximum, minimum, relu, sigmoid, silu, sin, sinh, softplus,
                        sqrt, tan, tanh)
from .numeric import DomainError, FloatOverflowError, NonFiniteGradientError
from .primitives import primitive

if TYPE_CHECKING:  # the lazy names below, for type checkers and editors
    from .compiler import compile_graph
    from .transforms import hessian, jacobian, jvp, vjp
    from .viz import StepPlayer, draw_dot, explain, write_steps

try:
    __version__ = version("autograd-mini")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["Value", "no_grad", "grad", "value_and_grad", "gradcheck", "GradcheckError",
           "draw_dot", "jacobian", "hessian", "jvp", "vjp", "compile_graph", "explain",
           "DomainError", "FloatOverflowError", "NonFiniteGradientError", "StepPlayer",
           "write_steps", "topological_order", "primitive", "__version__",
           # the op table's functions, of a number or a Value (functions.py)
           "abs", "exp", "log", "sqrt", "log1p", "expm1", "sin", "cos", "tan", "atan", "sinh",
           "cosh", "tanh", "sigmoid", "erf", "erfc", "relu", "leaky_relu", "elu", "softplus",
           "silu", "gelu", "maximum", "minimum", "clamp_min", "clamp_max", "clamp"]

# Loaded on first use, so that `import autograd_mini` stays light: viz imports graphviz.
_LAZY = {"draw_dot": ".viz", "jacobian": ".transforms", "hessian": ".transforms",
         "jvp": ".transforms", "vjp": ".transforms", "compile_graph": ".compiler",
         "explain": ".viz", "StepPlayer": ".viz", "write_steps": ".viz"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        try:
            module = import_module(_LAZY[name], __name__)
        except ModuleNotFoundError as error:
            if error.name != __name__ + _LAZY[name]:
                raise  # something it imports is missing: say so
            raise AttributeError(f"autograd_mini.{name} is not in this version") from None
        return getattr(module, name)
    raise AttributeError(f"module 'autograd_mini' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
