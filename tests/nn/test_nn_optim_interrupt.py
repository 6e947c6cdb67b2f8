"""Ctrl-C during an optimizer step changes nothing: every parameter and the optimizer's
state are as before the step, or every one is stepped."""
from __future__ import annotations

import itertools
import sys

import pytest

from nn import MLP, SGD, Adam, ConjugateGradient, Rprop, mse_loss


def _interrupt_at_line(function_name: str, nth: int):
    """A trace function raising KeyboardInterrupt at the nth line run in `function_name`,
    as Ctrl-C would between two statements."""
    seen = [0]

    def local(frame, event, arg):
        if event == "line":
            seen[0] += 1
            if seen[0] == nth:
                raise KeyboardInterrupt
        return local

    def global_(frame, event, arg):
        return local if frame.f_code.co_name == function_name else None
    return global_


def _model_and_loss(skipping: bool = False):
    """A model and a closure; with `skipping`, a third of the parameters (another third at
    each call) are left with grad None, so that a step skips them."""
    model = MLP(2, [3, 2, 1], seed=0)  # 17 parameters
    calls = [0]

    def loss():
        model.zero_grad()
        value = mse_loss(model([0.5, -1.0]), 0.3)
        value.backward()
        calls[0] += 1
        if skipping:
            for p in model.parameters()[calls[0] % 3::3]:
                p.grad = None
        return value
    return model, loss


def _snapshot(model, optimizer):
    """The parameters and a copy of the optimizer's attributes, its state lists copied too
    (so that a list changed in place shows)."""
    state = {name: list(x) if isinstance(x, list) else x for name, x in vars(optimizer).items()}
    return [p.data for p in model.parameters()], state


_OPTIMIZERS = {"SGD": lambda params: SGD(params, lr=0.1, momentum=0.9),
               "Adam": lambda params: Adam(params, lr=0.01),
               "Rprop": lambda params: Rprop(params, lr=0.01),
               "ConjugateGradient": lambda params: ConjugateGradient(params, lr=0.1)}
# _commit checks a step, then assign_data writes it; ConjugateGradient moves the
# parameters in _move, its line search's step, so only "_commit" names its place
_PLACES = [(name, inside) for name in _OPTIMIZERS for inside in ("_commit", "assign_data")
           if name != "ConjugateGradient" or inside == "_commit"]


@pytest.mark.parametrize("name, inside", _PLACES, ids=[f"{n}-{i}" for n, i in _PLACES])
@pytest.mark.parametrize("skipping", [False, True], ids=["all-grads", "some-grads-none"])
def test_an_interrupt_anywhere_in_a_step_changes_nothing(name, inside, skipping):
    model, loss = _model_and_loss(skipping)
    optimizer = _OPTIMIZERS[name](model.parameters())
    optimizer.step(loss)  # a first step, so that the state is not empty
    where = "_move" if isinstance(optimizer, ConjugateGradient) else inside
    for nth in itertools.count(1):  # until a step runs past its last line
        loss()
        before = _snapshot(model, optimizer)
        sys.settrace(_interrupt_at_line(where, nth))
        try:
            optimizer.step(loss)
        except KeyboardInterrupt:
            interrupted = True
        else:
            interrupted = False
        finally:
            sys.settrace(None)
        if not interrupted:
            break
        assert _snapshot(model, optimizer) == before, f"interrupted at line {nth}"
    assert nth > 1
