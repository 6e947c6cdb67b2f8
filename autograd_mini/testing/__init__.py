"""A testing kit for gradients: your functions, primitives, models and engines.

    checks.py       check_grads (reverse and forward mode against central differences,
                    to any order) and check_params (a model's parameters)
    strategies.py   hypothesis strategies: in-domain floats(op), random expressions()
                    (needs the `testing` extra: pip install 'autograd-mini[testing]')
    engines.py      compare_engine: a micrograd-style Value class against ours
    expressions.py  Expression: a random function, callable on floats and on Values
    references.py   every op of the table on floats, with its domain and kinks

`strategies` is imported on its own (`from autograd_mini.testing import strategies`), so
that the checks work without hypothesis.
"""
from autograd_mini.functional import GradcheckError
from autograd_mini.testing.checks import check_grads, check_params
from autograd_mini.testing.engines import compare_engine
from autograd_mini.testing.expressions import Expression

__all__ = ["check_grads", "check_params", "compare_engine", "GradcheckError", "Expression"]
