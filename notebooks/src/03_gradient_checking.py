# %% [markdown]
# # 3. Gradient checking and second derivatives
#
# Backpropagation is exact, but the function you wrote may not be the function you
# meant. Finite differences are slow and approximate, but they only *evaluate* the
# function, so they see exactly what it computes. Comparing the two is the standard
# test for a gradient: **gradient checking**. Then, since derivatives are themselves
# computed by `Value` operations, we differentiate them again and use the second
# derivative to minimise with Newton's method.

# %%
import math

from autograd_mini import GradcheckError, Value, grad, gradcheck

# %% [markdown]
# ## Central differences
#
# The one-sided difference of notebook 1 has an error proportional to $h$. The
# *central* difference cancels the first error term and leaves one proportional to
# $h^2$:
#
# $$\frac{\partial f}{\partial x_i} \approx
#   \frac{f(\dots, x_i + \varepsilon, \dots) - f(\dots, x_i - \varepsilon, \dots)}{2\varepsilon}.$$
#
# `gradcheck(f, inputs)` calls `f` with one `Value` per input, backpropagates, computes
# the central difference for each input ($\varepsilon = 10^{-6}$), and accepts when
# $|\text{analytic} - \text{numeric}| \le 10^{-5} + 10^{-4}\,|\text{numeric}|$.
#
# ## Correct functions pass

# %%
def f(x, y, z):
    return (x * y).tanh() + z.exp() / (1 + x**2) + (y * y + 1).sqrt() * z.sin()


for point in ([0.5, -1.0, 2.0], [-1.3, 0.2, 0.7], [2.0, 3.0, -1.0]):
    print(point, gradcheck(f, point))

# %% [markdown]
# A loss of a small network, written out by hand, passes too:

# %%
def loss(w1, w2, b1, w3, b2):
    hidden = (0.5 * w1 - 1.0 * w2 + b1).tanh()
    output = (hidden * w3 + b2).sigmoid()
    return -(output.log())  # the cross-entropy for target 1


gradcheck(loss, [0.3, -0.8, 0.1, 1.5, -0.2])

# %% [markdown]
# ## A broken function fails
#
# `.data` is a plain float. Reading it inside a computation is allowed, but the
# result no longer depends on that `Value` as far as the graph knows: the dependency
# is hidden from backpropagation, though not from the function's values.
#
# Here the author meant $g(x, y) = x y + y$, so $\partial g / \partial y = x + 1$,
# but wrote `y.data` in the product:

# %%
def g(x, y):
    return x * y.data + y  # bug: y.data is a constant to the graph


try:
    gradcheck(g, [1.5, -2.0])
except GradcheckError as error:
    print(error)

# %% [markdown]
# The report names the culprit. The derivative with respect to $x$ is right
# ($y = -2$); the one with respect to $y$ is 1 where the function really changes at
# rate $x + 1 = 2.5$: backprop saw only the `+ y` term. Computing with `math` on
# `.data` hides a dependency in the same way:

# %%
def softplus(x):
    return Value(math.log1p(math.exp(x.data)))  # a new leaf: the graph stops here


try:
    gradcheck(softplus, [0.5])
except GradcheckError as error:
    print(error)

# %% [markdown]
# Written with `Value` operations, both are fixed:

# %%
assert gradcheck(lambda x, y: x * y + y, [1.5, -2.0])
assert gradcheck(lambda x: (1 + x.exp()).log(), [0.5])

# %% [markdown]
# One false alarm to know about: at a kink, such as `relu` at 0, the two sides of
# the central difference straddle the corner and average the slopes, $(0 + 1)/2$,
# while backprop picks one side. Check gradients at points away from kinks.

# %%
try:
    gradcheck(lambda x: x.relu(), [0.0])
except GradcheckError as error:
    print(error)

# %% [markdown]
# ## Second derivatives: `grad(grad(f))`
#
# `grad(f)` turns a function of floats into its derivative, a function of floats.
# Inside, the derivative is computed with `Value` operations, so it can be
# differentiated again, to any order:

# %%
cube = lambda x: x**3
d_cube = grad(cube)
d2_cube = grad(d_cube)
d3_cube = grad(d2_cube)
d_cube(2.0), d2_cube(2.0), d3_cube(2.0)

# %%
assert (d_cube(2.0), d2_cube(2.0), d3_cube(2.0)) == (12.0, 12.0, 6.0)

# %% [markdown]
# For $\tanh$ the calculus gives $\tanh' = 1 - \tanh^2$ and
# $\tanh'' = -2 \tanh\,(1 - \tanh^2)$. The engine agrees to rounding:

# %%
def tanh(x):
    return x.tanh()


