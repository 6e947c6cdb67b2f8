"""A user's script: every op, the functional API and nn, which `mypy --strict` must pass
with the ops typed as Value (tests/project/test_typing.py)."""
from __future__ import annotations

import math

from autograd_mini import (DomainError, Value, compile_graph, exp, explain, grad, gradcheck,
                           hessian, jacobian, jvp, leaky_relu, no_grad, primitive, tanh,
                           value_and_grad, vjp)
from nn import (MLP, SGD, LeakyReLU, Layer, Linear, Module, Neuron, ReLU, Sequential, Tanh, fit,
                mse_loss)
from nn.datasets import make_moons
from nn.schedules import Schedule, cosine, linear, step

x = Value(0.5, label="x")
y = Value(-1.5, label="y")
ops: list[Value] = [
    x + y, x - y, x * y, x / y, x ** 2, 2 ** x, x ** abs(y), -x, abs(y), 1 - x, 3 / x,
    x.exp(), x.log(), x.sqrt(), x.log1p(), x.expm1(), x.sin(), x.cos(), x.tan(), x.atan(),
    x.sinh(), x.cosh(), x.tanh(), x.sigmoid(), x.erf(), x.erfc(), x.relu(),
    x.leaky_relu(), x.leaky_relu(slope=0.2), x.elu(), x.elu(alpha=0.5), x.softplus(),
    x.silu(), x.gelu(),
]
ops += [tanh(x), exp(y), leaky_relu(x, slope=0.2)]
number: float = exp(1.0) + tanh(2) + leaky_relu(-1.0, 0.1)
total: Value = sum(ops, Value(0.0))
total.backward()
gradient = x.grad  # float | Value | None: None after x.grad = None, as in PyTorch
steps: str = explain(x)
with no_grad():
    fast: Value = x * y
larger: bool = x > y

try:
    Value(-1.0).log()
except DomainError as error:
    op_name: str = error.op


def f(a: Value, b: Value) -> Value:
    return (a * b).tanh() + a


slope = grad(f)(0.3, 0.2)
both = value_and_grad(f, argnums=(0, 1))(0.3, 0.2)
rows = jacobian(lambda a: [a.exp(), a.sin()])(0.3)
curvature = hessian(lambda a, b: a * a * b, argnums=(0, 1))(0.3, 0.2)
tangent = jvp(lambda a: a.exp(), (0.3,), (1.0,))
pullback = vjp(lambda a: a.exp(), 0.3)
checked: bool = gradcheck(f, [0.3, 0.2])

compiled = compile_graph(total, [x, y])
value_now = compiled.run()

X, labels = make_moons(40, noise=0.1, seed=0)
model = MLP(2, [8, 1], activation="tanh", seed=0)
params: list[Value] = model.parameters()
history = fit(model, X, labels, loss=mse_loss, optimizer=SGD(params, lr=0.05), epochs=2,
              progress=False)
model.zero_grad()
validated = fit(model, X, labels, loss="mse", optimizer="adam", lr=0.01,
                validation_data=(X, labels), epochs=1, progress=False)
val_loss: float = validated[-1]["val_loss"]
annealed: Schedule = cosine(0.1, 0.001)
fit(model, X, labels, loss="hinge", optimizer=SGD(params, lr=annealed, momentum=0.9), epochs=1,
    progress=False)
fit(model, X, labels, optimizer="sgd", lr=linear(0.1, 0.01), epochs=1, progress=False)
rate: float = step(0.1, 0.5, 10, total_steps=100)(42)


@primitive(slope=lambda x, out: out * (1.0 - out))
def logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


squashed: Value = logistic(x)
own = MLP(2, [8, 1], activation=logistic, output_activation=logistic, seed=0)
fit(own, X, labels, loss=mse_loss, epochs=1, progress=False)
layer_of_own = Layer(2, 3, activation=logistic)
neuron_of_own = Neuron(2, activation="relu")


class Net(Module):
    """A module of the user's own, as in PyTorch."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = Linear(2, 8, seed=0)
        self.out = Linear(8, 1, seed=1)
        self.scale = Value(1.0)

    def forward(self, x: list[float]) -> Value:
        hidden: list[Value] = self.hidden(x)  # a Value or a list, as MLP: typed Any
        out: Value = self.out(Tanh()(hidden))
        return out * self.scale


net = Net()
named: list[tuple[str, Value]] = net.named_parameters()
fit(net, X, labels, loss=mse_loss, optimizer=SGD(net.parameters(), lr=0.05), epochs=1,
    progress=False)
stack = Sequential(Linear(2, 8), Tanh(), Linear(8, 8), LeakyReLU(negative_slope=0.1),
                   Linear(8, 1))
first: Module = stack[0]
rest: Sequential = stack[1:]
depth: int = len(stack)
activated: Value = ReLU()(x)
activated_all: list[Value] = ReLU()([x, 2.0])
state = stack.state_dict()
stack.load_state_dict(state)
submodules: list[Module] = net.modules()
