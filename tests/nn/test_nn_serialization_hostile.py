"""Loading a hostile or broken model file: refused at once, with the path and the reason,
before anything the file declares is built."""
from __future__ import annotations

import json
import os
import re
import stat
import sys
import threading

import pytest

import nn.serialization
from nn import MLP, Layer, Module, Neuron
from nn.serialization import ModelFileError


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "model.json"
    MLP(2, [2, 1], seed=0).save(path)
    return path


def forbid_building(monkeypatch) -> None:
    """Any Neuron built from here on fails the test: the file must be refused first."""
    def built(self, *args, **kwargs):
        raise AssertionError("a Neuron was built from a file that should have been refused")
    monkeypatch.setattr(Neuron, "__init__", built)


@pytest.fixture
def nothing_is_built(path, monkeypatch):
    forbid_building(monkeypatch)


def rewrite(path, change) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


def refusal(path, cls=MLP) -> str:
    """The message of the ModelFileError that loading `path` raises; it names the path."""
    with pytest.raises(ModelFileError) as caught:
        cls.load(path)
    message = str(caught.value)
    assert str(path) in message
    assert len(message) < 400
    return message


def config(**changes):
    return lambda document: document["architecture"]["config"].update(changes)


@pytest.mark.parametrize("change, problem", [
    (config(nouts=[10**9]), "unexpected keys"),
    (config(nouts=[10**9, 1]),
     r"layers.0.weight must be a list of 1000000000 entries, got a list of 2"),
    (config(nin=10**9),
     r"layers.0.weight\[0\] must be a list of 1000000000 entries, got a list of 2"),
    (config(nouts=[2] * 10**5), r"missing keys \['layers.2.weight', .*and 199988 more\]"),
], ids=["nouts", "nouts-and-output", "nin", "many-layers"])
def test_a_declared_size_beyond_the_parameters_present_is_refused_before_building(
        path, nothing_is_built, change, problem):
    rewrite(path, change)
    assert path.stat().st_size < 1_000_000  # a small file may not declare a big model
    assert re.search(problem, refusal(path))


@pytest.mark.parametrize("cls, change, problem", [
    (Neuron, config(nin=10**9), r"weight must be a list of 1000000000 entries, got a list of 2"),
    (Layer, config(nout=10**9), r"weight must be a list of 1000000000 entries, got a list of 3"),
    (Layer, config(nin=10**9), r"weight\[0\] must be a list of 1000000000 entries"),
])
def test_neurons_and_layers_are_checked_against_their_parameters_too(
        tmp_path, monkeypatch, cls, change, problem):
    path = tmp_path / "module.json"
    (Neuron(2, seed=0) if cls is Neuron else Layer(2, 3, seed=0)).save(path)
    rewrite(path, change)
    forbid_building(monkeypatch)
    assert re.search(problem, refusal(path, Module))


@pytest.mark.parametrize("change, problem", [
    (config(nin=2.0), "MLP nin must be an int >= 1, got 2.0"),
    (config(nin=True), "MLP nin must be an int >= 1, got True"),
    (config(nouts=[2, "1"]), "MLP nouts[1] must be an int >= 1, got '1'"),
    (config(nouts=[2, 0]), "MLP nouts[1] must be an int >= 1, got 0"),
    (config(nouts=3), "MLP nouts must be a non-empty list of layer sizes"),
    (config(activation=[[["tanh"]]]), "MLP activation must be the name of an activation"),
], ids=["float", "bool", "str", "zero", "not-a-list", "activation"])
def test_a_malformed_size_or_name_is_refused_before_building(path, nothing_is_built, change,
                                                             problem):
    rewrite(path, change)
    assert problem in refusal(path)


class Wide(MLP):
    """A user's MLP that only changes what calling it returns."""

    def __call__(self, x):
        return super().__call__(x) * 2


class Custom(Module):
    """A user's own architecture."""

    def __init__(self, size, seed=None):
        self.size, self.weights = size, [Neuron(1, seed=seed) for _ in range(size)]

    def named_tensors(self):
        return {"weight": [neuron.w for neuron in self.weights]}

    def config(self):
        return {"size": self.size}


def test_a_subclass_that_builds_the_same_parameters_is_checked_before_building(
        tmp_path, monkeypatch):
    path = tmp_path / "wide.json"
    Wide(2, [2, 1], seed=0).save(path)
    assert Wide.load(path)([1.0, 2.0]).data == Wide(2, [2, 1], seed=0)([1.0, 2.0]).data
    rewrite(path, config(nin=10**9))
    forbid_building(monkeypatch)
    assert "layers.0.weight[0] must be a list of 1000000000 entries" in refusal(path, Wide)


def test_a_users_own_architecture_still_loads(tmp_path):
    Custom(3, seed=0).save(tmp_path / "custom.json")
    assert Custom.load(tmp_path / "custom.json").state_dict() == Custom(3, seed=0).state_dict()


@pytest.mark.parametrize("cls, key", [(MLP, "rng"), (Layer, "rng"), (Neuron, "rng"),
                                      (MLP, "seed"), (Layer, "bias")])
def test_a_config_key_that_is_no_architecture_argument_is_refused(tmp_path, cls, key):
    path = tmp_path / "module.json"
    examples = {MLP: MLP(2, [1], seed=0), Layer: Layer(2, 3, seed=0), Neuron: Neuron(2, seed=0)}
    examples[cls].save(path)
    rewrite(path, config(**{key: 5}))
    assert f"unexpected config keys ['{key}']" in refusal(path, cls)


