# %% [markdown]
# # 4. A worked example, three ways
#
# Matt Mazur's [*A Step by Step Backpropagation Example*](https://mattmazur.com/2015/03/17/a-step-by-step-backpropagation-example/)
# (2015) trains the smallest interesting network by hand and publishes every number
# along the way. We reproduce it three times:
#
# 1. **by hand**, with floats and the delta rule,
# 2. with **`Value`s** and `backward()`,
# 3. with **`nn`**: an `MLP`, `SGD` and `fit`,
#
# and assert that all three reach the published numbers: total error
# **0.298371109** before training and $w_5$ = **0.35891648** after one step.
#
# ## The network
#
# Two inputs, two hidden sigmoid units, two sigmoid outputs. Each layer shares one
# bias, and the post does not update the biases.
#
# | unit | computes |
# |---|---|
# | $h_1$ | $\sigma(w_1 i_1 + w_2 i_2 + b_1)$ |
# | $h_2$ | $\sigma(w_3 i_1 + w_4 i_2 + b_1)$ |
# | $o_1$ | $\sigma(w_5 h_1 + w_6 h_2 + b_2)$ |
# | $o_2$ | $\sigma(w_7 h_1 + w_8 h_2 + b_2)$ |
#
# with $\sigma(z) = 1 / (1 + e^{-z})$. The error is
# $E = \tfrac12 (t_1 - o_1)^2 + \tfrac12 (t_2 - o_2)^2$ and the learning rate
# $\eta = 0.5$.

# %%
import math

from autograd_mini import Value, draw_dot

i1, i2 = 0.05, 0.10
t1, t2 = 0.01, 0.99
w = [0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55]  # w1 ... w8
b1, b2 = 0.35, 0.60
eta = 0.5

# %% [markdown]
# The post gives its numbers to 8 or 9 decimals. A computed number *agrees* with one
# when it rounds to it: it is within half a unit of the last published digit.

# %%
def agrees(value, published):
    """True when value rounds to the published figure (a string such as "0.3775")."""
    decimals = len(published.split(".")[1])
    return abs(value - float(published)) <= 0.5 * 10**-decimals


def check(name, value, published):
    print(f"{name:>12} = {value:.12f}   published {published:<12} "
          f"{'agrees' if agrees(value, published) else 'DIFFERS'}")
    assert agrees(value, published)

# %% [markdown]
# The forward pass is written once. `sigmoid` works on a float or on a `Value`, so the
# same function serves ways 1 and 2.

# %%
def sigmoid(z):
    return z.sigmoid() if isinstance(z, Value) else 1.0 / (1.0 + math.exp(-z))


def forward(w, b1, b2):
    """Every intermediate of the forward pass, by name."""
    net_h1 = w[0] * i1 + w[1] * i2 + b1
    net_h2 = w[2] * i1 + w[3] * i2 + b1
    h1, h2 = sigmoid(net_h1), sigmoid(net_h2)
    net_o1 = w[4] * h1 + w[5] * h2 + b2
    net_o2 = w[6] * h1 + w[7] * h2 + b2
    o1, o2 = sigmoid(net_o1), sigmoid(net_o2)
    E_o1, E_o2 = 0.5 * (t1 - o1) ** 2, 0.5 * (t2 - o2) ** 2
    return dict(net_h1=net_h1, net_h2=net_h2, h1=h1, h2=h2, net_o1=net_o1, net_o2=net_o2,
                o1=o1, o2=o2, E_o1=E_o1, E_o2=E_o2, E=E_o1 + E_o2)

# %% [markdown]
# ## Way 1: by hand, with the delta rule
#
# ### Forward pass

# %%
s = forward(w, b1, b2)
check("net_h1", s["net_h1"], "0.3775")
check("out_h1", s["h1"], "0.593269992")
check("out_h2", s["h2"], "0.596884378")
check("net_o1", s["net_o1"], "1.105905967")
check("out_o1", s["o1"], "0.75136507")
check("out_o2", s["o2"], "0.772928465")
check("E_o1", s["E_o1"], "0.274811083")
check("E_o2", s["E_o2"], "0.023560026")
check("E_total", s["E"], "0.298371109")

