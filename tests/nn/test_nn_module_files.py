"""Every module, built-in or your own, saves and loads exactly, deep-copies and pickles: a
class of yours by its own load (the file records its name, which load checks), a
Sequential with its modules' architectures, checked before anything is built."""
from __future__ import annotations

import copy
import json
import pickle

import pytest

from autograd_mini import Value
from nn import (ELU, MLP, Layer, LeakyReLU, Linear, ModelFileError, Module, Sequential,
                SiLU, Tanh)
from nn.activations import ACTIVATION_MODULES

X = [0.5, -1.0]


class Net(Module):
    """A class of your own, as in PyTorch."""

    def __init__(self):
        super().__init__()
        self.hidden = Linear(2, 4)
        self.out = Linear(4, 1)
        self.scale = Value(1.5)

    def forward(self, x):
        return self.out(Tanh()(self.hidden(x))) * self.scale


class Sized(Module):
    """A class of yours with constructor arguments, which config() returns."""

    def __init__(self, width, seed=None):
        self.width = width
        self.body = Sequential(Linear(2, width, seed=seed), SiLU(), Linear(width, 1, seed=seed))

    def forward(self, x):
        return self.body(x)

    def config(self):
        return {"width": self.width}


class Unsaid(Module):
    """Needs a width, but does not say it in config()."""

    def __init__(self, width):
        self.layer = Linear(2, width)


class Defaulted(Module):
    """Has a default width, and does not say which it was built with."""

    def __init__(self, width=2):
        self.layer = Linear(2, width)


def outputs(model) -> list[str]:
    return [model(x).data.hex() for x in ([0.5, -1.0], [2.0, 0.25], [-3.0, 1.5])]


def trained(model):
    for i, p in enumerate(model.parameters()):
        p.data = 0.1 * i - 0.7  # far from any initialisation
    return model


def sequential():
    return trained(Sequential(Linear(2, 3), LeakyReLU(0.2), Linear(3, 3), ELU(alpha=0.5),
                              Linear(3, 1)))


# -- save and load -------------------------------------------------------------------------

def test_a_module_of_your_own_saves_and_loads_exactly(tmp_path):
    net = trained(Net())
    net.save(tmp_path / "net.json")
    loaded = Net.load(tmp_path / "net.json")
    assert type(loaded) is Net and loaded.state_dict() == net.state_dict()
    assert outputs(loaded) == outputs(net)


def test_the_file_records_the_class_name_and_load_checks_it(tmp_path):
    Net().save(tmp_path / "net.json")
    document = json.loads((tmp_path / "net.json").read_text())
    assert document["architecture"] == {"class": "Net", "config": {}}
    assert list(document["parameters"]) == ["hidden.weight", "hidden.bias", "out.weight",
                                            "out.bias", "scale"]
    with pytest.raises(ModelFileError, match="the file holds a saved Net, not Sized; use "
                                             r"Net.load\(path\)"):
        Sized.load(tmp_path / "net.json")
    with pytest.raises(ModelFileError, match=r"unknown module class 'Net'; load it with "
                                             r"Net.load\(path\)"):
        Module.load(tmp_path / "net.json")


def test_a_saved_state_loads_into_a_freshly_built_instance(tmp_path):
    net = trained(Net())
    net.save(tmp_path / "net.json")
    fresh = Net()
    fresh.load_state_dict(json.loads((tmp_path / "net.json").read_text())["parameters"])
    assert outputs(fresh) == outputs(net)


def test_constructor_arguments_come_back_from_config(tmp_path):
    model = trained(Sized(5, seed=1))
    model.save(tmp_path / "sized.json")
    loaded = Sized.load(tmp_path / "sized.json")
    assert loaded.width == 5 and outputs(loaded) == outputs(model)


