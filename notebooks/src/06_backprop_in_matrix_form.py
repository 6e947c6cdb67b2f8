# %% [markdown]
# # 6. Backpropagation in matrix form
#
# Notebook 4 applied the delta rule unit by unit. Written for whole layers, the same
# rule becomes four lines of linear algebra: the form in which Andrew Ng's Machine
# Learning course states it, and the form every array library computes. We write it
# with plain Python lists and check it against the engine's gradients on the same
# network, regularisation included.
#
# ## Notation
#
# Layer $l$ has activations $a^{(l)}$, with a bias unit $a^{(l)}_0 = 1$ prepended.
# $\Theta^{(l)}$ maps layer $l$ to layer $l+1$: row $i$ holds unit $i$'s bias (column 0)
# and weights. With the sigmoid $g$:
#
# $$a^{(1)} = x, \qquad z^{(l+1)} = \Theta^{(l)} a^{(l)}, \qquad a^{(l+1)} = g(z^{(l+1)}).$$
#
# For $m$ samples, $K$ sigmoid outputs $h = a^{(L)}$ and targets $y \in \{0, 1\}^K$, the
# regularised cross-entropy cost is
#
# $$J(\Theta) = -\frac{1}{m} \sum_{i=1}^{m} \sum_{k=1}^{K}
#   \Big[ y_k^{(i)} \log h_k^{(i)} + (1 - y_k^{(i)}) \log\big(1 - h_k^{(i)}\big) \Big]
#   + \frac{\lambda}{2m} \sum_{l} \sum_{i} \sum_{j \ge 1} \big(\Theta^{(l)}_{ij}\big)^2 ,$$
#
# where the biases (column $j = 0$) are not penalised.
#
# ## The algorithm
#
# For each sample, after the forward pass:
#
# 1. $\delta^{(L)} = a^{(L)} - y$: the output error. (The sigmoid's slope
#    $h(1 - h)$ and the cross-entropy's $\frac{h - y}{h(1-h)}$ cancel.)
# 2. $\delta^{(l)} = \big(\Theta^{(l)\,T} \delta^{(l+1)}\big) \odot g'(z^{(l)})$ for the
#    hidden layers, with $g'(z) = g(z)(1 - g(z))$ and the bias unit's entry dropped.
# 3. $\Delta^{(l)} \mathrel{+}= \delta^{(l+1)} \big(a^{(l)}\big)^T$: accumulate the gradient
#    of every weight, an outer product.
#
# and after all samples
#
# 4. $D^{(l)} = \frac{1}{m}\big(\Delta^{(l)} + \lambda \Theta^{(l)}\big)$, with the
#    $\lambda$ term left out in column 0. Then $D^{(l)}_{ij} = \partial J / \partial \Theta^{(l)}_{ij}$.
#
# Step 2 is notebook 4's hidden delta, $\delta_{h_1} = (\delta_{o_1} w_5 + \delta_{o_2} w_7)\,h_1(1-h_1)$,
# for every unit at once: row $j$ of $\Theta^T$ collects the weights leaving unit $j$.
#
# ## Lists as matrices
#
# Five helpers are all the linear algebra we need.

# %%
import math
import random


def matvec(M, v):
    return [sum(m * x for m, x in zip(row, v)) for row in M]


def transpose(M):
    return [list(column) for column in zip(*M)]


def outer(u, v):
    return [[a * b for b in v] for a in u]


def elementwise(f, *arrays):
    """f applied entry by entry to equal-shaped vectors or matrices."""
    if isinstance(arrays[0][0], list):
        return [elementwise(f, *rows) for rows in zip(*arrays)]
    return [f(*entries) for entries in zip(*arrays)]


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def show(M):
    print("\n".join("  ".join(f"{x:+.10f}" for x in row) for row in M))

# %% [markdown]
# ## A network and some data
#
# 3 inputs, 4 hidden units, 2 outputs; 6 samples with random inputs and 0/1 targets;
# $\lambda = 0.7$. $\Theta^{(1)}$ is $4 \times (3 + 1)$ and $\Theta^{(2)}$ is
# $2 \times (4 + 1)$.

# %%
rng = random.Random(0)
n_in, n_hidden, n_out, m, lam = 3, 4, 2, 6, 0.7
Theta1 = [[rng.uniform(-1, 1) for _ in range(n_in + 1)] for _ in range(n_hidden)]
Theta2 = [[rng.uniform(-1, 1) for _ in range(n_hidden + 1)] for _ in range(n_out)]
X = [[rng.uniform(-2, 2) for _ in range(n_in)] for _ in range(m)]
Y = [[rng.randint(0, 1) for _ in range(n_out)] for _ in range(m)]
Y

# %% [markdown]
# ## Cost and gradients, vectorised per sample
#
# The comments mark the four steps of the algorithm.

