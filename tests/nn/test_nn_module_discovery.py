"""Modules of your own, written as in PyTorch: the Values and Modules held as attributes (in
lists, tuples and dicts too) are found, in assignment order, under dotted names, by
parameters(), named_parameters(), modules(), state_dict(), zero_grad() and draw_dot's labels."""
from __future__ import annotations

import pytest

from autograd_mini import Value, draw_dot
from nn import MLP, SGD, Layer, Module, Neuron, fit, mse_loss


class Net(Module):
    """The issue's example, with Layers: two layers and a scale."""

    def __init__(self):
        super().__init__()
        self.hidden = Layer(2, 3, seed=0)
        self.out = Layer(3, 1, "linear", seed=1)
        self.scale = Value(1.0)

    def forward(self, x):
        return self.out(self.hidden(x))[0] * self.scale


class Forgetful(Module):
    """Forgets super().__init__(), as happens."""

    def __init__(self):
        self.w = Value(0.5)

    def forward(self, x):
        return self.w * x


class Micrograd(Module):
    """micrograd's way: __call__ instead of forward."""

    def __init__(self):
        self.neuron = Neuron(2, "linear", seed=0)

    def __call__(self, x):
        return self.neuron(x) * 2


class Containers(Module):
    """Parameters in a list of modules, a tuple, a dict, a list of Values and a nested list."""

    def __init__(self):
        self.blocks = [Neuron(1, seed=0), Neuron(1, seed=1)]
        self.pair = (Value(1.0), Neuron(1, seed=2))
        self.heads = {"left": Neuron(1, seed=3), "right": Value(2.0)}
        self.gains = [Value(3.0), Value(4.0)]
        self.grid = [[Value(5.0), Value(6.0)], [Value(7.0), Value(8.0)]]
        self.sizes, self.name, self.empty = [1, 2], "containers", []


def test_the_issues_example_finds_every_parameter_in_assignment_order():
    net = Net()
    expected = [*net.hidden.parameters(), *net.out.parameters(), net.scale]
    assert [id(p) for p in net.parameters()] == [id(p) for p in expected]
    assert len(net.parameters()) == 3 * 2 + 3 + 3 + 1 + 1


def test_parameters_come_in_assignment_order_not_in_alphabetical_order():
    class Backwards(Module):
        def __init__(self):
            self.z = Value(1.0)
            self.a = Value(2.0)
    assert [p.data for p in Backwards().parameters()] == [1.0, 2.0]
    assert list(Backwards().state_dict()) == ["z", "a"]


def test_state_dict_names_tensors_by_dotted_path():
    assert Net().state_dict().keys() == {"hidden.weight", "hidden.bias", "out.weight",
                                         "out.bias", "scale"}
    assert list(Containers().state_dict()) == [
        "blocks.0.weight", "blocks.0.bias", "blocks.1.weight", "blocks.1.bias",
        "pair.0", "pair.1.weight", "pair.1.bias",
        "heads.left.weight", "heads.left.bias", "heads.right",
        "gains", "grid"]
    assert Containers().state_dict()["grid"] == [[5.0, 6.0], [7.0, 8.0]]


def test_named_parameters_index_into_tensors():
    names = [name for name, _ in Net().named_parameters()]
    assert names[:3] == ["hidden.weight.0.0", "hidden.weight.0.1", "hidden.weight.1.0"]
    assert names[-2:] == ["out.bias.0", "scale"]
    named = dict(Containers().named_parameters())
    assert named["grid.1.0"].data == 7.0 and named["gains.1"].data == 4.0
    assert named["heads.right"].data == 2.0


def test_nested_modules_are_found_through_every_level():
    class Outer(Module):
        def __init__(self):
            self.net = Net()
            self.extra = [MLP(1, [1], seed=0)]
    outer = Outer()
    assert len(outer.parameters()) == len(Net().parameters()) + 2
    assert "net.hidden.weight" in outer.state_dict()
    assert "extra.0.layers.0.bias" in outer.state_dict()


