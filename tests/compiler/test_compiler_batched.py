"""compile_batched: one sample's graph run over many rows in one call gives, per row,
eager's values to the last bit, and, per input, the running sum of the rows' gradient
terms that eager's backward of a loss over all the rows adds; where eager fails, it
declines (None) and leaves eager's error to a replay."""
from __future__ import annotations

import pickle
import struct
from functools import reduce
from operator import add

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from autograd_mini import NonFiniteGradientError, Value, primitive, topological_order
from autograd_mini.compiler import BatchedGraph, compile_batched
from strategies import ANY_INPUT, TableProgram, table_programs

PROPERTY = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def bits(x: float) -> object:
    return "nan" if x != x else struct.pack("<d", x)


def captured(program: TableProgram) -> tuple[BatchedGraph, list[Value], list[int]]:
    """The program built at its inputs, its first leaf a placeholder (the row's number)
    and the others inputs, compiled batched, with the index among those inputs of each of
    `.inputs` (the order of its gradients); skipped when eager refuses it."""
    leaves = [Value(x, allow_nonfinite=True) for x in program.inputs]
    try:
        root = program.build(leaves)
    except ValueError:
        assume(False)
    batched = compile_batched([root], leaves[1:], leaves[:1])
    order = [next(k for k, leaf in enumerate(leaves[1:]) if leaf is p) for p in batched.inputs]
    assert sorted(order) == list(range(len(leaves) - 1))
    return batched, leaves, order


class Eager:
    """Each row's graph built eagerly on the inputs' numbers (shared leaves), then the
    backward of sum(output_row * seed_row): the values, the rows in the order eager's
    backward meets them, each output's gradient (the batched seeds) and the inputs'."""

    def __init__(self, program: TableProgram, inputs: list[float], rows: list[float],
                 seeds: list[float], start: list[float] | None = None) -> None:
        self.params = [Value(x, allow_nonfinite=True) for x in inputs]
        for p, g in zip(self.params, start or []):
            p.grad = g
        self.build_error: Exception | None = None
        self.backward_error: Exception | None = None
        try:
            self.outputs = [program.build([Value(x, allow_nonfinite=True), *self.params])
                            for x in rows]
        except Exception as error:  # noqa: BLE001 - the batched graph must decline
            self.build_error = error
            return
        try:
            loss = reduce(add, [o * s for o, s in zip(self.outputs, seeds)])
        except ValueError:  # the reference's own sum overflows: nothing to compare
            assume(False)
        met = {o: None for o in topological_order(loss) if o in set(self.outputs)}
        self.order = [self.outputs.index(o) for o in reversed(met)]
        try:
            loss.backward()
        except Exception as error:  # noqa: BLE001
            self.backward_error = error


@settings(PROPERTY)
@given(table_programs(), st.lists(ANY_INPUT, min_size=1, max_size=4),
       st.lists(st.sampled_from([1.0, -0.5, 3.0, 1e-3]), min_size=4, max_size=4))
def test_random_graphs_give_eagers_values_and_running_sums_per_row(program, rows, seeds):
    batched, leaves, order = captured(program)
    inputs = program.inputs[1:]
    eager = Eager(program, inputs, rows, seeds)
    for leaf, x in zip(leaves[1:], inputs):
        leaf.data = x
    done = batched.forward([[x] for x in rows])
    if eager.build_error is not None:
        assert done is None
        return
    if done is None:  # declined: some value is not finite (or the check's sum overflowed)
        return
    assert [bits(o[0]) for o in done.outputs] == [bits(o.data) for o in eager.outputs]
    found = batched.gradients(done, [[o.grad] for o in eager.outputs], eager.order,
                              [0.0] * len(inputs))
    error = eager.backward_error
    if error is None:
        assert found is not None
        assert [bits(g) for g in found] == [bits(eager.params[k].grad) for k in order]
    elif found is not None:  # only a placeholder's gradient failed, which no one wants
        assert isinstance(error, NonFiniteGradientError)
        assert error.node not in eager.params


