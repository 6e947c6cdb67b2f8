"""Linear, Sequential and the activation modules: the pieces PyTorch users compose.
Sequential(Linear(2, 16), Tanh(), Linear(16, 1)) computes what MLP(2, [16, 1]) computes,
bit for bit, for the same weights, and trains as it does."""
from __future__ import annotations

import pytest

import nn
from autograd_mini import Value
from autograd_mini.ops import ACTIVATIONS
from nn import (ELU, GELU, MLP, SGD, Adam, Identity, Layer, LeakyReLU, Linear, Module, ReLU,
                Sequential, Sigmoid, SiLU, Softplus, Tanh, fit, mse_loss)
from nn.activations import ACTIVATION_MODULES
from nn.datasets import make_moons
from nn.modules import declares_static_graph

SAMPLES = [[0.5, -1.0], [2.0, 0.25], [-3.0, 1.5], [0.0, 0.0]]


# -- Linear ------------------------------------------------------------------------------------

def test_linear_returns_a_list_of_nout_values_or_one_value():
    assert len(Linear(2, 3, seed=0)([0.5, -1.0])) == 3
    assert isinstance(Linear(2, 1, seed=0)([0.5, -1.0]), Value)


def test_linear_draws_its_weights_as_a_linear_layer_does():
    assert Linear(3, 4, seed=5).state_dict() == Layer(3, 4, "linear", seed=5).state_dict()
    assert list(Linear(3, 4).state_dict()) == ["weight", "bias"]


def test_linear_computes_w_dot_x_plus_b_bit_for_bit_as_a_layer():
    linear, layer = Linear(3, 2, seed=1), Layer(3, 2, "linear", seed=1)
    for x in ([0.1, 0.2, 0.3], [1e10, -3.0, 0.7]):
        assert [v.data.hex() for v in linear(x)] == [v.data.hex() for v in layer(x)]


def test_linear_labels_its_parameters_as_a_layer_does():
    assert ([p.label for p in Linear(2, 2).parameters()]
            == [p.label for p in Layer(2, 2).parameters()]
            == ["N0.w0", "N0.w1", "N1.w0", "N1.w1", "N0.b", "N1.b"])


def test_linear_checks_its_sizes_and_inputs():
    with pytest.raises(TypeError, match="Linear nin must be an int >= 1, got 2.0"):
        Linear(2.0, 1)
    with pytest.raises(ValueError, match="Linear nout must be an int >= 1, got 0"):
        Linear(2, 0)
    with pytest.raises(ValueError, match=r"Linear\(2 -> 1\) expects 2 inputs per sample, got 3"):
        Linear(2, 1)([1.0, 2.0, 3.0])


def test_linear_repr_and_static_graph():
    assert repr(Linear(2, 16)) == "Linear(2 -> 16)"
    assert vars(Linear)["static_graph"] is True


# -- activation modules --------------------------------------------------------------------

def test_every_activation_of_the_table_has_a_module_exported_from_nn():
    assert set(ACTIVATION_MODULES) == set(ACTIVATIONS)
    for name, cls in ACTIVATION_MODULES.items():
        assert getattr(nn, cls.__name__) is cls and cls.__name__ in nn.__all__
        assert vars(cls)["static_graph"] is True, name


@pytest.mark.parametrize("name", [name for name in ACTIVATIONS if name != "linear"])
def test_each_activation_module_applies_its_op_to_each_value(name):
    module = ACTIVATION_MODULES[name]()
    xs = [Value(-1.5), Value(0.25), Value(3.0)]
    assert [v.data for v in module(xs)] == [getattr(Value, name)(x).data for x in xs]
    assert module(xs[0]).data == getattr(Value, name)(xs[0]).data
    assert module(-1.5).data == getattr(Value, name)(Value(-1.5)).data