def test_modules_lists_each_module_once_depth_first():
    net = Net()
    names = [name for name, _ in net.named_modules()]
    assert names == ["", "hidden", "hidden.neurons.0", "hidden.neurons.1", "hidden.neurons.2",
                     "out", "out.neurons.0"]
    assert net.modules()[:2] == [net, net.hidden]


def test_a_value_or_module_held_twice_is_one_parameter():
    class Tied(Module):
        def __init__(self):
            self.first = Neuron(2, seed=0)
            self.again = self.first
            self.w = Value(1.0)
            self.ws = [self.w]
    tied = Tied()
    assert len(tied.parameters()) == 3 + 1
    assert [name for name, _ in tied.named_modules()] == ["", "first"]
    assert [name for name, _ in tied.named_parameters()] == [
        "first.weight.0", "first.weight.1", "first.bias", "w"]


def test_a_module_holding_its_owner_is_walked_once():
    class Parent(Module):
        def __init__(self):
            self.child = Forgetful()
            self.child.owner = self  # a reference back up, not a second copy
    parent = Parent()
    assert parent.parameters() == [parent.child.w]
    assert list(parent.state_dict()) == ["child.w"]
    assert parent.modules() == [parent, parent.child]
    assert repr(parent) == "Parent(\n  (child): Forgetful(\n    (owner): Parent(...)\n  )\n)"


def test_forgetting_super_init_still_finds_the_parameters():
    model = Forgetful()
    assert model.parameters() == [model.w] and model(2.0).data == 1.0


def test_forward_is_what_calling_a_module_runs():
    assert Net()([0.5, -1.0]).data == pytest.approx(Net().forward([0.5, -1.0]).data)
    assert isinstance(Net()([0.5, -1.0]), Value)


def test_a_module_defining_call_instead_of_forward_finds_its_parameters():
    model = Micrograd()
    assert model.parameters() == model.neuron.parameters()
    assert model([1.0, 2.0]).data == 2 * model.neuron([1.0, 2.0]).data


def test_a_module_without_forward_says_what_to_define():
    class Nothing(Module):
        pass
    with pytest.raises(NotImplementedError, match=r"Nothing defines neither forward\(x\) nor "
                                                  r"__call__\(x\): define forward\(x\)"):
        Nothing()(1.0)


def test_zero_grad_reaches_every_found_parameter():
    model = Containers()
    for p in model.parameters():
        p.grad = 3.0
    model.zero_grad()
    assert len(model.parameters()) == 2 * 2 + 3 + 3 + 2 + 4
    assert all(p.grad == 0.0 for p in model.parameters())


def test_state_dict_round_trip_restores_every_parameter():
    source, target = Containers(), Containers()
    for i, p in enumerate(source.parameters()):
        p.data = 0.25 * i
    target.load_state_dict(source.state_dict())
    assert [p.data for p in target.parameters()] == [0.25 * i for i in range(16)]


def test_load_state_dict_names_the_keys_that_do_not_match():
    state = Net().state_dict()
    state["scales"] = state.pop("scale")
    with pytest.raises(ValueError, match=r"missing keys \['scale'\], unexpected keys "
                                         r"\['scales'\]"):
        Net().load_state_dict(state)


def test_a_list_filled_after_assignment_is_found():
    class Growing(Module):
        def __init__(self):
            self.blocks = []
            for seed in range(3):
                self.blocks.append(Neuron(1, seed=seed))
    assert len(Growing().parameters()) == 6


def test_a_dict_key_that_is_not_a_str_is_refused_with_the_fix():
    class Keyed(Module):
        def __init__(self):
            self.heads = {1: Value(1.0)}
    with pytest.raises(TypeError, match="heads is a dict with the key 1.*use str keys"):
        Keyed()


def test_numbers_strings_and_empty_lists_are_not_parameters():
    class Plain(Module):
        def __init__(self):
            self.rate, self.name, self.sizes, self.none, self.empty = 0.5, "x", [1, 2], None, []
            self.w = Value(1.0)
    assert list(Plain().state_dict()) == ["w"]


def test_a_subclass_of_a_built_in_adds_parameters_of_its_own():
    class Scaled(MLP):
        def __init__(self):
            super().__init__(2, [3, 1], seed=0)
            self.temperature = Value(2.0)
    model = Scaled()
    assert list(model.state_dict())[-1] == "temperature"
    assert len(model.parameters()) == len(MLP(2, [3, 1]).parameters()) + 1


