# %% [markdown]
# # 2. Computation graphs
#
# Notebook 1 differentiated a five-node expression. Here the graphs grow: a neuron,
# the same neuron written with smaller pieces, a whole (tiny) network coloured by
# the size of its gradients, the forward and backward passes played one step at a
# time, and the rule that makes all of it correct when a value is used more than once:
# **gradients add**.

# %%
from autograd_mini import StepPlayer, Value, draw_dot, explain, write_steps

# %% [markdown]
# ## A neuron
#
# A neuron weighs its inputs, adds a bias and squashes the sum:
# $o = \tanh(x_1 w_1 + x_2 w_2 + b)$. These are the numbers of the neuron in Andrej
# Karpathy's micrograd lecture, chosen so that the output is $1/\sqrt 2$.

# %%
x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
b = Value(6.8813735870195432, label="b")
x1w1 = x1 * w1
x1w1.label = "x1w1"
x2w2 = x2 * w2
x2w2.label = "x2w2"
n = x1w1 + x2w2 + b
n.label = "n"
o = n.tanh()
o.label = "o"
o.backward()
draw_dot(o)

# %% [markdown]
# The local derivative of $\tanh$ is $1 - \tanh^2(n) = 1 - o^2 = 0.5$, so $n$
# receives $0.5$. From there the sums copy it to each product, and each product
# swaps its factors: $\partial o / \partial w_1 = 0.5\,x_1 = 1$ and
# $\partial o / \partial x_1 = 0.5\,w_1 = -1.5$. Since $x_2 = 0$, $w_2$ has no
# influence on the output at all: its gradient is 0.

# %%
assert abs(o.data - 2**-0.5) < 1e-12
assert [round(v.grad, 12) for v in (x1, w1, x2, w2, b)] == [-1.5, 1.0, 0.5, 0.0, 0.5]

# %% [markdown]
# ## The same neuron from smaller pieces
#
# Nothing forces $\tanh$ to be one operation. Written out,
# $\tanh(n) = \dfrac{e^{2n} - 1}{e^{2n} + 1}$, it becomes an exponential, a
# multiplication, two sums and a division. The graph is bigger; the gradients are the
# same, because the chain rule does not care how finely a function is cut up.

# %%
def neuron(x1, w1, x2, w2, b):
    n = x1 * w1 + x2 * w2 + b
    e = (2 * n).exp()
    return (e - 1) / (e + 1)


leaves = [Value(v.data, label=v.label) for v in (x1, w1, x2, w2, b)]
o2 = neuron(*leaves)
o2.label = "o"
o2.backward()
draw_dot(o2)

# %%
for coarse, fine in zip((x1, w1, x2, w2, b), leaves):
    print(f"{coarse.label}: {coarse.grad:+.12f} (tanh)   {fine.grad:+.12f} (exp and /)")
    assert abs(coarse.grad - fine.grad) < 1e-12

# %% [markdown]
# ## A small network, coloured by gradient
#
# The `nn` package builds neurons like the one above into layers. Here is a network
# with two inputs, three hidden `tanh` units and one output, and the squared error of
# its prediction for one sample.

# %%
from nn import MLP

model = MLP(2, [3, 1], seed=1)
prediction = model([0.5, -1.0])
loss = (prediction - 1.0) ** 2
loss.label = "loss"
loss.backward()
model

# %% [markdown]
# `params=` colours the parameters green. The inputs 0.5 and -1.0 were plain numbers,
# not `Value`s: the engine keeps such constants inside the operation that uses them
# (the `*` nodes with one incoming edge), since nothing needs their gradient.
# `color_by_grad=True` instead shades every value by $|\partial\,\text{loss}/\partial v|$,
# from white (no influence) to red (the largest).

# %%
draw_dot(loss, params=model.parameters())

# %%
draw_dot(loss, color_by_grad=True)

# %% [markdown]
# The heat map shows where the loss is sensitive. Values near the output are red;
# the first-layer weights are paler, each gradient having been multiplied by a weight
# and a $\tanh$ slope (at most 1) on the way back. A hidden unit whose $\tanh$ is
# saturated passes back almost nothing, and everything below it stays white.
#
# Pictures stop being useful long before graphs stop growing, so `draw_dot` refuses
# large ones unless asked; the error says what to do.

# %%
from autograd_mini.viz import GraphTooLargeError

big = MLP(2, [16, 16, 1], seed=0)
try:
    draw_dot(big([0.5, -1.0]))
except GraphTooLargeError as error:
    print(error)

