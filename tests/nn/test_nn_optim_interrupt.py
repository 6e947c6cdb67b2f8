"""Ctrl-C during an optimizer step changes nothing: every parameter and the optimizer's
state are as before the step, or every one is stepped."""
from __future__ import annotations

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


def _model_and_loss():
    model = MLP(2, [3, 2, 1], seed=0)  # 17 parameters

    def loss():
        model.zero_grad()
        value = mse_loss(model([0.5, -1.0]), 0.3)
        value.backward()
        return value
    return model, loss


def _snapshot(model, optimizer):
    return [p.data for p in model.parameters()], dict(vars(optimizer))


@pytest.mark.parametrize("make", [
    lambda params: SGD(params, lr=0.1, momentum=0.9), lambda params: Adam(params, lr=0.01),
    lambda params: Rprop(params, lr=0.01), lambda params: ConjugateGradient(params, lr=0.1),
], ids=["SGD", "Adam", "Rprop", "ConjugateGradient"])
def test_an_interrupt_anywhere_in_a_step_changes_nothing(make):
    model, loss = _model_and_loss()
    optimizer = make(model.parameters())
    optimizer.step(loss)  # a first step, so that the state is not empty
    where = "_move" if isinstance(optimizer, ConjugateGradient) else "_commit"
    for nth in range(1, 150):
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
        if interrupted:
            assert _snapshot(model, optimizer) == before, f"interrupted at line {nth}"
