"""autograd-mini: a small, exact and fast scalar reverse-mode autodiff engine."""
from .engine import Value, no_grad
from .functional import GradcheckError, grad, gradcheck, value_and_grad

__all__ = ["Value", "no_grad", "grad", "value_and_grad", "gradcheck", "GradcheckError",
           "draw_dot"]


def __getattr__(name: str):
    # draw_dot lives in viz.py, which imports graphviz: loaded on first use only.
    if name == "draw_dot":
        from .viz import draw_dot
        return draw_dot
    raise AttributeError(f"module 'autograd_mini' has no attribute {name!r}")
