# %% [markdown]
# # 7. Common mistakes with backpropagation
#
# Most questions people ask about micrograd-like engines are not about missing
# features. They are about five ideas that are easy to get wrong: a value used more
# than once, calling `backward()` twice, what `zero_grad()` clears, why the backward
# pass needs a topological order, and a dependency hidden from the graph. Each section
# below runs the mistake, shows the wrong number next to the right one, and says why.
#
# `StepPlayer(root)` plays a graph's forward and backward passes one step at a time,
# with the chain rule's numbers for each gradient (use its buttons, its slider, or
# click into it and use the arrow keys); `explain(node)` prints the same derivation as
# text.

# %%
from autograd_mini import GradcheckError, StepPlayer, Value, draw_dot, explain, gradcheck
from autograd_mini.backprop import topological_order

# %% [markdown]
# ## 1. A value used twice: gradients add
#
# Take $a = 1$, $b = a + a$, $c = b + b$. Then $c = 4a$, so $dc/da = 4$. This is the
# example from a pull request to micrograd (karpathy/micrograd#64) that replaced the
# topological sort by a "simpler" recursive backward: each node pushes its gradient to
# its inputs, then recurses into them.

# %%
def make_c():
    a = Value(1.0, label="a")
    b = a + a
    b.label = "b"
    c = b + b
    c.label = "c"
    return a, b, c


def recursive_backward(node):
    """The "simpler" backward: push this node's gradient to its inputs, then recurse."""
    for parent, local in zip(node.parents, node.local_grads):
        parent.grad += local * node.grad
    for parent in node.parents:
        recursive_backward(parent)


a, b, c = make_c()
c.grad = 1.0
recursive_backward(c)
print(f"recursive: dc/da = {a.grad}")
assert a.grad == 8.0

a, b, c = make_c()
c.backward()
print(f"backward:  dc/da = {a.grad}")
assert a.grad == 4.0

# %% [markdown]
# The recursion is wrong because `c = b + b` has two edges into `b`, so it recurses
# into `b` twice, and each time `b` pushes its whole gradient (2) to `a` along both of
# its own edges: $a$ receives $2 + 2$ twice, 8 instead of 4. Two paths from $c$ to $a$
# pass through each edge into $b$, and the recursion walks every path, so it counts
# `b`'s gradient once per path instead of once.
#
# The correct rule is the multivariable chain rule: a value's gradient is the **sum**,
# over every edge out of it, of the gradient arriving there times that edge's local
# derivative, and each node passes its gradient on **once**, after it is complete.
# Step through the backward pass below: at `a`'s step the caption shows both edges
# and their sum.

# %%
StepPlayer(c)

# %%
print(explain(a))

# %% [markdown]
# ## 2. Calling `backward()` twice
#
# Gradients accumulate: `backward()` adds to `.grad` rather than overwriting it, so
# that contributions from several passes (a batch computed one sample at a time) sum
# up. After two calls every gradient should therefore be **twice** the derivative.
# With $y = 2x$ and $z = 3y$, $dz/dx = 6$, so two calls should leave `x.grad == 12`.
#
# micrograd gives 18. Its backward pass sets the root's gradient to 1 and then passes
# on each node's **accumulated** gradient: in the second call `y.grad` becomes
# $3 + 3$, and `x` receives $2 \cdot 6 = 12$ on top of its 6, where this call's share is
# $2 \cdot 3$. Here is that loop, written over our `Value`s:

# %%
def micrograd_backward(root):
    """micrograd's loop: root.grad = 1, then every node pushes its .grad as it is."""
    root.grad = 1.0
    for node in reversed(topological_order(root)):
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad += local * node.grad


def chain():
    x = Value(1.0, label="x")
    y = 2 * x
    y.label = "y"
    z = 3 * y
    z.label = "z"
    return x, y, z


x, y, z = chain()
micrograd_backward(z)
micrograd_backward(z)
print(f"micrograd's loop twice: x.grad = {x.grad}, y.grad = {y.grad}")
assert x.grad == 18.0

x, y, z = chain()
z.backward()
z.backward()
print(f"backward() twice:       x.grad = {x.grad}, y.grad = {y.grad}")
assert (x.grad, y.grad) == (12.0, 6.0)

# %% [markdown]
# Each call of our `backward()` sets the gradients already there aside, computes this
# call's derivatives from scratch, and adds them back, so the invariant holds after
# any number of calls: `.grad` is the sum over the calls of $d(\text{root})/d(v)$.
# `explain` shows that every term is consistent: `y.grad` is 6, times the local
# derivative 2.

# %%
print(explain(x))

# %% [markdown]
# ## 3. What `zero_grad()` clears
#
# Because gradients accumulate, a training loop must reset them before each
# backward pass. Forgetting it is the most common training bug: the step uses the sum
# of every gradient so far. Fit $w$ in $L = (w \cdot 2 - 6)^2$ (the answer is $w = 3$)
# with and without resetting:

