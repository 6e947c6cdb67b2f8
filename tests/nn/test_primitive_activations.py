"""A user's @primitive as an activation gets what the built-in names get: the same
numbers as the network written by hand, compiled training equal to eager, repr, config,
model files that name it (and never import code to find it), and clear errors.

The primitives are defined at the top level of this module, so that pickle and model
files find them by name: under pytest (and each xdist worker) this module is in
sys.modules as `__name__`."""
from __future__ import annotations

import copy
import json
import math
import pickle
import re
import sys
import types
from operator import mul

import pytest

import nn._compiled
from autograd_mini import Value, primitive
from nn import MLP, Adam, Layer, Module, ModelFileError, Neuron, fit, mse_loss
from nn.datasets import make_moons

SAMPLES = [[0.5, -1.0], [2.0, 0.25], [-3.0, 1.5]]


@primitive(slope=lambda x, out: out * (1.0 - out))
def logistic(x):
    return 1.0 / (1.0 + math.exp(-x))


@primitive(slope=lambda x, out: 1.0 / ((1.0 + abs(x)) * (1.0 + abs(x))))
def softsign(x):
    return x / (1.0 + abs(x))


@primitive(slopes=(lambda x, y, out: y, lambda x, y, out: x))
def times(x, y):
    return x * y


def plain_function(x):
    return x


# made by a call on a lambda: its name, <lambda>, leads nowhere
nameless = primitive(slope=lambda x, out: 1.0)(lambda x: x)


def local_primitive():
    @primitive(slope=lambda x, out: 1.0)
    def identity(x):
        return x
    return identity


def hexes(values) -> list[str]:
    return [v.data.hex() for v in values]


# -- the network ----------------------------------------------------------------------
def by_hand(state: dict, x: list[float]) -> tuple[Value, list[Value]]:
    """MLP(2, [3, 3, 1], logistic, output softsign) written out, from `state`'s numbers:
    (output, parameters in MLP's order)."""
    params: list[Value] = []
    activations = [logistic, logistic, softsign]
    for i, activation in enumerate(activations):
        weights = [[Value(w) for w in row] for row in state[f"layers.{i}.weight"]]
        biases = [Value(b) for b in state[f"layers.{i}.bias"]]
        params += [w for row in weights for w in row] + biases
        x = [activation(sum(map(mul, row, x), b)) for row, b in zip(weights, biases)]
    return x[0], params


def test_an_mlp_computes_what_the_network_written_by_hand_computes_bit_for_bit():
    model = MLP(2, [3, 3, 1], activation=logistic, output_activation=softsign, seed=0)
    for x in SAMPLES:
        model.zero_grad()
        out = model(x)
        out.backward()
        expected, params = by_hand(model.state_dict(), x)
        expected.backward()
        assert out.op == "softsign" and out.data.hex() == expected.data.hex()
        assert [p.grad.hex() for p in model.parameters()] == [p.grad.hex() for p in params]


def test_a_neuron_and_a_layer_apply_the_primitive():
    neuron, layer = Neuron(2, activation=logistic, seed=0), Layer(2, 2, activation=logistic)
    assert neuron([0.5, -1.0]).op == "logistic"
    assert [out.op for out in layer([0.5, -1.0])] == ["logistic", "logistic"]
    total = sum(map(mul, neuron.w, [0.5, -1.0]), neuron.b)
    assert neuron([0.5, -1.0]).data == logistic(total.data)


def test_a_primitive_gets_lecun_initialisation_as_tanh_does():
    assert (MLP(3, [4, 1], activation=logistic, seed=5).state_dict()
            == MLP(3, [4, 1], activation="tanh", seed=5).state_dict()
            != MLP(3, [4, 1], activation="relu", seed=5).state_dict())


def test_repr_and_describe_name_the_primitive():
    model = MLP(2, [3, 1], activation=logistic, output_activation=softsign, seed=0)
    assert repr(model).splitlines()[1:] == ["  (0) Layer(2 -> 3, logistic)",
                                            "  (1) Layer(3 -> 1, softsign)"]
    assert Neuron(2, activation=logistic).describe() == "Neuron(2 inputs, logistic)"