def test_saving_refuses_a_config_that_cannot_rebuild_the_class(tmp_path):
    with pytest.raises(ModelFileError, match=r"Unsaid.config\(\) must give the arguments that "
                                             r"rebuild it, Unsaid\(\*\*config\), but has missing "
                                             r"config keys \['width'\]; define config\(\)"):
        Unsaid(3).save(tmp_path / "unsaid.json")
    assert list(tmp_path.iterdir()) == []


def test_loading_a_class_built_with_other_arguments_says_to_define_config(tmp_path):
    Defaulted(width=3).save(tmp_path / "defaulted.json")
    with pytest.raises(ModelFileError, match=r"Defaulted.config\(\) gives no constructor "
                                             r"arguments, so load built Defaulted\(\)"):
        Defaulted.load(tmp_path / "defaulted.json")


def test_sequential_saves_its_modules_and_loads_exactly(tmp_path):
    model = sequential()
    model.save(tmp_path / "seq.json")
    for loader in (Sequential, Module):
        loaded = loader.load(tmp_path / "seq.json")
        assert type(loaded) is Sequential and repr(loaded) == repr(model)
        assert outputs(loaded) == outputs(model)
    architecture = json.loads((tmp_path / "seq.json").read_text())["architecture"]
    assert architecture["modules"][:2] == [{"class": "Linear", "config": {"nin": 2, "nout": 3}},
                                           {"class": "LeakyReLU",
                                            "config": {"negative_slope": 0.2}}]


def test_a_sequential_of_your_own_modules_and_nested_sequentials_loads(tmp_path):
    model = trained(Sequential(Sized(3, seed=0), Sequential(Tanh(), Linear(1, 2))))
    model.save(tmp_path / "seq.json")
    entry = json.loads((tmp_path / "seq.json").read_text())["architecture"]["modules"][0]
    assert entry == {"class": "Sized", "module": __name__, "config": {"width": 3}}
    loaded = Sequential.load(tmp_path / "seq.json")
    assert [v.data for v in loaded([1.0, 2.0])] == [v.data for v in model([1.0, 2.0])]


def test_a_sequential_holding_a_class_load_could_not_find_is_refused_at_save(tmp_path):
    class Local(Module):
        def forward(self, x):
            return x
    with pytest.raises(ModelFileError, match="it holds a .*Local, which a model file cannot "
                                             "name.*define the class at the top level"):
        Sequential(Linear(2, 1), Local()).save(tmp_path / "seq.json")


@pytest.mark.parametrize("cls", list(ACTIVATION_MODULES.values()), ids=lambda cls: cls.__name__)
def test_each_activation_module_and_linear_save_and_load(tmp_path, cls):
    cls().save(tmp_path / "act.json")
    assert repr(Module.load(tmp_path / "act.json")) == repr(cls())
    Linear(3, 2, seed=0).save(tmp_path / "linear.json")
    assert Linear.load(tmp_path / "linear.json").state_dict() == Linear(3, 2, seed=0).state_dict()


# -- hostile files: checked before anything is built ----------------------------------------

def saved_sequential(tmp_path):
    path = tmp_path / "seq.json"
    Sequential(Linear(2, 3), Tanh(), Linear(3, 1)).save(path)
    return path, json.loads(path.read_text())


def refusal(path, cls=Sequential) -> str:
    with pytest.raises(ModelFileError) as caught:
        cls.load(path)
    return str(caught.value)


def test_a_sequential_declaring_a_huge_linear_is_refused_before_building(tmp_path,
                                                                        monkeypatch):
    path, document = saved_sequential(tmp_path)
    document["architecture"]["modules"][2]["config"]["nin"] = 10**9
    path.write_text(json.dumps(document))
    monkeypatch.setattr(Linear, "__init__", lambda *args, **kwargs: pytest.fail("built"))
    assert "2.weight[0] must be a list of 1000000000 entries, got a list of 3" in refusal(path)


