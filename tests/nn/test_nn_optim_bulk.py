"""The optimizers read and write every parameter's data and grad at once, behind the
.data and .grad properties (nn/_bulk.py): what they store and refuse is what the
properties store and refuse."""
from __future__ import annotations

import numpy as np
import pytest

from autograd_mini import Value
from nn import SGD, Adam
from nn.optim import Optimizer


class Fixed(Optimizer):
    """An optimizer of your own whose update gives every parameter the number `new`."""

    def __init__(self, params, new) -> None:
        super().__init__(params, lr=0.1)
        self.new = new

    def _update(self, lr, params, grads, state):
        return [self.new] * len(params), {}


def stepped(params, optimizer):
    for p in params:
        p.grad = 0.5
    optimizer.step()
    return [p.data for p in params]


@pytest.mark.parametrize("new", [2, np.float64(2.0), np.float32(2.0)],
                         ids=["int", "float64", "float32"])
def test_an_update_that_is_not_a_plain_float_is_stored_as_the_setter_stores_it(new):
    params = [Value(1.0), Value(-1.0)]
    assert stepped(params, Fixed(params, new)) == [2.0, 2.0]
    assert all(type(p.data) is float for p in params)


def test_an_update_the_setter_refuses_is_refused_and_changes_nothing():
    params = [Value(1.0), Value(-1.0)]
    optimizer = Fixed(params, True)
    with pytest.raises(TypeError, match="a bool is not a number"):
        stepped(params, optimizer)
    assert [p.data for p in params] == [1.0, -1.0] and optimizer.steps == 0


def test_a_gradient_slot_holding_a_float_subclass_is_stepped_on_as_its_float():
    p = Value(1.0)
    p._grad = np.float64(0.5)  # past the setter, which would have made it a float
    SGD([p], lr=0.1).step()
    assert p.data == 1.0 - 0.1 * 0.5 and type(p.data) is float


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1, momentum=0.9),
                                  lambda ps: Adam(ps, lr=0.1)], ids=["SGD", "Adam"])
def test_zero_grad_set_to_none_leaves_what_grad_none_leaves(make):
    params, other = [Value(1.0), Value(2.0)], Value(3.0)
    for p in [*params, other]:
        p.grad = 4.0
    optimizer = make(params)
    optimizer.zero_grad(set_to_none=True)
    other.grad = None
    assert [p.grad for p in params] == [None, None]
    assert all(p._grad is other._grad for p in params)
    (params[0] * 2.0).backward()  # params[1] is not reached: it keeps None and is skipped
    assert params[0].grad == 2.0 and type(params[0].grad) is float
    optimizer.step()
    assert params[0].data != 1.0 and params[1].data == 2.0


def test_zero_grad_writes_a_plain_zero_over_any_gradient():
    p, q = Value(3.0), Value(1.0)
    (p * p).backward(create_graph=True)  # p.grad is a Value
    q.grad = None
    SGD([p, q], lr=0.1).zero_grad()
    assert (p.grad, q.grad) == (0.0, 0.0)
    assert type(p.grad) is float and type(q.grad) is float
