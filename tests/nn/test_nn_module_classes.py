"""Each module class knows its own parameter shapes and whether its graph is static; load
and fit ask the class, so a new module class needs nothing outside its own file and the
line that exports it from nn."""
from __future__ import annotations

import json

import pytest

import nn
import nn._compiled
from autograd_mini import Value
from nn import MLP, Layer, Module, ModelFileError, Neuron, fit


def shape(data):
    return (len(data), *shape(data[0])) if isinstance(data, list) else ()


@pytest.mark.parametrize("module", [Neuron(3, seed=0), Layer(3, 2, seed=0),
                                    MLP(2, [3, 4, 1], seed=0)], ids=["Neuron", "Layer", "MLP"])
def test_each_built_in_declares_the_shapes_of_the_parameters_it_builds(module):
    declared = type(module).parameter_shapes(module.config())
    assert declared == {name: shape(data) for name, data in module.state_dict().items()}


def test_declared_shapes_check_the_config_as_the_constructor_does():
    with pytest.raises(TypeError, match=r"^MLP nin must be an int >= 1, got 2.0"):
        MLP.parameter_shapes({"nin": 2.0, "nouts": [1]})
    with pytest.raises(ValueError, match=r"^Layer activation: unknown activation 'swish'"):
        Layer.parameter_shapes({"nin": 2, "nout": 1, "activation": "swish"})


def test_a_module_declares_no_shapes_unless_its_class_does():
    assert Module.parameter_shapes({"size": 3}) is None


class Pair(Module):
    """A module class written as a new built-in would be: it knows its shapes."""

    def __init__(self, size, seed=None):
        self.size, self.w = size, [Value(0.5 * i) for i in range(size)]

    def named_tensors(self):
        return {"weight": self.w}

    def config(self):
        return {"size": self.size}

    @classmethod
    def parameter_shapes(cls, config):
        return {"weight": (config["size"],)}


@pytest.fixture
def exported(monkeypatch):
    """Pair exported from nn, as nn/__init__.py would export a new built-in."""
    monkeypatch.setattr(nn, "Pair", Pair, raising=False)
    monkeypatch.setattr(nn, "__all__", [*nn.__all__, "Pair"])


def test_module_load_reads_any_module_class_nn_exports(exported, tmp_path):
    Pair(3).save(tmp_path / "pair.json")
    loaded = Module.load(tmp_path / "pair.json")
    assert type(loaded) is Pair and loaded.state_dict() == Pair(3).state_dict()


def test_load_checks_a_file_against_the_shapes_its_class_declares(exported, tmp_path,
                                                                   monkeypatch):
    path = tmp_path / "pair.json"
    Pair(3).save(path)
    document = json.loads(path.read_text())
    document["architecture"]["config"]["size"] = 10**9
    path.write_text(json.dumps(document))
    monkeypatch.setattr(Pair, "__init__", lambda self, *args, **kwargs: pytest.fail("built"))
    with pytest.raises(ModelFileError, match="weight must be a list of 1000000000 entries, "
                                             "got a list of 3"):
        Module.load(path)


@pytest.mark.parametrize("cls, static", [(Module, False), (Neuron, True), (Layer, True),
                                         (MLP, True)])
def test_each_class_says_whether_its_graph_is_static(cls, static):
    assert cls.static_graph is static


class Doubled(MLP):
    """A user's MLP whose forward pass is its own: it inherits no promise of a static graph."""

    def __call__(self, x):
        return super().__call__(x) * 2


class DeclaredDoubled(Doubled):
    static_graph = True  # its author checked it: no Python `if` on a value


def captures(monkeypatch, model) -> int:
    """How many programs fit(compile=None), the default, compiles for `model`."""
    captured = []

    def counting(*args, **options):
        captured.append(1)
        return compile_graph(*args, **options)
    compile_graph = nn._compiled.compile_batched
    monkeypatch.setattr(nn._compiled, "compile_batched", counting)
    fit(model, [[0.0, 1.0], [1.0, 0.0]], [0.0, 1.0], epochs=2, progress=False)
    return len(captured)


def test_fit_compiles_a_built_in_by_default(monkeypatch):
    assert captures(monkeypatch, MLP(2, [2, 1], seed=0)) == 1


def test_a_subclass_that_changes_the_forward_pass_runs_eagerly_by_default(monkeypatch):
    assert Doubled.static_graph is True  # inherited, but not its own declaration
    assert captures(monkeypatch, Doubled(2, [2, 1], seed=0)) == 0


def test_a_class_that_declares_a_static_graph_itself_is_compiled_by_default(monkeypatch):
    assert captures(monkeypatch, DeclaredDoubled(2, [2, 1], seed=0)) == 1