def test_config_holds_the_primitive_and_rebuilds_the_model():
    model = MLP(2, [3, 1], activation=logistic, output_activation=softsign, seed=4)
    config = model.config()
    assert config["activation"] is logistic and config["output_activation"] is softsign
    twin = MLP(**config, seed=4)
    assert hexes([twin(x) for x in SAMPLES]) == hexes([model(x) for x in SAMPLES])


@pytest.mark.parametrize("duplicate", [copy.deepcopy, lambda m: pickle.loads(pickle.dumps(m))],
                         ids=["deepcopy", "pickle"])
def test_a_copy_computes_the_same_outputs(duplicate):
    model = MLP(2, [3, 1], activation=logistic, seed=0)
    twin = duplicate(model)
    assert twin.layers[0].activation is logistic
    assert hexes([twin(x) for x in SAMPLES]) == hexes([model(x) for x in SAMPLES])


# -- training -------------------------------------------------------------------------
def train(compile):
    X, y = make_moons(24, noise=0.1, seed=0)
    model = MLP(2, [6, 6, 1], activation=logistic, output_activation=softsign, seed=0)
    history = fit(model, X, y, loss=mse_loss, optimizer=Adam(model.parameters(), lr=0.05),
                  epochs=4, batch_size=10, progress=False, compile=compile)
    return history, model.state_dict()


def test_compiled_training_gives_eager_training_bit_for_bit(monkeypatch):
    compiled = []

    def counting(*args, **options):
        compiled.append(len(args[0]))
        return compile_graph(*args, **options)
    compile_graph = nn._compiled.compile_batched
    monkeypatch.setattr(nn._compiled, "compile_batched", counting)
    eager_history, eager_state = train(False)
    assert compiled == []
    history, state = train(True)
    assert compiled == [1]  # one program, from one sample: the steps did run compiled
    assert history == eager_history
    assert state == eager_state
    assert history[-1]["loss"] < history[0]["loss"]


def test_the_compile_check_finds_no_difference():
    # compile=1 also runs every step eagerly and raises CompileMismatch on a difference
    assert train(1) == train(False)


# -- model files ----------------------------------------------------------------------
def saved_name(function) -> str:
    return f"primitive:{__name__}:{function.__qualname__}"


@pytest.fixture
def saved(tmp_path):
    model = MLP(2, [3, 1], activation=logistic, output_activation=softsign, seed=0)
    path = tmp_path / "model.json"
    model.save(path)
    return model, path


def rewrite_activation(path, text: str) -> None:
    document = json.loads(path.read_text())
    document["architecture"]["config"]["activation"] = text
    path.write_text(json.dumps(document))


def test_the_file_names_the_primitive_by_module_and_qualified_name(saved):
    _, path = saved
    config = json.loads(path.read_text())["architecture"]["config"]
    assert config["activation"] == saved_name(logistic)
    assert config["output_activation"] == saved_name(softsign)


@pytest.mark.parametrize("load", [Module.load, MLP.load], ids=["Module.load", "MLP.load"])
def test_a_loaded_model_computes_the_same_outputs(saved, load):
    model, path = saved
    loaded = load(path)
    assert loaded.config() == model.config() and repr(loaded) == repr(model)
    assert hexes([loaded(x) for x in SAMPLES]) == hexes([model(x) for x in SAMPLES])


@pytest.mark.parametrize("module", [Neuron(3, activation=logistic, seed=1),
                                    Layer(3, 2, activation=softsign, seed=1)],
                         ids=["Neuron", "Layer"])
def test_a_neuron_and_a_layer_load_back(tmp_path, module):
    module.save(tmp_path / "m.json")
    loaded = Module.load(tmp_path / "m.json")
    assert loaded.config() == module.config()
    assert loaded.state_dict() == module.state_dict()


def test_loading_without_the_primitives_module_imported_says_to_import_it(saved,
                                                                          monkeypatch):
    _, path = saved
    monkeypatch.delitem(sys.modules, __name__)
    with pytest.raises(ModelFileError, match=re.escape(
            f"import {__name__} before loading, so that its primitive logistic can be found")):
        MLP.load(path)


