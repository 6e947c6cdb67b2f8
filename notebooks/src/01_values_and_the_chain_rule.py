# %% [markdown]
# # 1. Values and the chain rule
#
# A `Value` is one number that remembers how it was made. Chain a few of them into an
# expression, call `backward()`, and every `Value` learns how much the result would
# change if it were nudged: its *gradient*. This notebook is a REPL session that
# builds that idea from the definition of the derivative up to the first step of
# learning: moving a weight the way the gradient says.

# %%
from autograd_mini import Value, draw_dot

# %% [markdown]
# ## Building an expression
#
# Each `Value` holds a float in `.data`. A `label` is optional; it names the value in
# `repr` and in drawings.

# %%
a = Value(2.0, label="a")
b = Value(-3.0, label="b")
c = Value(10.0, label="c")
a

# %% [markdown]
# Arithmetic on `Value`s gives new `Value`s. Each result records the operation that
# made it (`.op`) and its inputs (`.parents`): the expression becomes a graph.

# %%
e = a * b
e.label = "e"
d = e + c
d.label = "d"
d

# %%
d.op, d.parents

# %%
e.op, [parent.label for parent in e.parents]

# %% [markdown]
# Nothing has been differentiated yet, so every `.grad` is still `0.0`.

# %%
a.grad, d.grad

# %% [markdown]
# ## The derivative as a limit
#
# The derivative of $f$ at $x$ is the slope of $f$ over a vanishing step $h$:
#
# $$f'(x) = \lim_{h \to 0} \frac{f(x + h) - f(x)}{h}.$$
#
# Take $f(x) = 3x^2 - 4x + 5$. By the rules of calculus $f'(x) = 6x - 4$, so
# $f'(3) = 14$. A computer can approach the limit by hand with smaller and smaller $h$:

# %%
def f(x):
    return 3 * x**2 - 4 * x + 5


x = 3.0
for h in [1e-1, 1e-2, 1e-3, 1e-4, 1e-6, 1e-8, 1e-12]:
    slope = (f(x + h) - f(x)) / h
    print(f"h = {h:<6g}  slope = {slope:.10f}")

# %% [markdown]
# The slope creeps towards 14, then gets *worse* for tiny $h$: $f(x+h)$ and $f(x)$
# agree in almost every digit, and their difference keeps only the few digits that
# rounding left over. Finite differences are a good check but a poor way to compute
# derivatives.
#
# The same `f` works on a `Value` (it only uses `*`, `-`, `+` and `**`). `backward()`
# then gives the exact slope, with no $h$ at all:

# %%
x = Value(3.0, label="x")
y = f(x)
y.backward()
y.data, x.grad

# %%
assert x.grad == 14.0

# %% [markdown]
# ## The chain rule on a small graph
#
# Extend the expression: $L = d \cdot f$ with $d = a b + c$. Calling `backward()` on
# $L$ fills in $\partial L / \partial v$ for every value $v$ below it.

# %%
f_ = Value(-2.0, label="f")
L = d * f_
L.label = "L"
L.backward()
draw_dot(L)

# %% [markdown]
# Read the picture from right to left, which is the order `backward` works in:
#
# * $\partial L / \partial L = 1$: the seed.
# * $L = d \cdot f$, so $\partial L / \partial d = f = -2$ and $\partial L / \partial f = d = 4$.
# * $d = e + c$: a sum passes the gradient through unchanged, so
#   $\partial L / \partial e = \partial L / \partial c = -2$.
# * $e = a \cdot b$: the **chain rule** multiplies the gradient that arrived at $e$
#   by the local derivative $\partial e / \partial a = b$:
#
# $$\frac{\partial L}{\partial a} = \frac{\partial L}{\partial e}\,\frac{\partial e}{\partial a}
#   = (-2)(-3) = 6, \qquad \frac{\partial L}{\partial b} = (-2)(2) = -4.$$
#
# Every node does the same small thing: multiply the incoming gradient by its own
# local derivative and hand the product to its inputs.

