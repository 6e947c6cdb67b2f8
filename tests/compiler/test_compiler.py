"""compile_graph: a captured graph replayed as generated code gives eager's numbers to the
last bit, and eager's errors, on random DAGs of every op and on the benchmark workloads."""
from __future__ import annotations

import math
import struct
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from autograd_mini import Value, compile_graph
from strategies import ANY_INPUT, TableProgram, table_programs

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # benchmarks/ is not installed

from benchmarks import workloads  # noqa: E402

PROPERTY = settings(max_examples=400, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def bits(x: float) -> object:
    """x exactly: its bytes (so -0.0 differs from 0.0), or "nan" for any NaN."""
    return "nan" if x != x else struct.pack("<d", x)


def eager_outcome(program: TableProgram, point: list[float], seed: float = 1.0) -> tuple | set:
    """What eager evaluation gives at `point`: the value and every leaf's gradient, as
    bits, or the error backward raises (its type and message); or when the graph cannot be
    built, the set of errors its ops raise (which one comes first depends on the order)."""
    leaves = [Value(x, allow_nonfinite=True) for x in point]
    try:
        root = program.build(leaves)
    except Exception:  # noqa: BLE001 - compared with the compiled one's
        return program.errors(leaves)
    try:
        root.backward(seed)
    except Exception as error:  # noqa: BLE001
        return type(error), str(error)
    return bits(root.data), [bits(leaf.grad) for leaf in leaves]


def assert_same(found: tuple, expected: tuple | set) -> None:
    if isinstance(expected, set):
        assert found in expected
    else:
        assert found == expected


def compiled_outcome(compiled, leaves: list[Value], point: list[float], seed: float = 1.0) -> tuple:
    for leaf, x in zip(leaves, point):
        leaf.data, leaf.grad = x, 0.0
    try:
        value = compiled.forward()
        compiled.backward(seed)
    except Exception as error:  # noqa: BLE001
        return type(error), str(error)
    return bits(value), [bits(leaf.grad) for leaf in leaves]


def captured(program: TableProgram) -> tuple:
    """The program built at its own inputs and compiled, or skipped when eager refuses it."""
    leaves = [Value(x, allow_nonfinite=True) for x in program.inputs]  # moved to inf and NaN
    try:
        root = program.build(leaves)
    except ValueError:
        assume(False)
    return compile_graph(root, leaves), leaves


@settings(PROPERTY)
@given(table_programs(), st.lists(ANY_INPUT, min_size=3, max_size=3))
def test_random_graphs_of_every_op_give_eager_values_gradients_and_errors(program, moved):
    compiled, leaves = captured(program)
    point = moved[:len(leaves)]
    for at in (program.inputs, point, program.inputs):  # captured point, elsewhere, back
        assert_same(compiled_outcome(compiled, leaves, at), eager_outcome(program, at))


@settings(PROPERTY)
@given(table_programs(), st.lists(st.sampled_from([math.inf, -math.inf, math.nan, 0.0, -0.0,
                                                   1e-320, -1e308]), min_size=3, max_size=3))
def test_non_finite_and_extreme_inputs_give_eager_results(program, moved):
    compiled, leaves = captured(program)
    point = moved[:len(leaves)]
    assert_same(compiled_outcome(compiled, leaves, point), eager_outcome(program, point))


@settings(PROPERTY)
@given(table_programs(), st.sampled_from([2.0, -0.5, 1e300, 0.0]))
def test_seed_gradients_scale_as_eager(program, seed):
    compiled, leaves = captured(program)
    at = program.inputs
    assert_same(compiled_outcome(compiled, leaves, at, seed), eager_outcome(program, at, seed))


# -- the benchmark workloads, bit for bit -------------------------------------------

def assert_same_run(compiled, root_data: float, inputs: list[Value], eager_grads: list[float]):
    for leaf in inputs:
        leaf.grad = 0.0
    assert bits(compiled.run()) == bits(root_data)
    assert [bits(leaf.grad) for leaf in inputs] == [bits(g) for g in eager_grads]


def test_tanh_chain_of_10k_nodes_equals_eager():
    root, leaves = workloads.value_chain(Value, workloads.chain_steps(10_000))
    compiled = compile_graph(root, leaves)
    root.backward()
    assert_same_run(compiled, root.data, leaves, [leaf.grad for leaf in leaves])


def test_wide_sum_equals_eager_at_new_inputs():
    xs, ys = workloads.wide_inputs(5_000)
    root, leaves = workloads.value_wide(Value, xs, ys)
    compiled = compile_graph(root, leaves)
    new_xs, new_ys = [x * 1.5 - 0.25 for x in xs], [y * 0.5 + 0.75 for y in ys]
    for leaf, x in zip(leaves, [x for pair in zip(new_xs, new_ys) for x in pair]):
        leaf.data = x  # value_wide's leaves are x0, y0, x1, y1, ...
    eager_root, eager_leaves = workloads.value_wide(Value, new_xs, new_ys)
    eager_root.backward()
    assert_same_run(compiled, eager_root.data, leaves, [leaf.grad for leaf in eager_leaves])


def demo_model(params: list[float]):
    from nn import MLP
    model = MLP(2, [16, 16, 1], activation="relu", seed=0)
    for p, x in zip(model.parameters(), params):
        p.data = x
    return model


def test_micrograd_demo_steps_equal_eager_steps():
    """Three SGD steps of micrograd's moons demo (65k nodes), compiled once vs rebuilt."""
    X, y = workloads.make_moons(100)
    initial = [p.data for p in demo_model([]).parameters()]
    compiled_model, eager_model = demo_model(initial), demo_model(initial)
    params = compiled_model.parameters()
    compiled = compile_graph(workloads.demo_loss([compiled_model(row) for row in X], y, params),
                             params)
    for _ in range(3):
        eager_params = eager_model.parameters()
        loss = workloads.demo_loss([eager_model(row) for row in X], y, eager_params)
        eager_model.zero_grad()
        loss.backward()
        compiled_model.zero_grad()
        assert bits(compiled.run()) == bits(loss.data)
        assert [bits(p.grad) for p in params] == [bits(p.grad) for p in eager_params]
        for p, q in zip(params, eager_params):
            p.data -= workloads.MLP_LR * p.grad
            q.data -= workloads.MLP_LR * q.grad


def test_mazur_network_replays_his_published_step():
    """Matt Mazur's 2-2-2 sigmoid network (tests/published.py): the compiled loss is his
    total error and one step gives his published w5+ (0.35891648)."""
    from nn import MLP, mse_loss
    from published import MAZUR_INPUTS, MAZUR_STATE, MAZUR_TARGETS
    model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid")
    model.load_state_dict(MAZUR_STATE)
    compiled = compile_graph(mse_loss(model(MAZUR_INPUTS), MAZUR_TARGETS), model.parameters())
    assert compiled.run() == pytest.approx(0.298371109, abs=1e-8)
    w5 = model.state_dict()["layers.1.weight"][0][0]
    w5_grad = model.parameters()[model.parameters().index(model.layers[1].neurons[0].w[0])].grad
    assert w5 - 0.5 * w5_grad == pytest.approx(0.35891648, abs=1e-8)


def test_constants_keep_their_sign_of_zero():
    x = Value(3.0)
    for zero in (0.0, -0.0, 0.0):  # a constant leaf, written into the code as a literal
        root = x * Value(zero)
        eager = bits(root.data)
        assert bits(compile_graph(root, [x]).forward()) == eager


# -- the fast path: a run replays eagerly only for an error, a NaN or an infinity ----------

def finite_without_error(program: TableProgram, point: list[float]) -> bool:
    """Whether eager builds the program at `point` and backpropagates without an error, to
    a finite value and finite gradients."""
    leaves = [Value(x) for x in point]
    try:
        root = program.build(leaves)
        root.backward()
    except ValueError:
        return False
    return all(map(math.isfinite, [root.data, *(leaf.grad for leaf in leaves)]))


@settings(PROPERTY)
@given(table_programs(), st.lists(ANY_INPUT, min_size=3, max_size=3))
def test_finite_error_free_runs_never_take_the_slow_path(program, moved):
    compiled, leaves = captured(program)
    points = [at for at in (program.inputs, moved[:len(leaves)], program.inputs)
              if finite_without_error(program, at)]
    assume(points)
    for at in points:
        assert_same(compiled_outcome(compiled, leaves, at), eager_outcome(program, at))
    assert compiled.replays == 0


def test_a_numpy_scalar_in_a_constant_leaf_is_written_as_a_float():
    import numpy as np
    x, eager_x, constant = Value(0.5), Value(0.5), Value(1.0)
    constant.data = np.float64(0.3)  # as an update computed with numpy leaves it
    compiled = compile_graph((x * constant).tanh(), [x])
    eager = (eager_x * constant).tanh()
    eager.backward()
    assert bits(compiled.run()) == bits(eager.data) and bits(x.grad) == bits(eager_x.grad)
    assert compiled.replays == 0 and "np." not in compiled.source


def test_finite_values_whose_sum_overflows_stay_on_the_fast_path():
    x, y = Value(1e308), Value(1e308)
    compiled = compile_graph(x * 1.5 - y, [x, y])  # every value finite, their sum not
    assert compiled.run() == 1e308 * 1.5 - 1e308
    assert (x.grad, y.grad, compiled.replays) == (1.5, -1.0, 0)
