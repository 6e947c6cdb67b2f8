# %% [markdown]
# # 5. Training multi-layer perceptrons
#
# Until now the networks were tiny and their steps were looked at one by one. Here we
# take thousands of steps with the `nn` package: `MLP` builds the network, a loss scores
# it, an optimizer moves the weights and `fit` loops over the data with a progress
# bar. Three toy problems of growing difficulty (XOR, two moons, three spirals), the
# boundaries the networks learn, four optimizers raced on one problem, what L2
# regularisation does to a boundary, and how `fit` makes its steps several times faster
# by compiling the network's graph once.

# %%
import matplotlib.pyplot as plt

from autograd_mini import no_grad
from nn import (MLP, SGD, Adam, ConjugateGradient, Rprop, binary_cross_entropy_with_logits,
                cross_entropy, fit, plot)
from nn.datasets import make_moons, spiral, xor

# %% [markdown]
# Plotting: `nn.plot.decision_boundary` asks the trained network about every point of a
# grid (through `predict`, which records no graph) and colours the plane by the class it
# votes for; `nn.plot.history` draws the loss and accuracy per epoch. Our one-output
# models give a logit, so the class boundary is at 0; with several outputs, the largest
# is the class.

# %%
def plot_history(ax, history, label=None):
    ax.semilogy([r["epoch"] for r in history], [r["loss"] for r in history], label=label)
    ax.set(xlabel="epoch", ylabel="loss")


