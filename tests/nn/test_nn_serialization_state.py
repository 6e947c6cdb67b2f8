"""load_state_dict refuses every value that is not a finite number, naming the parameter,
and changes nothing when it refuses."""
from __future__ import annotations

import math

import pytest

from nn import MLP, Neuron


@pytest.fixture
def model():
    return MLP(2, [3, 1], seed=0)


def with_bias(model, value):
    state = model.state_dict()
    state["layers.0.bias"][1] = value
    return state


@pytest.mark.parametrize("value", [10**400, -10**400, 10**5000], ids=["1e400", "-1e400", "1e5000"])
def test_an_int_too_large_for_a_float_is_a_value_error_naming_the_parameter(model, value):
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"layers.0.bias\[1\] must be a finite number, got an "
                                         r"int of about \d+ digits, too large for a float"):
        model.load_state_dict(with_bias(model, value))
    assert model.state_dict() == before


@pytest.mark.parametrize("value, error, shown", [
    (math.nan, ValueError, "got nan"),
    (math.inf, ValueError, "got inf"),
    (-math.inf, ValueError, "got -inf"),
    (True, TypeError, "not the bool True"),
    (False, TypeError, "not the bool False"),
    ("0.5", TypeError, "got str '0.5'"),
    (None, TypeError, "got NoneType None"),
    ([1.0], TypeError, r"got list \[1.0\]"),
    ({"x": 1.0}, TypeError, "got dict"),
])
def test_a_value_that_is_not_a_finite_number_is_refused_by_name(model, value, error, shown):
    before = model.state_dict()
    with pytest.raises(error, match=rf"load_state_dict: layers.0.bias\[1\] must be a finite "
                                    rf"number.*{shown}"):
        model.load_state_dict(with_bias(model, value))
    assert model.state_dict() == before


def test_ints_that_fit_a_float_are_taken(model):
    state = model.state_dict()
    state["layers.0.bias"] = [1, -2, 10**300]
    model.load_state_dict(state)
    biases = model.state_dict()["layers.0.bias"]
    assert biases == [1.0, -2.0, 1e300] and all(type(b) is float for b in biases)


def test_a_deeply_nested_value_is_described_briefly(model):
    nested = [[]]
    for _ in range(100_000):
        nested = [nested]
    with pytest.raises(TypeError, match=r"layers.0.bias\[1\]") as caught:
        model.load_state_dict(with_bias(model, nested))
    assert len(str(caught.value)) < 300


def test_a_huge_int_where_a_list_belongs_is_described_by_size(model):
    state = model.state_dict()
    state["layers.1.weight"] = 10**5000
    with pytest.raises(TypeError, match=r"layers.1.weight must be a list of 1 entries, got "
                                         r"<an int of about 5001 digits>"):
        model.load_state_dict(state)


def test_a_long_list_of_unexpected_keys_is_shortened():
    state = Neuron(1, seed=0).state_dict()
    state.update({f"extra{i}": 0.0 for i in range(100_000)})
    with pytest.raises(ValueError,
                       match=r"unexpected keys \['extra0', .*and 99992 more\]") as caught:
        Neuron(1).load_state_dict(state)
    assert len(str(caught.value)) < 300


def test_numpy_arrays_and_scalars_load_as_the_numbers_they_hold():
    np = pytest.importorskip("numpy")
    source = MLP(2, [3, 1], seed=0)
    state = {name: np.array(tensor) for name, tensor in source.state_dict().items()}
    state["layers.1.bias"] = [np.float32(0.5)]
    target = MLP(2, [3, 1], seed=1)
    target.load_state_dict(state)
    expected = dict(source.state_dict(), **{"layers.1.bias": [0.5]})
    assert target.state_dict() == expected
