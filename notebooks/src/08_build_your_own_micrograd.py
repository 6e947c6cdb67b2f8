# %% [markdown]
# # 8. Build your own micrograd, and test it like a library
#
# The best way to understand backpropagation is to write the engine yourself: a `Value`
# that remembers its parents and how to pass a gradient back to them, and a `backward`
# that visits the graph in reverse topological order. It takes a few dozen lines.
#
# Getting it *right* is another matter. A classic slip is in `__add__`: writing
# `self.grad = out.grad` where `+=` belongs. Every example you try by hand may pass,
# because it only shows when a value is used twice. Here we write an engine with that
# slip, and let `autograd_mini.testing.compare_engine` find it: it draws random
# expressions over the operations your class offers, runs them on your engine and on
# ours, and shrinks any difference to the smallest expression that shows it.

# %%
import math

from autograd_mini import primitive, tanh
from autograd_mini.testing import check_grads, compare_engine


# %% [markdown]
# ## The engine, with a planted bug

# %%
class Value:
    """A scalar that remembers how it was computed (the lecture's design)."""

    def __init__(self, data, _children=()):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))

        def _backward():
            self.grad = out.grad      # the slip: should be +=
            other.grad = out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, (self,))

        def _backward():
            self.grad += (1.0 - t * t) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        order, seen = [], set()

        def visit(v):
            if v not in seen:
                seen.add(v)
                for child in v._prev:
                    visit(child)
                order.append(v)
        visit(self)
        self.grad = 1.0
        for v in reversed(order):
            v._backward()


# %% [markdown]
# Tried by hand on a neuron, the gradients are right: d/da tanh(ab + 1) is
# b (1 - tanh^2), and so on, and each value here is used once.

# %%
a, b = Value(0.5), Value(-0.3)
out = (a * b + 1.0).tanh()
out.backward()
t = math.tanh(0.5 * -0.3 + 1.0)
print(a.grad, -0.3 * (1 - t * t))
print(b.grad, 0.5 * (1 - t * t))

# %% [markdown]
# ## The property test finds the slip
#
# `compare_engine` tries each operation of the table on your class to see which ones it
# offers (here `+` and `*`, each with a number on the right, and `tanh`), then compares
# values and gradients over a few hundred random expressions. The error names the
# smallest expression that differs, with both engines' numbers:

# %%
try:
    compare_engine(Value)
except AssertionError as error:
    print(error)


# %% [markdown]
# `a + a`: the value is used twice, so its gradient must be the *sum* of both paths,
# 2. With `=`, the second path overwrites the first. The fix is the one character:

# %%
def _add(self, other):
    other = other if isinstance(other, Value) else Value(other)
    out = Value(self.data + other.data, (self, other))

    def _backward():
        self.grad += out.grad
        other.grad += out.grad
    out._backward = _backward
    return out


Value.__add__ = _add
print(compare_engine(Value))  # None: the engines agree on every expression tried

# %% [markdown]
# One thing remains different from autograd_mini: calling `backward()` twice. Ours adds
# the gradient once per call (as PyTorch does); the lecture's engine also re-adds the
# gradients left in the intermediate nodes. `repeat_backward=True` checks that too:

# %%
try:
    compare_engine(Value, repeat_backward=True)
except AssertionError as error:
    print(error)


# %% [markdown]
# ## Your own op, checked to second order
#
# In autograd_mini an op of your own is a function of floats and its slope. `check_grads`
# compares its derivatives with central differences in reverse and forward mode, and then
# the derivatives of those (order 2). Written with `tanh` from autograd_mini (not
# `math.tanh`), the slope is itself differentiable:

# %%
@primitive(slope=lambda x, out: 1.0 - tanh(x) ** 2)
def my_tanh(x):
    return math.tanh(x)


check_grads(my_tanh, [0.4], order=2)
print("my_tanh passes to second order")


# %% [markdown]
# A slope that is right as a number but not as a function (here it reads the float
# `out.data`, so its own derivative is lost) passes at first order and is caught at
# the second:

# %%
@primitive(slope=lambda x, out: 1.0 - out.data ** 2 if hasattr(out, "data") else 1.0 - out ** 2)
def leaky_tanh(x):
    return math.tanh(x)


check_grads(leaky_tanh, [0.4], order=1)
try:
    check_grads(leaky_tanh, [0.4], order=2)
except AssertionError as error:
    print(error)