def test_loading_imports_no_module(saved, tmp_path, monkeypatch):
    _, path = saved
    marker = tmp_path / "imported"
    (tmp_path / "activations_on_disk.py").write_text(
        "import pathlib\n"
        f"pathlib.Path({str(marker)!r}).write_text('ran')\n"
        "from autograd_mini import primitive\n"
        "@primitive(slope=lambda x, out: 1.0)\n"
        "def identity(x):\n"
        "    return x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    rewrite_activation(path, "primitive:activations_on_disk:identity")
    with pytest.raises(ModelFileError, match="import activations_on_disk before loading"):
        MLP.load(path)
    assert "activations_on_disk" not in sys.modules and not marker.exists()


def test_loading_runs_no_module_getattr(saved, monkeypatch):
    _, path = saved
    asked = []
    lazy = types.ModuleType("lazy_activations")
    lazy.__getattr__ = lambda name: asked.append(name) or logistic  # PEP 562
    monkeypatch.setitem(sys.modules, "lazy_activations", lazy)
    rewrite_activation(path, "primitive:lazy_activations:logistic")
    with pytest.raises(ModelFileError, match="lazy_activations has no logistic"):
        MLP.load(path)
    assert asked == []


@pytest.mark.parametrize("name, problem", [
    (saved_name(plain_function), "is a plain function, not a function made by @primitive"),
    (f"primitive:{__name__}:SAMPLES", "is a list, not a function made by @primitive"),
    (f"primitive:{__name__}:missing", f"{__name__} has no missing"),
    (saved_name(times), "a primitive of 2 operands; an activation takes one"),
    ("primitive:logistic", "is not a primitive's name"),
    ("primitive:a:b:c", "is not a primitive's name"),
])
def test_a_name_that_leads_to_no_one_operand_primitive_is_refused(saved, name, problem):
    _, path = saved
    rewrite_activation(path, name)
    with pytest.raises(ModelFileError, match=re.escape(problem)):
        MLP.load(path)


@pytest.mark.parametrize("unfindable", [local_primitive(), nameless], ids=["local", "lambda"])
def test_saving_a_primitive_that_cannot_be_found_by_name_writes_nothing(tmp_path, unfindable):
    path = tmp_path / "model.json"
    with pytest.raises(ModelFileError, match=r"cannot save to .*: activation is the primitive "
                                             r".*, which a model file cannot name"):
        MLP(2, [1], activation=unfindable).save(path)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_save_leaves_the_old_file_as_it_was(saved):
    _, path = saved
    before = path.read_bytes()
    with pytest.raises(ModelFileError):
        MLP(2, [1], output_activation=nameless).save(path)
    assert path.read_bytes() == before


class Tagged(Module):
    """A module whose config holds a string that load would read as a primitive's name."""

    def config(self):
        return {"tag": "primitive:somewhere:something"}


def test_saving_a_config_string_that_would_load_as_a_primitive_is_refused(tmp_path):
    with pytest.raises(ModelFileError, match="load would read as the name of a primitive"):
        Tagged().save(tmp_path / "tagged.json")
    assert list(tmp_path.iterdir()) == []


# -- wrong activations ----------------------------------------------------------------
@pytest.mark.parametrize("make, what", [
    (lambda a: MLP(2, [1], activation=a), "MLP activation"),
    (lambda a: MLP(2, [1], output_activation=a), "MLP output_activation"),
    (lambda a: Layer(2, 1, activation=a), "Layer activation"),
    (lambda a: Neuron(2, activation=a), "Neuron activation"),
])
@pytest.mark.parametrize("activation, given", [
    (plain_function, "got plain_function (function), which has no slope: make it an op with "
                     "@autograd_mini.primitive(slope=...), or choose one of tanh, "),
    (math.tanh, "got tanh (builtin_function_or_method), which has no slope"),
    (times, "got the primitive times, which takes 2 operands; choose one of tanh, "),
])
def test_an_activation_that_is_no_one_operand_primitive_is_a_type_error(make, what, activation,
                                                                        given):
    expected = f"{what} must be the name of an activation or a one-operand " \
               f"@autograd_mini.primitive, {given}"
    with pytest.raises(TypeError, match="^" + re.escape(expected)):
        make(activation)


def test_the_choices_offer_a_primitive():
    with pytest.raises(TypeError, match=r"got 5; choose one of tanh, .*, linear, or a "
                                        r"one-operand @autograd_mini.primitive$"):
        MLP(2, [1], activation=5)