# %%
def cost_and_gradients(Theta1, Theta2, X, Y, lam):
    m = len(X)
    Delta1 = [[0.0] * len(Theta1[0]) for _ in Theta1]
    Delta2 = [[0.0] * len(Theta2[0]) for _ in Theta2]
    J = 0.0
    for x, y in zip(X, Y):
        a1 = [1.0] + x                                      # forward
        z2 = matvec(Theta1, a1)
        a2 = [1.0] + [sigmoid(z) for z in z2]
        a3 = [sigmoid(z) for z in matvec(Theta2, a2)]
        J -= sum(yk * math.log(h) + (1 - yk) * math.log(1 - h) for h, yk in zip(a3, y))

        d3 = elementwise(lambda h, yk: h - yk, a3, y)                       # step 1
        g_prime = [sigmoid(z) * (1 - sigmoid(z)) for z in z2]
        d2 = elementwise(lambda s, g: s * g, matvec(transpose(Theta2), d3)[1:], g_prime)  # 2
        Delta2 = elementwise(lambda D, d: D + d, Delta2, outer(d3, a2))   # step 3
        Delta1 = elementwise(lambda D, d: D + d, Delta1, outer(d2, a1))

    def regularised(Delta, Theta):                                          # step 4
        penalty = [[0.0] + row[1:] for row in Theta]  # column 0, the biases: no penalty
        return elementwise(lambda D, P: (D + lam * P) / m, Delta, penalty)

    J = J / m + lam / (2 * m) * sum(t * t for Theta in (Theta1, Theta2)
                                    for row in Theta for t in row[1:])
    return J, regularised(Delta1, Theta1), regularised(Delta2, Theta2)


J, D1, D2 = cost_and_gradients(Theta1, Theta2, X, Y, lam)
J

# %%
show(D2)

# %% [markdown]
# ## The engine on the same network
#
# In `nn` the same network is `MLP(3, [4, 2])` with sigmoid units in both layers.
# Its parameters are stored per layer as a weight matrix and a bias vector: column 0
# of $\Theta$ is the bias, the rest the weights.
#
# The cost in `nn`'s terms: `binary_cross_entropy` averages over the $K$ outputs, so
# $K$ times it is the inner sum of $J$; `l2_penalty(model.weights(), lam, m)` is
# $\frac{\lambda}{2m}\sum \Theta^2$ over the weights only.

# %%
from nn import MLP, binary_cross_entropy, l2_penalty


def to_state(Theta1, Theta2):
    return {"layers.0.weight": [row[1:] for row in Theta1], "layers.0.bias": [row[0] for row in Theta1],
            "layers.1.weight": [row[1:] for row in Theta2], "layers.1.bias": [row[0] for row in Theta2]}


def regularised_cost(model, lam, m):
    def cost(prediction, target):
        """One sample's share of J: averaged over the m samples, it is J."""
        return n_out * binary_cross_entropy(prediction, target) + l2_penalty(model.weights(), lam, m)
    return cost


model = MLP(n_in, [n_hidden, n_out], activation="sigmoid", output_activation="sigmoid")
model.load_state_dict(to_state(Theta1, Theta2))
cost = regularised_cost(model, lam, m)
J_engine = sum(cost(model(x), y) for x, y in zip(X, Y)) / m
J_engine.backward()
J_engine.data

# %% [markdown]
# The engine's gradients, gathered back into the shape of $\Theta$ (bias first):

# %%
def gathered(layer):
    return [[neuron.b.grad] + [w.grad for w in neuron.w] for neuron in layer.neurons]


E1, E2 = gathered(model.layers[0]), gathered(model.layers[1])
show(E2)

# %%
largest = max(abs(d - e) for D, E in ((D1, E1), (D2, E2))
              for d_row, e_row in zip(D, E) for d, e in zip(d_row, e_row))
print(f"J: matrix form {J:.15f}, engine {J_engine.data:.15f}")
print(f"largest |D - engine gradient| over all {4 * 4 + 2 * 5} parameters: {largest:.1e}")
assert abs(J - J_engine.data) < 1e-12 and largest < 1e-12

# %% [markdown]
# Every one of the 26 partial derivatives agrees to rounding. The four lines of the
# algorithm and the engine's node-by-node chain rule are the same computation, grouped
# differently: the engine visits one multiply-add at a time, the matrix form a whole
# layer at a time, which is why array libraries use it.
#
# ## Training with D
#
# Gradient descent with the matrix-form gradients, $\Theta \leftarrow \Theta - \alpha D$,
# next to `fit` with plain `SGD` on the engine's version of the same cost: since the
# gradients agree, so should every step.

# %%
alpha, steps = 1.0, 60
T1, T2 = Theta1, Theta2
matrix_costs = []
for _ in range(steps):
    J, D1, D2 = cost_and_gradients(T1, T2, X, Y, lam)
    matrix_costs.append(J)
    T1 = elementwise(lambda t, d: t - alpha * d, T1, D1)
    T2 = elementwise(lambda t, d: t - alpha * d, T2, D2)

# %%
from nn import SGD, fit

model.load_state_dict(to_state(Theta1, Theta2))
history = fit(model, X, Y, loss=regularised_cost(model, lam, m),
              optimizer=SGD(model.parameters(), lr=alpha), epochs=steps, progress=False)
engine_costs = [record["loss"] for record in history]
print(f"cost: start {matrix_costs[0]:.6f}, after {steps} steps {matrix_costs[-1]:.6f}")
print(f"largest difference between the two runs: "
      f"{max(abs(a - b) for a, b in zip(matrix_costs, engine_costs)):.1e}")
assert max(abs(a - b) for a, b in zip(matrix_costs, engine_costs)) < 1e-9

# %%
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(5, 3))
ax.plot(matrix_costs, lw=4, alpha=0.4, label="matrix form, lists")
ax.plot(engine_costs, "k--", lw=1, label="engine: nn.fit + SGD")
ax.set(xlabel="step", ylabel="J", title="the same descent, computed two ways")
ax.legend()
plt.show()

# %% [markdown]
# The curves coincide. The cost levels off above zero: with $\lambda = 0.7$ on six
# random samples, the penalty and the data misfit balance out.
