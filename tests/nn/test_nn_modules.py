"""Neuron, Layer and MLP: shapes, initialisation, determinism, errors and repr."""
from __future__ import annotations

import math
import random
import subprocess
import sys

import pytest

from autograd_mini import Value
from nn import MLP, Layer, Module, Neuron


def test_mlp_with_one_output_returns_a_value():
    assert isinstance(MLP(2, [16, 16, 1], seed=0)([0.5, -1.0]), Value)


def test_mlp_with_several_outputs_returns_a_list():
    out = MLP(2, [4, 3], seed=0)([0.5, -1.0])
    assert isinstance(out, list) and len(out) == 3


def test_hidden_layers_of_width_one_work():
    assert isinstance(MLP(2, [1, 1, 1], seed=0)([0.5, -1.0]), Value)
    assert len(MLP(2, [1, 1, 2], seed=0)([0.5, -1.0])) == 2


def test_layer_returns_a_list_even_for_one_unit():
    assert len(Layer(3, 1, seed=0)([1.0, 2.0, 3.0])) == 1


def test_parameter_count_is_weights_plus_biases():
    # (2*16 + 16) + (16*16 + 16) + (16*1 + 1) = 337, as micrograd's MLP(2, [16, 16, 1])
    assert len(MLP(2, [16, 16, 1], seed=0).parameters()) == 337


def test_weights_leave_out_the_biases():
    model = MLP(2, [3, 1], seed=0)
    assert len(model.weights()) == 2 * 3 + 3 * 1


def test_neuron_computes_activation_of_weighted_sum():
    neuron = Neuron(2, activation="tanh", seed=0)
    neuron.load_state_dict({"weight": [0.5, -1.0], "bias": 0.25})
    assert neuron([2.0, 3.0]).data == pytest.approx(math.tanh(0.5 * 2 - 3 + 0.25))


@pytest.mark.parametrize("activation, expected", [
    ("tanh", math.tanh(-0.5)), ("relu", 0.0),
    ("sigmoid", 1 / (1 + math.exp(0.5))), ("linear", -0.5)])
def test_each_activation(activation, expected):
    neuron = Neuron(1, activation=activation)
    neuron.load_state_dict({"weight": [1.0], "bias": 0.0})
    assert neuron(-0.5).data == pytest.approx(expected)


def test_last_layer_is_linear_unless_asked():
    assert [layer.activation for layer in MLP(2, [3, 3, 1]).layers] == ["tanh", "tanh", "linear"]
    assert MLP(2, [3, 1], output_activation="sigmoid").layers[-1].activation == "sigmoid"


def test_inputs_may_be_values_and_receive_gradients():
    x = Value(2.0)
    Neuron(1, seed=0)([x]).backward()
    assert x.grad != 0.0


def test_equal_seeds_give_equal_models():
    assert MLP(2, [8, 1], seed=3).state_dict() == MLP(2, [8, 1], seed=3).state_dict()


def test_different_seeds_give_different_models():
    assert MLP(2, [8, 1], seed=3).state_dict() != MLP(2, [8, 1], seed=4).state_dict()


def test_construction_leaves_the_global_random_state_alone():
    before = random.getstate()
    MLP(2, [8, 1], seed=3)
    MLP(2, [8, 1])
    assert random.getstate() == before


def test_initial_weights_are_scaled_by_fan_in():
    # uniform on [-a, a] with a = sqrt(3 / nin): variance 1 / nin
    bound = math.sqrt(3 / 100)
    weights = [w.data for w in Layer(100, 20, seed=0).weights()]
    assert max(map(abs, weights)) <= bound
    assert sum(w * w for w in weights) / len(weights) == pytest.approx(1 / 100, rel=0.1)


def test_zero_grad_clears_every_parameter():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 2.0]).backward()
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_repr_lists_layers_and_activations():
    assert repr(MLP(2, [16, 16, 1], seed=0)) == (
        "MLP(2 -> 16 -> 16 -> 1, 337 parameters)\n"
        "  (0) Layer(2 -> 16, tanh)\n"
        "  (1) Layer(16 -> 16, tanh)\n"
        "  (2) Layer(16 -> 1, linear)")


def test_wrong_input_length_names_the_model_and_the_lengths():
    with pytest.raises(ValueError, match=r"MLP\(2 -> 4 -> 1\) expects 2 inputs per sample, got 3"):
        MLP(2, [4, 1])([1.0, 2.0, 3.0])


def test_unknown_activation_lists_the_choices():
    with pytest.raises(ValueError, match="unknown activation 'swish'; choose one of tanh, sigmoid"):
        MLP(2, [4, 1], activation="swish")


def test_every_activation_of_the_op_table_is_offered():
    from autograd_mini.ops import UNARY
    x = [0.5, -1.0]
    for row in UNARY:
        if row.activation:
            neuron = Neuron(2, activation=row.name, seed=0)
            total = sum((w * xi for w, xi in zip(neuron.w, x)), neuron.b)
            assert neuron(x).data == getattr(Value, row.name)(total).data


def test_parameter_labels_say_where_they_live():
    model = MLP(3, [4, 2], seed=0)
    labels = [p.label for p in model.parameters()]
    assert labels[:4] == ["L0.N0.w0", "L0.N0.w1", "L0.N0.w2", "L0.N1.w0"]
    assert "L0.N3.b" in labels and labels[-1] == "L1.N1.b"
    assert len(set(labels)) == len(labels)
    assert [p.label for p in Layer(2, 2, seed=0).parameters()] == ["N0.w0", "N0.w1", "N1.w0",
                                                                 "N1.w1", "N0.b", "N1.b"]