def test_a_missing_config_key_is_named(path):
    rewrite(path, lambda document: document["architecture"]["config"].pop("nouts"))
    assert "missing config keys ['nouts']" in refusal(path)


@pytest.mark.parametrize("version", ["true", "1.0", '"1"', "[1]", "null", "1e400", "2"])
def test_only_the_integer_1_is_format_version_1(path, version):
    path.write_text(path.read_text().replace('"version": 1', f'"version": {version}', 1))
    assert "is not supported; this autograd-mini reads version 1" in refusal(path)


def test_an_integer_of_thousands_of_digits_is_refused_with_the_path(path):
    path.write_text(path.read_text().replace('"version": 1', '"version": ' + "9" * 5000, 1))
    assert "an integer of 5000 digits" in refusal(path)


def test_a_long_integer_is_refused_by_length_even_with_no_int_digit_limit(path):
    # with the limit off, int() of a long digit string takes quadratic time
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        path.write_text(path.read_text().replace('"nin": 2', '"nin": ' + "9" * 100_000, 1))
        assert "an integer of 100000 digits" in refusal(path)
    finally:
        sys.set_int_max_str_digits(limit)


def test_a_parameter_too_large_for_a_float_is_named(path):
    path.write_text(path.read_text().replace('"layers.0.bias": [\n   0.0',
                                             '"layers.0.bias": [\n   1' + "0" * 400, 1))
    assert (r"layers.0.bias[0] must be a finite number, got an int of about 401 digits, too "
            r"large for a float") in refusal(path)


@pytest.mark.parametrize("literal, shown", [
    ("NaN", "got nan"), ("Infinity", "got inf"), ("-Infinity", "got -inf"), ("1e400", "got inf"),
    ("true", "not the bool True"), ('"0.5"', "got str '0.5'"), ("null", "got NoneType"),
    ("{}", "got dict {}"),
])
def test_a_parameter_that_is_not_a_finite_number_is_named(path, literal, shown):
    path.write_text(path.read_text().replace('"layers.0.bias": [\n   0.0',
                                             f'"layers.0.bias": [\n   {literal}', 1))
    message = refusal(path)
    assert "layers.0.bias[0] must be a" in message and shown in message


def test_deep_nesting_is_refused_with_the_path(path):
    path.write_text("[" * 100_000)
    assert "nested too deeply" in refusal(path)


def test_deep_nesting_inside_a_parameter_is_refused_briefly(path):
    path.write_text(path.read_text().replace('"layers.0.bias": [\n   0.0',
                                             '"layers.0.bias": [\n   ' + "[" * 500 + "]" * 500, 1))
    assert "layers.0.bias[0] must be a finite number, got list [[[[...]]]]" in refusal(path)


def test_a_huge_class_name_is_shown_shortened(path):
    rewrite(path, lambda document: document["architecture"].update({"class": "X" * 100_000}))
    assert "unknown module class 'XXX" in refusal(path, Module)


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "model.json"
    os.mkfifo(fifo)
    outcome, done = [], threading.Event()

    def load():
        try:
            MLP.load(fifo)
        except BaseException as error:  # handed to the test thread
            outcome.append(error)
        done.set()

    threading.Thread(target=load, daemon=True).start()
    if not done.wait(timeout=30):
        # the loader is stuck in open(): a writer lets it through, and the test fails
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        done.wait(timeout=30)
        pytest.fail("MLP.load blocked on a FIFO")
    assert isinstance(outcome[0], ModelFileError)
    assert f"{fifo}: is a FIFO (named pipe), not a model file" in str(outcome[0])


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_a_device_is_refused_before_reading(device, monkeypatch):
    if not os.path.exists(device):
        pytest.skip(f"no {device} here")
    # were the check to go, the read limit would still stop /dev/zero within 1 MB
    monkeypatch.setattr(nn.serialization, "MAX_MODEL_BYTES", 2**20)
    assert f"{device}: is a character device, not a model file" in refusal(device)


def test_a_folder_is_refused(tmp_path):
    assert f"{tmp_path}: is a folder, not a model file" in refusal(tmp_path)


def test_a_file_over_the_byte_limit_is_refused_before_reading(path, monkeypatch):
    monkeypatch.setattr(nn.serialization, "MAX_MODEL_BYTES", 100)
    message = refusal(path)
    size = path.stat().st_size
    assert f"larger ({size} bytes) than the 100 bytes a model file may hold" in message
    assert "MAX_MODEL_BYTES" in message


def test_a_file_that_grows_after_its_size_was_taken_is_read_no_further_than_the_limit(
        path, monkeypatch):
    real_fstat = os.fstat
    # the file claims 10 bytes when opened, but holds more by the time it is read
    small = os.stat_result((stat.S_IFREG | 0o644, 0, 0, 1, 0, 0, 10, 0, 0, 0))
    monkeypatch.setattr(os, "fstat", lambda descriptor: small)
    monkeypatch.setattr(nn.serialization, "MAX_MODEL_BYTES", 100)
    try:
        assert "larger than the 100 bytes a model file may hold" in refusal(path)
    finally:
        monkeypatch.setattr(os, "fstat", real_fstat)


def test_a_file_within_the_byte_limit_loads(path, monkeypatch):
    monkeypatch.setattr(nn.serialization, "MAX_MODEL_BYTES", path.stat().st_size)
    assert MLP.load(path).state_dict() == MLP(2, [2, 1], seed=0).state_dict()


def test_a_symlink_to_a_model_file_loads(path):
    link = path.parent / "link.json"
    link.symlink_to(path)
    assert MLP.load(link).state_dict() == MLP.load(path).state_dict()