def test_a_sequential_file_with_an_extra_parameter_is_refused(tmp_path):
    path, document = saved_sequential(tmp_path)
    document["parameters"]["1.weight"] = [1.0]
    path.write_text(json.dumps(document))
    assert "unexpected keys ['1.weight']" in refusal(path)


@pytest.mark.parametrize("change, message", [
    (lambda a: a.pop("modules"), "architecture needs a \"modules\" list"),
    (lambda a: a["modules"][1].update({"class": "Tanhh"}),
     "architecture.modules[1]: unknown module class 'Tanhh'"),
    (lambda a: a["modules"][1].update({"class": "Net", "module": "not.imported"}),
     "is a Net of module not.imported, which is not imported"),
    (lambda a: a["modules"][1].update({"class": "Value", "module": "autograd_mini"}),
     "Value is not a module class"),
    (lambda a: a["modules"][0]["config"].update({"rng": 1}), "unexpected config keys ['rng']"),
    (lambda a: a["modules"].__setitem__(0, "Linear"), "malformed architecture.modules[0]"),
])
def test_a_corrupt_sequential_architecture_is_refused_with_the_place(tmp_path, change, message):
    path, document = saved_sequential(tmp_path)
    change(document["architecture"])
    path.write_text(json.dumps(document))
    assert message in refusal(path)


def test_modules_in_the_file_of_a_class_built_otherwise_are_refused(tmp_path):
    path = tmp_path / "mlp.json"
    MLP(2, [1], seed=0).save(path)
    document = json.loads(path.read_text())
    document["architecture"]["modules"] = []
    path.write_text(json.dumps(document))
    assert "has \"modules\", which only a Sequential's has" in refusal(path, MLP)


# -- deepcopy and pickle ------------------------------------------------------------------

def by_pickle(model):
    return pickle.loads(pickle.dumps(model))


@pytest.mark.parametrize("duplicate", [copy.deepcopy, by_pickle], ids=["deepcopy", "pickle"])
@pytest.mark.parametrize("make", [lambda: trained(Net()), sequential,
                                  lambda: trained(Sized(3, seed=0))],
                         ids=["Net", "Sequential", "Sized"])
def test_a_copy_computes_the_same_and_has_its_own_parameters(duplicate, make):
    model = make()
    twin = duplicate(model)
    assert type(twin) is type(model) and repr(twin) == repr(model)
    assert outputs(twin) == outputs(model)
    assert [p.label for p in twin.parameters()] == [p.label for p in model.parameters()]
    assert not {id(p) for p in twin.parameters()} & {id(p) for p in model.parameters()}
    twin.parameters()[0].data += 1.0
    assert outputs(twin) != outputs(model)


@pytest.mark.parametrize("duplicate", [copy.deepcopy, by_pickle], ids=["deepcopy", "pickle"])
def test_a_copied_sequential_is_still_a_sequence_of_its_own_modules(duplicate):
    model = sequential()
    twin = duplicate(model)
    assert len(twin) == 5 and twin[0] is not model[0] and twin.static_graph is True
    assert twin[0].parameters() == twin.parameters()[:9]


def test_a_copy_of_a_user_module_can_be_saved_and_loaded(tmp_path):
    twin = copy.deepcopy(trained(Net()))
    twin.save(tmp_path / "twin.json")
    assert outputs(Net.load(tmp_path / "twin.json")) == outputs(twin)


def test_a_module_of_your_own_holding_mlps_keeps_mlps_file_layout(tmp_path):
    class Pair(Module):
        def __init__(self):
            self.first, self.second = MLP(2, [2, 1], seed=0), Layer(2, 1, seed=1)
    Pair().save(tmp_path / "pair.json")
    parameters = json.loads((tmp_path / "pair.json").read_text())["parameters"]
    assert list(parameters) == ["first.layers.0.weight", "first.layers.0.bias",
                                "first.layers.1.weight", "first.layers.1.bias",
                                "second.weight", "second.bias"]