def show_training(model, X, y, history, name, threshold=0.0):
    """The learned classes beside the loss curve."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2), layout="constrained")
    plot.decision_boundary(model, X, y, ax=left, threshold=threshold)
    left.set_title(f"{name}: {history[-1]['accuracy']:.0%} of training points")
    plot.history(history, ax=right)
    plt.show()

# %% [markdown]
# ## XOR
#
# The four corners of the unit square, labelled 1 where exactly one coordinate is 1.
# No straight line separates the classes, so a network without a hidden layer cannot
# learn it; four hidden `tanh` units can.
#
# The network outputs one number, a *logit* $z$, read as the probability
# $\sigma(z)$ of class 1. The loss is the binary cross-entropy
# $-\big(y \log \sigma(z) + (1 - y) \log(1 - \sigma(z))\big)$, computed from $z$
# directly so that it stays finite for large $|z|$. Adam adapts the step size of each
# weight separately.

# %%
X, y = xor()
model = MLP(2, [4, 1], activation="tanh", seed=0)
history = fit(model, X, y, loss=binary_cross_entropy_with_logits,
              optimizer=Adam(model.parameters(), lr=0.1), epochs=100)
history[-1]

# %%
assert history[-1]["accuracy"] == 1.0
with no_grad():
    print([(x, round(model(x).sigmoid().data, 3)) for x in X])

# %%
show_training(model, X, y, history, "XOR")

# %% [markdown]
# The hidden units each draw a line; the output combines them into a band that
# contains $(0, 1)$ and $(1, 0)$ but not the other two corners.
#
# ## Two moons
#
# Two interleaved half circles with noise, 100 points. Two hidden layers of 8 units,
# trained in **mini-batches** of 20: each epoch is five steps, each on a fifth of the
# data, reshuffled every epoch.

# %%
X, y = make_moons(100, noise=0.1, seed=0)
model = MLP(2, [8, 8, 1], seed=0)
history = fit(model, X, y, loss=binary_cross_entropy_with_logits,
              optimizer=Adam(model.parameters(), lr=0.05), epochs=60, batch_size=20)
history[-1]

# %%
assert history[-1]["accuracy"] >= 0.98
show_training(model, X, y, history, "moons")

# %% [markdown]
# The loss curve is jagged: each mini-batch gives a noisy estimate of the full
# gradient. The noise is cheap (five small steps cost what one full step does) and
# rarely harmful.
#
# ## Three spirals
#
# Three arms winding around each other, 90 points. With three classes the network
# ends in three logits $z_k$, and the loss is the **cross-entropy** of their softmax:
#
# $$\text{loss} = -\log \frac{e^{z_y}}{\sum_k e^{z_k}}.$$
#
# Its gradient with respect to $z_k$ is simply $\text{softmax}(z)_k - [k = y]$:
# push the right class up, the others down in proportion to their probability.

# %%
X, y = spiral(90, classes=3, seed=0)
model = MLP(2, [12, 12, 3], seed=0)
history = fit(model, X, y, loss=cross_entropy,
              optimizer=Adam(model.parameters(), lr=0.05), epochs=80, batch_size=15)
history[-1]

# %%
assert history[-1]["accuracy"] >= 0.9
show_training(model, X, y, history, "spirals", threshold=None)  # 3 outputs: the largest

# %% [markdown]
# ## Four optimizers, one problem
#
# Same data (60 moons points), same network, same starting weights, full-batch
# gradients, 100 epochs; only the rule that turns a gradient into a step changes.
#
# * **SGD with momentum**: $v \leftarrow \mu v + g$, $\theta \leftarrow \theta - \eta v$.
#   Momentum keeps moving in directions that the gradients agree on.
# * **Adam**: divides each weight's step by a running root-mean-square of its
#   gradients, so every weight moves at about the same speed $\eta$.
# * **Rprop**: ignores the gradient's size, keeps only its sign; each weight's step
#   grows by 1.2 while the sign holds and halves when it flips.
# * **Conjugate gradient**: chooses a direction from the gradient and the previous
#   direction, then a step length by a **line search**: several evaluations of the
#   loss per epoch. It needs the full batch.
#
# The bars are off here (`progress=False`) to keep the output short.

# %%
X, y = make_moons(60, noise=0.15, seed=0)
optimizers = {
    "SGD (lr 0.5, momentum 0.9)": lambda params: SGD(params, lr=0.5, momentum=0.9),
    "Adam (lr 0.05)": lambda params: Adam(params, lr=0.05),
    "Rprop (defaults)": lambda params: Rprop(params),
    "ConjugateGradient": lambda params: ConjugateGradient(params),
}
histories = {}
for name, make in optimizers.items():
    model = MLP(2, [8, 1], seed=1)  # the same starting weights for each
    histories[name] = fit(model, X, y, loss=binary_cross_entropy_with_logits,
                          optimizer=make(model.parameters()), epochs=100, progress=False)
    print(f"{name:28} final loss {histories[name][-1]['loss']:.2e}   "
          f"accuracy {histories[name][-1]['accuracy']:.0%}")

# %%
fig, ax = plt.subplots(figsize=(6, 3.5))
for name, history in histories.items():
    plot_history(ax, history, label=name)
ax.legend(fontsize=8)
ax.set(title="the same network and data, four optimizers")
plt.show()

# %% [markdown]
# All four start on the same plateau. Conjugate gradient leaves it first and ends two
# orders of magnitude below the others; Rprop comes next; SGD with momentum and Adam
# (with these step sizes) are still descending after 100 epochs. The comparison is
# per *epoch*, which flatters conjugate gradient: its line search evaluates the loss
# several times per epoch. On large data sets, where only mini-batches are
# affordable, Adam and SGD are the usual choice. And a training loss near zero on 60
# noisy points is not necessarily a good thing, which brings us to regularisation.
#
# ## L2 regularisation
#
# A network with many weights can bend its boundary around every noisy point. L2
# regularisation adds a penalty on the size of the weights to the loss,
#
# $$\text{loss} + \frac{\lambda}{2} \sum_j \theta_j^2,
#   \qquad \text{whose gradient adds } \lambda\, \theta_j,$$
#
# which is exactly what the optimizers' `weight_decay=λ` adds to each gradient (to
# the biases' too; adding `nn.l2_penalty(model.weights(), λ)` to the loss instead is
# the textbook variant that spares them, used in notebook 6).
# Large weights are what make sharp bends (a `tanh` of a large sum is a step), so the
# penalty buys a smoother boundary at the price of some training points. Below, 40
# very noisy moons points and two hidden layers of 12 units, trained with and without
# it:

# %%
X, y = make_moons(40, noise=0.3, seed=1)
fig, axes = plt.subplots(1, 2, figsize=(8, 3.5), layout="constrained")
for ax, lam in zip(axes, [0.0, 0.02]):
    model = MLP(2, [12, 12, 1], seed=0)
    history = fit(model, X, y, loss=binary_cross_entropy_with_logits,
                  optimizer=Adam(model.parameters(), lr=0.05, weight_decay=lam),
                  epochs=150, progress=False)
    size = sum(p.data**2 for p in model.weights()) ** 0.5
    plot.decision_boundary(model, X, y, ax=ax, threshold=0.0)
    ax.set_title(f"λ = {lam}: train acc. {history[-1]['accuracy']:.0%}, |w| = {size:.1f}")
plt.show()

# %% [markdown]
# Without the penalty the network gets every training point right, with weights
# three to four times as large, by bending its boundary sharply: a tongue of red
# reaches up for a stray red point and a pocket of blue dips deep into the red moon
# for a stray blue one. Those bends are fitted noise: new points from the same moons
# would fall on their wrong side. With $\lambda = 0.02$ the weights stay small,
# the boundary is a smooth curve between the two moons, and the noisiest points are
# left misclassified. Choosing $\lambda$ is a
# matter of held-out data: pick the value that does best on points not trained on.

# %% [markdown]
# ## Compiled training
#
# Every step above built the same graph again, object by object: a 2-16-16-1 network on a
# batch of 10 points is about 6,500 `Value`s per step, made, backpropagated and thrown
# away. For nn's own models `fit` does not do that: it captures the graph once per batch
# size with `autograd_mini.compile_graph` and replays it at every step as generated Python,
# with the batch's numbers in place of the last one's. `compile=False` turns that off.
# The numbers are the same to the last bit; only the time differs.

# %%
import time

from nn import hinge_loss

X, y = make_moons(200, noise=0.1, seed=0)


def train(compile):
    model = MLP(2, [16, 16, 1], seed=0)
    started = time.perf_counter()
    history = fit(model, X, y, loss=hinge_loss, epochs=20, batch_size=10, progress=False,
                  optimizer=SGD(model.parameters(), lr=0.05, momentum=0.9), compile=compile)
    return history, model.state_dict(), time.perf_counter() - started


eager_history, eager_weights, eager_seconds = train(compile=False)
history, weights, seconds = train(compile=True)
print(f"eager {eager_seconds:.2f} s, compiled {seconds:.2f} s: "
      f"{eager_seconds / seconds:.1f}x faster")
print("same history:", history == eager_history, "  same weights:", weights == eager_weights)

# %% [markdown]
# What is replayed? Here is one `tanh` neuron with two inputs and its squared error.
# `compile_graph(loss, inputs)` takes the root and the leaves whose `.data` will change
# (every other leaf is a constant), and `.source` is the program it wrote: a forward
# function with a line per value, each an op's row of `ops.py` (the value, and the local
# slope beside it), and a backward function that is the chain rule written out, one
# gradient after another, in the order `backward()` adds them. A value read once is written
# inside the line that reads it; tanh's slope is long, so it is a small function of its own;
# `**` goes through the engine's `power` and `power_slope`, which handle 0 and negative bases.

# %%
from autograd_mini import Value, compile_graph

w1, w2, b = Value(0.5, label="w1"), Value(-0.3, label="w2"), Value(0.1, label="b")
x1, x2, target = 1.0, 2.0, 0.5
loss = ((w1 * x1 + w2 * x2 + b).tanh() - target) ** 2
program = compile_graph(loss, [w1, w2, b])
print(program.source)

# %% [markdown]
# `run()` is `forward()` then `backward()`: it recomputes everything from the inputs'
# current `.data` and adds the gradients into their `.grad`, exactly as the graph built
# again would. Move a weight, run again, and compare with a fresh eager graph:

# %%
w1.data = 0.8
print("compiled:", program.run(), w1.grad, w2.grad, b.grad)
for p in (w1, w2, b):
    p.grad = 0.0
again = ((w1 * x1 + w2 * x2 + b).tanh() - target) ** 2
again.backward()
print("eager:   ", again.data, w1.grad, w2.grad, b.grad)

# %% [markdown]
# ### The one rule
#
# A compiled program replays the graph it captured. A branch *inside* an op (`relu`,
# `abs`, `leaky_relu`, ...) is decided again at every run, but a Python `if` on a value was
# decided once, when the graph was built: the graph's structure must not depend on the
# data, as with `jax.jit`. That is why `fit` compiles only nn's own models by default (and
# keeps the loss eager: losses do look at their targets). For a model of your own,
# `fit(..., compile=N)` compiles and also runs every N-th step eagerly, stopping with
# `CompileMismatch` when the two disagree:

# %%
from nn.training import CompileMismatch


def branchy(x):  # a model with an `if` on its input: its graph depends on the data
    return w1 * x[0] if x[0] > 0 else w2 * x[0]


try:
    fit(branchy, [[1.0], [-1.0]], [1.0, -1.0], optimizer=SGD([w1, w2], lr=0.1), epochs=1,
        batch_size=1, shuffle_seed=None, progress=False, compile=1)
except CompileMismatch as error:
    print(error)
