"""Model files: exact round trips, atomic writes, and a clear error for every bad file."""
from __future__ import annotations

import json
import os

import pytest

from nn import MLP, Layer, Module, Neuron
from nn.serialization import ModelFileError


@pytest.fixture
def saved(tmp_path):
    model = MLP(2, [3, 2], activation="relu", seed=7)
    path = tmp_path / "model.json"
    model.save(path)
    return model, path


def rewrite(path, change) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


def test_round_trip_is_bit_for_bit(saved):
    model, path = saved
    loaded = MLP.load(path)
    assert [p.data.hex() for p in loaded.parameters()] == [p.data.hex() for p in model.parameters()]


def test_awkward_floats_survive(tmp_path):
    model = Neuron(3)
    model.load_state_dict({"weight": [0.1 + 0.2, -0.0, 5e-324], "bias": 1.7976931348623157e308})
    model.save(tmp_path / "n.json")
    loaded = Neuron.load(tmp_path / "n.json")
    assert [p.data.hex() for p in loaded.parameters()] == [p.data.hex() for p in model.parameters()]


def test_the_architecture_is_restored(saved):
    model, path = saved
    assert repr(MLP.load(path)) == repr(model)


def test_the_file_records_format_version_and_architecture(saved):
    _, path = saved
    document = json.loads(path.read_text())
    assert (document["format"], document["version"]) == ("autograd-mini-model", 1)
    assert document["architecture"] == {"class": "MLP", "config": {
        "nin": 2, "nouts": [3, 2], "activation": "relu", "output_activation": "linear"}}


def test_module_load_rebuilds_whatever_class_was_saved(tmp_path):
    Layer(2, 3, seed=0).save(tmp_path / "layer.json")
    assert isinstance(Module.load(tmp_path / "layer.json"), Layer)


def test_loading_as_the_wrong_class_says_which_class_the_file_holds(tmp_path):
    Layer(2, 3, seed=0).save(tmp_path / "layer.json")
    with pytest.raises(ModelFileError, match="holds a saved Layer, not MLP"):
        MLP.load(tmp_path / "layer.json")


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "nowhere.json"
    with pytest.raises(FileNotFoundError, match=f"{path}: no such model file"):
        MLP.load(path)


def test_truncated_file_is_reported_as_such(saved):
    _, path = saved
    path.write_text(path.read_text()[:100])
    with pytest.raises(ModelFileError, match=f"{path}: not valid JSON, the file is truncated"):
        MLP.load(path)


def test_binary_garbage_is_reported(saved):
    _, path = saved
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ModelFileError, match=str(path)):
        MLP.load(path)


def test_json_that_is_not_a_model_file_is_reported(saved):
    _, path = saved
    path.write_text("[1, 2, 3]")
    with pytest.raises(ModelFileError, match="not an autograd-mini model file"):
        MLP.load(path)


def test_wrong_version_names_both_versions(saved):
    _, path = saved
    rewrite(path, lambda d: d.update(version=2))
    with pytest.raises(ModelFileError, match="version 2 is not supported; this autograd-mini "
                                             "reads version 1"):
        MLP.load(path)


def test_wrong_shape_names_the_parameter(saved):
    _, path = saved
    rewrite(path, lambda d: d["parameters"]["layers.1.bias"].pop())
    with pytest.raises(ModelFileError, match=r"layers.1.bias must be a list of 2 entries, got "
                                             r"a list of 1"):
        MLP.load(path)


def test_a_non_number_parameter_is_reported(saved):
    _, path = saved
    rewrite(path, lambda d: d["parameters"]["layers.0.bias"].__setitem__(0, "x"))
    with pytest.raises(ModelFileError, match=r"layers.0.bias\[0\] must be a finite number"):
        MLP.load(path)


def test_a_broken_architecture_is_reported(saved):
    _, path = saved
    rewrite(path, lambda d: d["architecture"]["config"].update(activation="swish"))
    with pytest.raises(ModelFileError, match="invalid architecture .*unknown activation"):
        MLP.load(path)


def test_saving_replaces_the_file_atomically(saved, monkeypatch):
    # a crash between writing and renaming leaves the old file whole and no stray file
    model, path = saved
    before = path.read_text()

    def crash(source, target):
        raise OSError("disk unplugged")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk unplugged"):
        MLP(2, [3, 2], seed=99).save(path)
    assert path.read_text() == before
    assert os.listdir(path.parent) == ["model.json"]


def test_saved_file_is_readable_by_others(saved):
    _, path = saved
    assert path.stat().st_mode & 0o044  # not mkstemp's private 0600


def test_a_diverged_model_is_not_saved(tmp_path):
    model = Neuron(1)
    model.w[0]._data = float("nan")  # past .data's check, as only a bug could
    with pytest.raises(ValueError, match="NaN or infinite parameter"):
        model.save(tmp_path / "n.json")
    assert not (tmp_path / "n.json").exists()