d_tanh, d2_tanh = grad(tanh), grad(grad(tanh))
for x in [-2.0, -0.5, 0.0, 0.5, 2.0]:
    t = math.tanh(x)
    assert abs(d_tanh(x) - (1 - t * t)) < 1e-15
    assert abs(d2_tanh(x) - (-2 * t * (1 - t * t))) < 1e-15
print("tanh' and tanh'' match their formulas")

# %%
import matplotlib.pyplot as plt

xs = [i / 25 for i in range(-100, 101)]
fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(xs, [math.tanh(x) for x in xs], label=r"$\tanh x$")
ax.plot(xs, [d_tanh(x) for x in xs], label=r"$\tanh' x$ = grad(tanh)")
ax.plot(xs, [d2_tanh(x) for x in xs], label=r"$\tanh'' x$ = grad(grad(tanh))")
ax.axhline(0, color="gray", lw=0.5)
ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
ax.set(xlabel="x")
plt.show()

# %% [markdown]
# The curves tell the story of a `tanh` unit in a network: its slope $\tanh'$ is
# largest at 0 and vanishes in the tails (a saturated unit learns slowly), and
# $\tanh''$ marks where that slope changes fastest.
#
# ## Newton's method
#
# Gradient descent steps along $-f'(x)$ with a step size we must choose. Newton's
# method uses the curvature instead: it fits the parabola with the same value, slope
# and curvature at $x$ and jumps to its minimum,
#
# $$x \leftarrow x - \frac{f'(x)}{f''(x)}.$$
#
# Minimise $f(x) = x^4 - 3x^3 + 2$. Its derivative $4x^3 - 9x^2 = x^2(4x - 9)$
# vanishes at $x^\ast = 9/4$, the minimum.

# %%
def quartic(x):
    return x**4 - 3 * x**3 + 2


d_quartic, d2_quartic = grad(quartic), grad(grad(quartic))

x = 4.0
for step in range(8):
    print(f"step {step}: x = {x:.16f}   error {abs(x - 2.25):.1e}")
    x -= d_quartic(x) / d2_quartic(x)
assert abs(x - 2.25) < 1e-15

# %% [markdown]
# Near the minimum the number of correct digits roughly **doubles** every step
# ($10^{-3}$, $10^{-6}$, $10^{-11}$, then the last bit of a float): quadratic
# convergence. Gradient descent from the same start, with $\eta = 0.01$ (at
# $\eta = 0.06$ it already diverges), gains digits at a steady rate instead, a fixed
# factor per step: linear convergence.

# %%
x, eta = 4.0, 0.01
for step in range(1, 101):
    x -= eta * d_quartic(x)
    if step in (10, 20, 50, 100):
        print(f"step {step:4d}: x = {x:.16f}   error {abs(x - 2.25):.1e}")

# %% [markdown]
# It needs about a hundred steps for what Newton's method did in seven, and a step
# size found by trial.
#
# ### In two dimensions
#
# With several variables, $f''$ becomes the Hessian matrix
# $H_{ij} = \partial^2 f / \partial x_i \partial x_j$, and the Newton step solves
# $H\,\Delta = \nabla f$. `grad(f, argnums=(0, 1))` gives both partial derivatives;
# differentiating each of them again gives the rows of $H$. On Rosenbrock's banana
# valley $f(x, y) = (1 - x)^2 + 100 (y - x^2)^2$, famous for stalling gradient descent,
# from the classic start $(-1.2, 1)$:

# %%
def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


df_dx, df_dy = grad(rosenbrock, 0), grad(rosenbrock, 1)
hessian_row_x, hessian_row_y = grad(df_dx, (0, 1)), grad(df_dy, (0, 1))

x, y = -1.2, 1.0
for step in range(8):
    gx, gy = df_dx(x, y), df_dy(x, y)
    (hxx, hxy), (hyx, hyy) = hessian_row_x(x, y), hessian_row_y(x, y)
    print(f"step {step}: ({x:+.10f}, {y:+.10f})   f = {rosenbrock(x, y):.3e}")
    det = hxx * hyy - hxy * hyx  # solve the 2x2 system H (dx, dy) = (gx, gy)
    x, y = x - (hyy * gx - hxy * gy) / det, y - (hxx * gy - hyx * gx) / det
assert abs(x - 1) < 1e-12 and abs(y - 1) < 1e-12

# %% [markdown]
# Newton's method does not promise to go downhill: step 2 lands far up the valley wall
# ($f$ jumps to 1400) before the next steps fall into the minimum at $(1, 1)$. Real
# optimisers guard the step with a line search, as `nn.ConjugateGradient` does. For
# the networks of the next notebooks, with hundreds of weights, the Hessian is too
# big to build this way, and first-order methods (SGD, Adam, Rprop) take over.