# %%
def train(reset, steps=30, lr=0.05):
    w = Value(0.0, label="w")
    history = []
    for _ in range(steps):
        loss = (w * 2 - 6) ** 2
        if reset:
            loss.zero_grad()  # resets loss and everything below it, w included
        loss.backward()
        w.data -= lr * w.grad
        history.append(w.data)
    return history


with_reset, without_reset = train(reset=True), train(reset=False)
print("step   with zero_grad   without")
for step in range(4, 30, 5):
    print(f"{step + 1:>4}   {with_reset[step]:>14.6f}   {without_reset[step]:>7.3f}")
assert abs(with_reset[-1] - 3.0) < 1e-5 and abs(without_reset[-1] - 3.0) > 0.1

# %% [markdown]
# Without the reset, every step uses the sum of all the gradients so far, which acts
# like momentum that never decays: $w$ overshoots and swings around 3 instead of
# settling.
#
# `zero_grad()` on a `Value` resets that node **and every node it was computed
# from**, never the nodes computed from it; `.data` is untouched. On a module
# (`model.zero_grad()`) it resets the parameters.

# %%
x, y, z = chain()
z.backward()
y.zero_grad()
print(f"after y.zero_grad(): x.grad = {x.grad}, y.grad = {y.grad}, z.grad = {z.grad}, "
      f"x.data = {x.data}")
assert (x.grad, y.grad, z.grad, x.data) == (0.0, 0.0, 1.0, 1.0)

# %% [markdown]
# ## 4. Why a topological order
#
# A node may pass its gradient on only when it is **complete**: when every node that
# uses it has already passed its share back. Visiting each node once is not enough; the
# order matters. Take the example from karpathy/micrograd#68:
# $c = a + b$, $d = a b$, $e = c + d$, $f = c d$, $y = e + f$, with $a = 2$, $b = 3$.
# A depth-first walk from $y$ reaches $c$ through $e$ before $f$ has sent its share to
# $c$, and passes on an incomplete gradient:

# %%
def make_y():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    c = a + b
    c.label = "c"
    d = a * b
    d.label = "d"
    e = c + d
    e.label = "e"
    f = c * d
    f.label = "f"
    y = e + f
    y.label = "y"
    return a, b, c, y


def depth_first_backward(root):
    """Visits each node once, but depth first: a node may pass on a partial gradient."""
    root.grad = 1.0
    seen = set()

    def visit(node):
        if node in seen:
            return
        seen.add(node)
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad += local * node.grad
        for parent in node.parents:
            visit(parent)

    visit(root)


a, b, c, y = make_y()
depth_first_backward(y)
print(f"depth first:       dy/da = {a.grad}, dy/db = {b.grad}")
a, b, c, y = make_y()
y.backward()
print(f"topological order: dy/da = {a.grad}, dy/db = {b.grad}")
assert (a.grad, b.grad) == (7 + 6 * 3, 7 + 6 * 2)

# %% [markdown]
# With $c = 5$ and $d = 6$: $\partial y/\partial c = 1 + d = 7$ and
# $\partial y/\partial d = 1 + c = 6$, so $dy/da = 7 + 6 \cdot 3 = 25$. A
# **topological order** lists every node after everything it was computed from;
# walked in reverse, it reaches a node only after every node that uses it, so its
# gradient is complete. In the player, the backward pass walks exactly that order:
# when it reaches `c`, the caption adds the shares of both `e` and `f`.

# %%
StepPlayer(y)

# %%
print(explain(c))

# %% [markdown]
# ## 5. A dependency hidden through `.data`
#
# `.data` is a plain float. A computation that reads it leaves the graph at that
# point: to backpropagation the float is a constant. Here $f(x) = x \cdot x$ was
# meant, but the second factor was written `x.data`:

# %%
def f(x):
    return x * x.data  # bug: x.data is a constant to the graph


x = Value(3.0, label="x")
out = f(x)
out.backward()
print(f"backprop: df/dx = {x.grad}   (the derivative of x * x at 3 is 6)")

# %% [markdown]
# Nothing fails, the number is just wrong. Two things give it away. The picture shows
# the constant on the op, `* 3`, where a product of two `Value`s would show two
# edges into `*`:

# %%
draw_dot(out)

# %% [markdown]
# And `gradcheck` compares backprop with central differences, which evaluate `f`
# itself, `.data` and all, so they see the real dependency:

# %%
try:
    gradcheck(f, [3.0])
except GradcheckError as error:
    print(error)

# %% [markdown]
# The player's **Check gradients numerically** button does the same for every leaf of
# a graph, colouring it green when backprop and the central difference agree and red
# when they do not (try it on a `relu` at exactly 0, where backprop takes the slope of
# one side). Since it re-runs the recorded graph, it cannot see a `.data` read that the
# graph never recorded: only `gradcheck`, which calls your function, can.