# %%
total_error = s["E"]
assert abs(total_error - 0.298371109) < 1e-9

# %% [markdown]
# ### Backward pass
#
# For an output unit, the chain rule through $E$, the sigmoid
# ($\sigma' = \sigma(1 - \sigma)$) and the weighted sum gives
#
# $$\frac{\partial E}{\partial w_5}
#   = \underbrace{(o_1 - t_1)}_{\partial E / \partial o_1}\,
#     \underbrace{o_1 (1 - o_1)}_{\partial o_1 / \partial net_{o_1}}\,
#     \underbrace{h_1}_{\partial net_{o_1} / \partial w_5}
#   = \delta_{o_1} h_1 .$$
#
# The product of the first two factors, $\delta_{o_1}$, is the unit's **delta**: the
# gradient of the error with respect to its net input. A hidden unit feeds both
# outputs, so its delta sums what comes back along both edges (notebook 2: gradients
# add), and then passes through its own sigmoid:
#
# $$\delta_{h_1} = (\delta_{o_1} w_5 + \delta_{o_2} w_7)\, h_1 (1 - h_1),
#   \qquad \frac{\partial E}{\partial w_1} = \delta_{h_1}\, i_1 .$$
#
# That is the whole **delta rule**: a weight's gradient is the delta of the unit it
# enters times the activation it carries.

# %%
h1, h2, o1, o2 = s["h1"], s["h2"], s["o1"], s["o2"]
delta_o1 = (o1 - t1) * o1 * (1 - o1)
delta_o2 = (o2 - t2) * o2 * (1 - o2)
delta_h1 = (delta_o1 * w[4] + delta_o2 * w[6]) * h1 * (1 - h1)
delta_h2 = (delta_o1 * w[5] + delta_o2 * w[7]) * h2 * (1 - h2)
by_hand = [delta_h1 * i1, delta_h1 * i2, delta_h2 * i1, delta_h2 * i2,
           delta_o1 * h1, delta_o1 * h2, delta_o2 * h1, delta_o2 * h2]  # dE/dw1 ... dE/dw8

check("dE/dout_o1", o1 - t1, "0.74136507")
check("dout/dnet_o1", o1 * (1 - o1), "0.186815602")
check("dE/dw5", by_hand[4], "0.082167041")
check("dE/dout_h1", delta_o1 * w[4] + delta_o2 * w[6], "0.036350306")
check("dout/dnet_h1", h1 * (1 - h1), "0.241300709")
check("dE/dw1", by_hand[0], "0.000438568")

# %% [markdown]
# ### The update
#
# Every weight moves against its gradient, $w \leftarrow w - \eta\, \partial E / \partial w$,
# all computed from the gradients at the *old* weights.

# %%
PUBLISHED_NEW_WEIGHTS = ["0.149780716", "0.19956143", "0.24975114", "0.29950229",
                         "0.35891648", "0.408666186", "0.511301270", "0.561370121"]
new_w = [wk - eta * gk for wk, gk in zip(w, by_hand)]
for k, (value, published) in enumerate(zip(new_w, PUBLISHED_NEW_WEIGHTS), start=1):
    check(f"w{k}", value, published)

# %%
assert abs(new_w[4] - 0.35891648) < 5e-9

# %% [markdown]
# ## Way 2: with `Value`s
#
# Now the same forward function on `Value`s. No delta is written down: `backward()`
# applies the chain rule node by node.

# %%
weights = [Value(x, label=f"w{k}") for k, x in enumerate(w, start=1)]
biases = [Value(b1, label="b1"), Value(b2, label="b2")]
v = forward(weights, *biases)
for name, value in v.items():
    value.label = name  # names for the picture
E = v["E"]
E.backward()
E

# %% [markdown]
# The whole computation, parameters in green, the named intermediates labelled. $b_1$ and $b_2$ each have two outgoing
# edges, one per unit that shares them.

# %%
draw_dot(E, params=weights + biases)

# %% [markdown]
# The engine's gradients are the delta rule's, to the last bit or two:

# %%
for k, (weight, hand) in enumerate(zip(weights, by_hand), start=1):
    print(f"dE/dw{k}: backward {weight.grad:.15f}   delta rule {hand:.15f}")
    assert abs(weight.grad - hand) < 1e-15