def test_activation_modules_have_pytorchs_names_and_parameters():
    assert [cls.__name__ for cls in (Tanh, Sigmoid, ReLU, LeakyReLU, ELU, Softplus, SiLU,
                                     GELU, Identity)] == [
        "Tanh", "Sigmoid", "ReLU", "LeakyReLU", "ELU", "Softplus", "SiLU", "GELU", "Identity"]
    assert LeakyReLU()(-2.0).data == Value(-2.0).leaky_relu(0.01).data
    assert LeakyReLU(negative_slope=0.2)(-2.0).data == pytest.approx(-0.4)
    assert ELU(alpha=0.5)(-1.0).data == Value(-1.0).elu(0.5).data
    assert repr(LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(ELU()) == "ELU(alpha=1.0)" and repr(Tanh()) == "Tanh()"


def test_identity_passes_values_through():
    x = Value(2.0)
    assert Identity()(x) is x and Identity()([x, 3.0])[0] is x
    assert Identity()([x, 3.0])[1].data == 3.0


def test_activation_modules_backpropagate():
    x = Value(0.5)
    Tanh()(x).backward()
    assert x.grad == pytest.approx(1 - Value(0.5).tanh().data ** 2)


def test_activation_modules_refuse_what_is_not_a_value_or_number():
    with pytest.raises(TypeError, match=r"Tanh\(\) input\[1\] is a list, not a number"):
        Tanh()([1.0, [2.0]])
    with pytest.raises(TypeError, match=r"ReLU\(\) input must be a real number, got str"):
        ReLU()("1.0")
    with pytest.raises(ValueError, match="LeakyReLU negative_slope must be a finite number"):
        LeakyReLU(float("nan"))


# -- Sequential ----------------------------------------------------------------------------

def test_sequential_is_indexable_sized_and_iterable():
    first, act, last = Linear(2, 4), Tanh(), Linear(4, 1)
    model = Sequential(first, act, last)
    assert len(model) == 3 and list(model) == [first, act, last]
    assert model[0] is first and model[-1] is last
    assert isinstance(model[1:], Sequential) and list(model[1:]) == [act, last]
    with pytest.raises(IndexError, match="Sequential index 3 is out of range for its 3 modules"):
        model[3]


def test_sequential_applies_its_modules_in_turn():
    model = Sequential(Linear(2, 3, seed=0), ReLU(), Linear(3, 1, seed=1))
    x = [0.5, -1.0]
    assert model(x).data == model[2](model[1](model[0](x))).data


def test_sequential_names_its_modules_by_position_as_pytorch():
    model = Sequential(Linear(2, 3), Tanh(), Linear(3, 1))
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert [name for name, _ in model.named_modules()] == ["", "0", "1", "2"]
    assert [name for name, _ in model.named_parameters()][:2] == ["0.weight.0.0", "0.weight.0.1"]
    assert [p.label for p in model.parameters()][:2] == ["0.N0.w0", "0.N0.w1"]


def test_sequential_repr_lists_its_modules():
    assert repr(Sequential(Linear(2, 16), LeakyReLU(0.1), Linear(16, 1))) == (
        "Sequential(\n"
        "  (0): Linear(2 -> 16)\n"
        "  (1): LeakyReLU(negative_slope=0.1)\n"
        "  (2): Linear(16 -> 1)\n"
        ")")


def test_sequential_takes_only_modules():
    with pytest.raises(TypeError, match="Sequential module 1 must be a Module such as "
                                        r"nn.Linear\(2, 16\) or nn.Tanh\(\), got 'tanh'"):
        Sequential(Linear(2, 1), "tanh")


def test_sequential_in_a_module_of_your_own_is_found():
    class Net(Module):
        def __init__(self):
            self.body = Sequential(Linear(2, 3), Tanh())
            self.head = Linear(3, 1)

        def forward(self, x):
            return self.head(self.body(x))
    net = Net()
    assert list(net.state_dict()) == ["body.0.weight", "body.0.bias", "head.weight", "head.bias"]
    assert [p.label for p in net.parameters()][0] == "body.0.N0.w0"
    assert isinstance(net([1.0, 2.0]), Value)


# -- Sequential is MLP, bit for bit ----------------------------------------------------------

def mlp_and_sequential(activation: str, sizes=(2, 5, 4, 1), seed=0):
    """An MLP and the Sequential of Linears and activation modules holding its weights."""
    mlp = MLP(sizes[0], list(sizes[1:]), activation=activation, seed=seed)
    parts: list[Module] = []
    for i, (nin, nout) in enumerate(zip(sizes, sizes[1:])):
        parts.append(Linear(nin, nout, seed=99))
        if i < len(sizes) - 2:
            parts.append(ACTIVATION_MODULES[activation]())
    sequential = Sequential(*parts)
    sequential.load_state_dict({f"{2 * i}.{kind}": tensor
                                for (name, tensor) in mlp.state_dict().items()
                                for i, kind in [(int(name.split(".")[1]), name.split(".")[2])]})
    return mlp, sequential


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_sequential_computes_mlps_outputs_and_gradients_bit_for_bit(activation):
    mlp, sequential = mlp_and_sequential(activation)
    for x in SAMPLES:
        mlp.zero_grad()
        sequential.zero_grad()
        out, expected = sequential(x), mlp(x)
        assert out.data.hex() == expected.data.hex()
        (out * out).backward()
        (expected * expected).backward()
        assert ([p.grad.hex() for p in sequential.parameters()]
                == [p.grad.hex() for p in mlp.parameters()])


def test_sequential_with_several_outputs_returns_a_list_as_mlp():
    mlp, sequential = mlp_and_sequential("tanh", sizes=(2, 3, 2))
    assert [v.data for v in sequential([1.0, 2.0])] == [v.data for v in mlp([1.0, 2.0])]


@pytest.mark.parametrize("compile", [False, True])
def test_sequential_trains_with_fit_as_mlp_does(compile):
    X, y = make_moons(20, noise=0.1, seed=0)
    mlp, sequential = mlp_and_sequential("tanh", sizes=(2, 6, 1))
    histories = [fit(model, X, y, loss=mse_loss, optimizer=SGD(model.parameters(), lr=0.1,
                                                                 momentum=0.9),
                     epochs=4, batch_size=7, progress=False, compile=compile)
                 for model in (mlp, sequential)]
    assert histories[0] == histories[1]
    assert [p.data for p in sequential.parameters()] == [p.data for p in mlp.parameters()]


def test_fit_on_sequential_compiled_agrees_with_eager():
    X, y = make_moons(24, noise=0.2, seed=1)
    results = []
    for compile in (False, True):
        model = Sequential(Linear(2, 8, seed=0), GELU(), Linear(8, 8, seed=1), LeakyReLU(0.1),
                           Linear(8, 1, seed=2))
        history = fit(model, X, y, loss=mse_loss, optimizer=Adam(model.parameters(), lr=0.05),
                      epochs=5, batch_size=10, progress=False, compile=compile)
        results.append((history, model.state_dict()))
    (eager_history, eager_state), (history, state) = results
    assert [r["loss"] for r in history] == pytest.approx([r["loss"] for r in eager_history],
                                                         rel=1e-12)
    assert state == eager_state


# -- static graphs ------------------------------------------------------------------------------

class Branchy(Module):
    """A module whose graph depends on its input: it does not declare a static graph."""

    def forward(self, x):
        return x if x.data > 0 else -x


def test_sequential_declares_a_static_graph_when_all_its_modules_do():
    assert Sequential(Linear(2, 3), Tanh(), Linear(3, 1)).static_graph is True
    assert declares_static_graph(Sequential(Linear(2, 3), Sequential(ReLU(), Linear(3, 1))))
    assert not declares_static_graph(Sequential(Linear(2, 1), Branchy()))
    assert not declares_static_graph(Sequential(Linear(2, 1), Sequential(Branchy())))


def test_a_subclass_of_sequential_declares_again():
    class Mine(Sequential):
        pass
    assert not declares_static_graph(Mine(Linear(2, 1)))


def test_declares_static_graph_reads_the_classs_own_body():
    class Wider(Linear):
        pass
    assert declares_static_graph(Linear(2, 1)) and declares_static_graph(MLP(2, [1]))
    assert not declares_static_graph(Wider(2, 1)) and not declares_static_graph(Branchy())
    assert not declares_static_graph(len)