def test_layer_sizes_must_be_a_list():
    with pytest.raises(TypeError, match="non-empty list of layer sizes"):
        MLP(2, 4)


def test_layer_sizes_must_not_be_empty():
    with pytest.raises(ValueError, match="non-empty list of layer sizes"):
        MLP(2, [])


def test_state_dict_uses_pytorch_style_names_and_shapes():
    state = MLP(2, [3, 1], seed=0).state_dict()
    assert list(state) == ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]
    assert [len(state["layers.0.weight"]), len(state["layers.0.weight"][0])] == [3, 2]


def test_load_state_dict_copies_values():
    source, target = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
    target.load_state_dict(source.state_dict())
    assert target.state_dict() == source.state_dict()


def test_load_state_dict_with_a_wrong_shape_changes_nothing():
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    bad = dict(before, **{"layers.1.weight": [[1.0, 2.0]]})
    bad["layers.0.bias"] = [9.0, 9.0, 9.0]
    with pytest.raises(ValueError, match=r"layers.1.weight\[0\] must be a list of 3 entries"):
        model.load_state_dict(bad)
    assert model.state_dict() == before


def test_load_state_dict_names_missing_keys():
    with pytest.raises(ValueError, match=r"missing keys \['layers.1.bias'\]"):
        MLP(2, [3, 1]).load_state_dict({k: v for k, v in MLP(2, [3, 1]).state_dict().items()
                                        if k != "layers.1.bias"})


def test_module_base_has_no_parameters():
    assert Module().parameters() == []


@pytest.mark.parametrize("unordered, kind", [({1: 2, 3: 4}, "dict"), ({1.0, 2.0}, "set"),
                                             (frozenset({1.0, 2.0}), "frozenset")])
def test_a_mapping_or_set_input_is_refused_with_pass_a_list(unordered, kind):
    # a dict would silently give its keys, a set its items in hash order
    with pytest.raises(TypeError, match=f"got a {kind}, which has no fixed order; pass a list"):
        MLP(2, [1], seed=0)(unordered)


def test_a_string_input_is_refused():
    with pytest.raises(TypeError, match=r"MLP\(2 -> 1\) input must be a list of 2 numbers or "
                                        r"Values, got the string 'ab'"):
        MLP(2, [1], seed=0)("ab")


def test_a_non_number_entry_is_a_type_error_naming_its_position():
    with pytest.raises(TypeError, match=r"Layer\(2 -> 3, tanh\) input\[1\] must be a real "
                                        r"number, got str '3'"):
        Layer(2, 3, seed=0)([1.0, "3"])


def test_a_batch_passed_as_one_sample_says_to_call_once_per_sample():
    with pytest.raises(TypeError, match=r"input\[0\] is a list, not a number: call the model "
                                        r"once per sample"):
        MLP(2, [1], seed=0)([[1.0, 2.0], [3.0, 4.0]])


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_a_nan_or_infinite_input_is_refused_by_position(bad):
    with pytest.raises(ValueError, match=rf"Neuron\(2 inputs, tanh\) input\[1\] must be finite, "
                                         rf"got {bad}"):
        Neuron(2, seed=0)([1.0, bad])


def test_bool_entries_are_read_as_1_and_0():
    model = MLP(2, [3, 1], seed=0)
    assert model([True, False]).data == model([1.0, 0.0]).data


def test_a_tuple_input_gives_the_same_output_as_a_list():
    model = MLP(2, [3, 1], seed=0)
    assert model((0.5, -1.0)).data == model([0.5, -1.0]).data


def test_layer_sizes_must_be_positive_ints_named_by_position():
    with pytest.raises(TypeError, match=r"MLP nouts\[1\] must be an int >= 1, got 2.5"):
        MLP(2, [4, 2.5])


@pytest.mark.parametrize("seed, error", [(1.5, TypeError), (True, TypeError),
                                         ("0", TypeError)])
def test_seed_must_be_an_int_or_none(seed, error):
    with pytest.raises(error, match="MLP seed must be an int or None"):
        MLP(2, [1], seed=seed)


def test_nn_runs_where_numpy_cannot_be_imported():
    # numpy is a test dependency only: arrays are recognised by duck typing
    program = ("import sys; sys.modules['numpy'] = None\n"
               "from nn import MLP, mse_loss, cross_entropy\n"
               "from nn.datasets import make_moons\n"
               "X, y = make_moons(8, seed=0)\n"
               "model = MLP(2, [3, 2], seed=0)\n"
               "cross_entropy([model(x) for x in X], y).backward()\n"
               "print(mse_loss(model(X[0])[0], 1.0).data > 0)\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, "True", "")


def test_an_int_input_too_large_for_a_float_is_named_by_position():
    with pytest.raises(ValueError, match=r"input\[0\] must be finite \(too large for a float\)"):
        MLP(2, [1], seed=0)([10 ** 400, 1.0])


@pytest.mark.parametrize("nouts", [None, Value(1.0), {4: 1}])
def test_layer_sizes_that_are_no_list_are_a_type_error(nouts):
    with pytest.raises(TypeError, match="MLP nouts must be a non-empty list of layer sizes"):
        MLP(2, nouts)