# %% [markdown]
# and the same update lands on the published weights:

# %%
for weight in weights:
    weight.data -= eta * weight.grad
for k, (weight, published) in enumerate(zip(weights, PUBLISHED_NEW_WEIGHTS), start=1):
    check(f"w{k}", weight.data, published)

# %% [markdown]
# ## Way 3: with `nn`
#
# An `MLP` with a hidden layer of 2 sigmoid units and an output layer of 2 sigmoid
# units has this shape, except that each unit has its own bias: we give both units
# of a layer the shared value. `load_state_dict` sets the weights, one row per unit.
#
# Two details match the post exactly:
#
# * `mse_loss` of the two outputs is their *mean* squared error,
#   $\tfrac12 \big((o_1 - t_1)^2 + (o_2 - t_2)^2\big)$: exactly $E$.
# * The optimizer gets `model.weights()`, not `model.parameters()`, so the biases
#   stay fixed, as in the post.

# %%
from nn import MLP, SGD, fit, mse_loss

START = {"layers.0.weight": [w[0:2], w[2:4]], "layers.0.bias": [b1, b1],
         "layers.1.weight": [w[4:6], w[6:8]], "layers.1.bias": [b2, b2]}
model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid")
model.load_state_dict(START)
X, y = [[i1, i2]], [[t1, t2]]
history = fit(model, X, y, loss=mse_loss, optimizer=SGD(model.weights(), lr=eta), epochs=1)
history

# %% [markdown]
# `fit` reports the loss of each epoch before its update: the published total error.
# After the update the weights are the published ones:

# %%
check("E_total", history[0]["loss"], "0.298371109")
nn_weights = [x for row in model.state_dict()["layers.0.weight"] + model.state_dict()["layers.1.weight"]
              for x in row]
for k, (value, published) in enumerate(zip(nn_weights, PUBLISHED_NEW_WEIGHTS), start=1):
    check(f"w{k}", value, published)
assert nn_weights == [weight.data for weight in weights]  # the same floats as way 2

# %% [markdown]
# ## Keep going
#
# The post reports the error after this first step, **0.291027924**, and after 10,000
# steps, **0.0000351085**, with outputs **0.015912196** and **0.984065734**. Exact
# arithmetic, from the post's own updated weights, gives slightly different figures:

# %%
after_one = mse_loss(model([i1, i2]), [t1, t2]).data
from_published = forward([float(p) for p in PUBLISHED_NEW_WEIGHTS], b1, b2)["E"]
print(f"after 1 step:  {after_one:.9f}   from the published weights {from_published:.9f}"
      f"   published 0.291027924")

# %% [markdown]
# The two computations agree with each other to eight digits and differ from the
# post's figure in the seventh. Every number the post gives *before* this one we
# reproduce to its last digit; from here on we check agreement to $10^{-3}$ relative.
# Training on:

# %%
history += fit(model, X, y, loss=mse_loss, optimizer=SGD(model.weights(), lr=eta), epochs=9999)
outputs = [o.data for o in model([i1, i2])]
final_error = mse_loss(outputs, [t1, t2]).data
print(f"after 10,000 steps: E = {final_error:.10f}   published 0.0000351085")
print(f"outputs {outputs[0]:.9f}, {outputs[1]:.9f}   published 0.015912196, 0.984065734")

# %%
assert abs(after_one / 0.291027924 - 1) < 1e-3
assert abs(final_error / 0.0000351085 - 1) < 1e-3
assert abs(outputs[0] - 0.015912196) < 1e-5 and abs(outputs[1] - 0.984065734) < 1e-5

# %%
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(5, 3))
ax.semilogy([record["epoch"] for record in history], [record["loss"] for record in history])
ax.set(xlabel="step", ylabel="total error E", title="10,000 steps of the 2-2-2 network")
plt.show()

# %% [markdown]
# The error falls by four orders of magnitude, slowly at the end: as the outputs
# approach 0.01 and 0.99 the sigmoids saturate, $o(1 - o)$ gets small, and so do the
# deltas. Notebook 6 writes this delta rule for whole layers at once, as matrices.