def test_the_issues_example_trains_with_fit():
    net = Net()
    before = net.state_dict()
    history = fit(net, [[0.0, 1.0], [1.0, 0.0]], [1.0, -1.0], loss=mse_loss,
                  optimizer=SGD(net.parameters(), lr=0.1), epochs=5, progress=False)
    assert history[-1]["loss"] < history[0]["loss"]
    assert net.state_dict()["scale"] != before["scale"]


def test_an_empty_model_handed_to_an_optimizer_says_why_and_what_to_do():
    class Empty(Module):
        def __init__(self):
            self.parts = {"layer": "not a module"}

        def forward(self, x):
            return Value(x)
    with pytest.raises(ValueError, match=r"SGD got an empty parameter list; model.parameters\(\) "
                                         r"is empty when no Values or Modules were found among "
                                         r"the model's attributes: keep them as attributes"):
        SGD(Empty().parameters(), lr=0.1)


def test_fit_without_optimizer_on_an_empty_model_gives_the_same_advice():
    class Empty(Module):
        def forward(self, x):
            return Value(x[0])
    with pytest.raises(ValueError, match="no Values or Modules were found"):
        fit(Empty(), [[1.0]], [1.0], epochs=1, progress=False)


# -- labels, for draw_dot -----------------------------------------------------------------

def test_labels_say_where_a_parameter_lives():
    labels = [p.label for p in Net().parameters()]
    assert labels[:3] == ["hidden.N0.w0", "hidden.N0.w1", "hidden.N1.w0"]
    assert labels[-2:] == ["out.N0.b", "scale"]
    assert len(set(labels)) == len(labels)


def test_labels_of_containers_and_nesting():
    class Outer(Module):
        def __init__(self):
            self.inner = Containers()
    labels = {p.label for p in Outer().parameters()}
    assert {"inner.blocks.1.w0", "inner.pair.0", "inner.heads.left.b", "inner.heads.right",
            "inner.gains.1", "inner.grid.1.0"} <= labels


def test_a_label_given_by_the_user_is_kept_and_prefixed():
    class Outer(Module):
        def __init__(self):
            self.inner = Forgetful()
            self.gain = Value(1.0, label="g")
    assert [p.label for p in Outer().parameters()] == ["inner.w", "g"]


def test_built_ins_keep_their_labels_and_get_the_owners_name_in_front():
    class Outer(Module):
        def __init__(self):
            self.mlp = MLP(2, [2, 1], seed=0)
            self.alias = self.mlp  # a second name does not prefix twice
    labels = [p.label for p in Outer().parameters()]
    assert labels[:2] == ["mlp.L0.N0.w0", "mlp.L0.N0.w1"] and labels[-1] == "mlp.L1.N0.b"
    assert [p.label for p in MLP(2, [2, 1], seed=0).parameters()][:2] == ["L0.N0.w0", "L0.N0.w1"]


def test_draw_dot_shows_the_labels():
    net = Net()
    source = draw_dot(net([0.5, -1.0]), params=net.parameters()).source
    assert "hidden.N2.w1" in source and "out.N0.b" in source and "scale" in source


# -- repr ----------------------------------------------------------------------------------

def test_repr_is_a_tree_of_the_modules_held():
    assert repr(Net()) == ("Net(\n"
                           "  (hidden): Layer(2 -> 3, tanh)\n"
                           "  (out): Layer(3 -> 1, linear)\n"
                           ")")


def test_repr_of_nested_and_contained_modules_is_indented():
    class Outer(Module):
        def __init__(self):
            self.net = Net()
            self.heads = {"left": Neuron(1, seed=0)}
    assert repr(Outer()) == ("Outer(\n"
                             "  (net): Net(\n"
                             "    (hidden): Layer(2 -> 3, tanh)\n"
                             "    (out): Layer(3 -> 1, linear)\n"
                             "  )\n"
                             "  (heads.left): Neuron(1 inputs, tanh)\n"
                             ")")
    assert repr(Forgetful()) == "Forgetful()"
