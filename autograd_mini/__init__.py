"""autograd-mini: a small, exact and fast scalar reverse-mode autodiff engine."""
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

from .engine import Value, no_grad
from .functional import GradcheckError, grad, gradcheck, value_and_grad

try:
    __version__ = version("autograd-mini")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["Value", "no_grad", "grad", "value_and_grad", "gradcheck", "GradcheckError",
           "draw_dot", "jacobian", "hessian", "jvp", "vjp", "compile_graph", "explain",
           "__version__"]

# Loaded on first use, so that `import autograd_mini` stays light: viz imports graphviz.
_LAZY = {"draw_dot": ".viz", "jacobian": ".transforms", "hessian": ".transforms",
         "jvp": ".transforms", "vjp": ".transforms", "compile_graph": ".compiler",
         "explain": ".viz"}


def __getattr__(name: str):
    if name in _LAZY:
        try:
            module = import_module(_LAZY[name], __name__)
        except ModuleNotFoundError as error:
            if error.name != __name__ + _LAZY[name]:
                raise  # something it imports is missing: say so
            raise AttributeError(f"autograd_mini.{name} is not in this version") from None
        return getattr(module, name)
    raise AttributeError(f"module 'autograd_mini' has no attribute {name!r}")