@settings(PROPERTY)
@given(table_programs(), st.lists(st.floats(-3, 3), min_size=2, max_size=4))
def test_sums_begin_where_eagers_do_a_negative_zero_included(program, rows):
    batched, leaves, order = captured(program)
    inputs = program.inputs[1:]
    start = [-0.0] * len(inputs)  # eager adds into zeros in place: -0.0 + -0.0 is -0.0
    eager = Eager(program, inputs, rows, [1.0] * len(rows), start)
    assume(eager.build_error is None and eager.backward_error is None)
    for leaf, x in zip(leaves[1:], inputs):
        leaf.data = x
    done = batched.forward([[x] for x in rows])
    assume(done is not None)
    found = batched.gradients(done, [[o.grad] for o in eager.outputs], eager.order, start)
    if found is None:  # declined: only when some sum stayed zero, whose sign eager decides
        assert any(p.grad == 0.0 for p in eager.params)
    else:
        assert [bits(g) for g in found] == [bits(eager.params[k].grad) for k in order]


def two_layer_model():
    w = [Value(0.3), Value(-0.7), Value(0.2)]
    x = [Value(0.0), Value(0.0)]
    hidden = (w[0] * x[0] + w[1] * x[1]).tanh()
    return w, x, [hidden * w[2], (hidden + x[0]).relu()]


def test_a_row_not_in_the_order_adds_nothing_and_inputs_not_in_the_graph_keep_their_start():
    w, x, outputs = two_layer_model()
    spare = Value(5.0)
    batched = compile_batched(outputs, [*w, spare], x)
    done = batched.forward([[1.0, 2.0], [0.5, -1.0]])
    assert done is not None
    only_second = batched.gradients(done, [None, [1.0, 1.0]], [1], [0.0, 0.0, 0.0, 7.0])
    one = compile_batched(outputs, [*w, spare], x)
    alone = one.gradients(one.forward([[0.5, -1.0]]), [[1.0, 1.0]], [0], [0.0, 0.0, 0.0, 7.0])
    assert batched.inputs[3] is spare  # outside the graph: last, keeping its start
    assert only_second == alone and only_second[3] == 7.0


def test_outputs_come_per_row_in_the_order_given_and_values_are_eagers():
    w, x, outputs = two_layer_model()
    batched = compile_batched(outputs[::-1], w, x)
    done = batched.forward([[1.0, 2.0], [0.5, -1.0], [0.0, 0.0]])
    expected = []
    for row in ([1.0, 2.0], [0.5, -1.0], [0.0, 0.0]):
        hidden = (w[0] * row[0] + w[1] * row[1]).tanh()
        expected.append(((hidden + row[0]).relu().data, (hidden * w[2]).data))
    assert done is not None and done.outputs == expected


def test_a_failing_op_or_a_non_finite_value_declines():
    a, x = Value(1.0), Value(1.0)
    batched = compile_batched([(a * x).log()], [a], [x])
    assert batched.forward([[2.0], [-1.0]]) is None    # log of a negative number
    assert batched.forward([[2.0], [0.0]]) is None     # log(0) = -inf
    a.data = 1e308
    assert batched.forward([[10.0]]) is None           # a product that overflows
    a.data = 1.0
    assert batched.forward([[2.0]]) is not None


def test_a_non_finite_gradient_declines():
    a, x = Value(1.0), Value(1.0)
    batched = compile_batched([(a * x).sqrt()], [a], [x])
    done = batched.forward([[0.0]])  # sqrt(0) is 0, its slope infinite
    assert done is None or batched.gradients(done, [[1.0]], [0], [0.0]) is None


@primitive(slope=lambda x, out: 2.0 * x)
def square(x: float) -> float:
    return x * x


def test_a_primitive_of_your_own_runs_batched_as_the_built_ins_do():
    a, x = Value(0.5), Value(0.0)
    batched = compile_batched([square(a * x) + a], [a], [x])
    done = batched.forward([[2.0], [3.0]])
    assert done is not None and done.outputs == [(1.5,), (2.75,)]
    grads = batched.gradients(done, [[1.0], [1.0]], [1, 0], [0.0])
    # d/da (a x)^2 + a = 2 a x^2 + 1: 10.0 at x = 3, then 5.0 at x = 2
    assert grads == [((0.0 + 2.0 * 1.5 * 3.0) + 1.0) + (2.0 * 1.0 * 2.0) + 1.0]


def test_the_source_is_a_loop_over_the_rows_and_the_object_refuses_pickling():
    w, x, outputs = two_layer_model()
    batched = compile_batched(outputs, w, x)
    assert "for (v" in batched.source and "def backward_batch" in batched.source
    assert "2 placeholders" in repr(batched)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(batched)


def test_bad_arguments_are_named():
    w, x, outputs = two_layer_model()
    with pytest.raises(ValueError, match="placeholders.*result of an op"):
        compile_batched(outputs, w, [outputs[0]])
    with pytest.raises(TypeError, match="inputs"):
        compile_batched(outputs, 3, x)