# %% [markdown]
# ## Forward and backward, one step at a time
#
# `backward()` first sorts the graph so that every value comes after everything it
# was computed from (a *topological order*), then walks that order **in reverse**.
# When it reaches a node, every node that uses it has already been visited, so its
# gradient is complete and can be passed on.
#
# `StepPlayer(root)` plays both passes on one picture. Forward, the values appear in
# topological order, each with the local derivatives its op keeps for later (written
# on the edges). Backward, the gradients complete in reverse order, and the caption
# shows the chain rule with the numbers: for the current value, every node it feeds,
# the gradient there, the edge's local derivative, their product, and the sum. Step
# with the buttons, the slider or the arrow keys (click into the player first); click
# a value to jump to its gradient. Back to the neuron:

# %%
StepPlayer(o)

# %% [markdown]
# The last backward steps reach the leaves. At $x_1$'s step the caption reads
# $\partial o/\partial x_1 = \text{grad}(x_1 w_1) \times w_1 = 0.5 \times (-3) = -1.5$.
# `explain(node)` prints the same derivation, for use outside a notebook:

# %%
print(explain(x1))

# %% [markdown]
# The same player on the 2-3-1 network from above (a wide picture: it starts at full
# size and scrolls to follow the step; the button switches to fit-to-width). The
# *Check gradients numerically* button compares every parameter's gradient with a
# central difference of the loss and colours it green when they agree.

# %%
StepPlayer(loss, params=model.parameters())

# %% [markdown]
# `write_steps(root, folder)` writes the same player as one self-contained
# `index.html` to open in a browser (the command line's `--steps` does too):

# %%
import tempfile
from pathlib import Path

with tempfile.TemporaryDirectory() as folder:
    page = write_steps(o, folder)
    print(sorted(p.name for p in Path(folder).iterdir()), f"{page.stat().st_size:,} bytes")

# %% [markdown]
# ## Shared subexpressions: why gradients add
#
# A value used twice sends gradient back along both uses. The simplest case,
# $y = a + a$:

# %%
a = Value(3.0, label="a")
y = a + a
y.label = "y"
y.backward()
draw_dot(y)

# %%
print(explain(a))

# %% [markdown]
# $y = 2a$, so $dy/da$ must be 2. Each edge contributes $1$; an engine that
# *overwrote* `a.grad` on the second edge instead of adding would report 1.
#
# The general rule is the multivariable chain rule: if $v$ feeds several nodes
# $u_1, \dots, u_k$, then
#
# $$\frac{\partial L}{\partial v} = \sum_{j=1}^{k} \frac{\partial L}{\partial u_j}\,
#   \frac{\partial u_j}{\partial v}.$$
#
# A less obvious example: $z = ab$ is used by both a square and a sum,
# $L = z^2 + z$, so $\partial L / \partial z = 2z + 1$.

# %%
a, b = Value(2.0, label="a"), Value(-1.5, label="b")
z = a * b
z.label = "z"
square = z * z
square.label = "z*z"
L = square + z
L.label = "L"
L.backward()
draw_dot(L)

# %%
print(f"dL/dz = {z.grad} = 2z + 1 = {2 * z.data + 1}")
print(f"dL/da = {a.grad} = (2z + 1) b = {(2 * z.data + 1) * b.data}")
assert z.grad == 2 * z.data + 1 and a.grad == (2 * z.data + 1) * b.data

# %% [markdown]
# `z * z` is drawn with two edges into one `*` node: the product rule gives
# $z + z$, one term per edge, and `explain` lists all three paths out of $z$:

# %%
print(explain(z))

# %% [markdown]
# Notebook 7 shows what goes wrong when an engine does not add them, or adds them in
# the wrong order.
#
# ## Gradients accumulate across calls too
#
# For the same reason, `.grad` is never reset by `backward()`: calling it again adds
# the same derivatives once more. Contributions can come from several passes (a sum of
# losses over a batch, computed one sample at a time), so adding is the only rule that
# is right in general. After any number of calls, `.grad` holds the sum over those
# calls of $\partial(\text{root}) / \partial v$.

# %%
x = Value(1.0, label="x")
y = 2 * x
z = 3 * y
z.backward()
z.backward()
assert (x.grad, y.grad) == (12.0, 6.0)
x.grad, y.grad

# %% [markdown]
# `x.grad` is $2 \times dz/dx = 2 \times 6$ and `y.grad` is $2 \times dz/dy = 2 \times 3$.
# (micrograd, which passes on the accumulated gradient rather than this call's,
# reports 18 for `x`.) `zero_grad()` on
# the root clears every node below it, which is what a training loop does before each
# step:

# %%
z.zero_grad()
z.backward()
assert (x.grad, y.grad) == (6.0, 3.0)
x.grad, y.grad