# %%
print(f"dL/da = {a.grad}   by the chain rule: {f_.data * 1.0 * b.data}")
print(f"dL/db = {b.grad}   by the chain rule: {f_.data * 1.0 * a.data}")
assert (a.grad, b.grad, c.grad, f_.grad) == (6.0, -4.0, -2.0, 4.0)

# %% [markdown]
# And the limit definition agrees: nudge $a$ by $h$, recompute $L$ with plain floats,
# divide the change by $h$.

# %%
def L_of(a, b=-3.0, c=10.0, f=-2.0):
    return (a * b + c) * f


h = 1e-6
print((L_of(2.0 + h) - L_of(2.0)) / h)

# %% [markdown]
# ## Why the gradient says which way to move
#
# Here is the smallest learning problem there is. Three points lie on a line through
# the origin:

# %%
xs = [0.0, 1.0, 2.0]
ys = [0.0, 2.0, 4.0]

# %% [markdown]
# The model is $\hat y = w x$ with one weight $w$. Its error is the mean squared error
#
# $$E(w) = \frac{1}{3}\sum_i (w x_i - y_i)^2 = \frac{5}{3}(w - 2)^2,$$
#
# which is smallest at $w = 2$. Pretend we do not know that and ask the engine for
# $E$ and $dE/dw$ at a few values of $w$:

# %%
def error(w):
    return sum((w * x - y) ** 2 for x, y in zip(xs, ys)) / len(xs)


for guess in [0.0, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0]:
    w = Value(guess, label="w")
    E = error(w)
    E.backward()
    print(f"w = {guess:3.1f}   E = {E.data:6.3f}   dE/dw = {w.grad:+7.3f}")

# %% [markdown]
# Left of the minimum the slope is negative: increasing $w$ lowers the error.
# Right of it the slope is positive: decreasing $w$ lowers it. At $w = 2$ it is zero.
# In every case the error goes down if $w$ moves *against* the gradient, and the
# further from the minimum, the larger the step it suggests. That is gradient descent:
#
# $$w \leftarrow w - \eta \, \frac{dE}{dw}.$$

# %%
import matplotlib.pyplot as plt

grid = [i / 20 for i in range(81)]
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(grid, [error(w) for w in grid], color="tab:blue")
for guess in [0.5, 3.5]:
    w = Value(guess)
    E = error(w)
    E.backward()
    ax.annotate("", xy=(guess - 0.3 * w.grad / abs(w.grad), E.data), xytext=(guess, E.data),
                arrowprops={"arrowstyle": "->", "color": "tab:red", "lw": 2})
    ax.plot([guess - 0.4, guess + 0.4], [E.data - 0.4 * w.grad, E.data + 0.4 * w.grad],
            color="tab:gray", lw=1)
ax.set(xlabel="w", ylabel="E(w)", title="tangent (grey) and the step against the slope (red)")
plt.show()

# %% [markdown]
# Now let the gradient do the search, starting from $w = 0$ with step size
# $\eta = 0.2$:

# %%
w = Value(0.0, label="w")
eta = 0.2
for step in range(12):
    w.zero_grad()
    E = error(w)
    E.backward()
    if step % 2 == 0:
        print(f"step {step:2d}: w = {w.data:.6f}   E = {E.data:.2e}   dE/dw = {w.grad:+.4f}")
    w.data -= eta * w.grad

# %%
assert abs(w.data - 2.0) < 1e-3

# %% [markdown]
# Two details made that loop correct:
#
# * `w.zero_grad()` before each `backward()`: gradients **accumulate** across calls
#   (notebook 2 shows why that is the right design), so an old gradient must be cleared.
# * `w.data -= ...` changes the number, not the graph: each step builds a fresh graph
#   from the new $w$.
#
# Every network in the later notebooks is trained by exactly this loop, with many
# weights instead of one.
