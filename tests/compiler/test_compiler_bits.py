"""Bit for bit with eager where the order of additions and the sign of zero decide: several
outputs, one of them below another, each seeded; .grads of -0.0 before a pass.

With several outputs, backward(seeds) adds what eager backward adds for a loss that reads
the outputs in turn, each through a node of its own: (o1 * s1 + o2 * s2 + ...).backward().
"""
from __future__ import annotations

import struct

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from autograd_mini import Value, compile_graph
from autograd_mini.compiler.compiled import CompiledGraph
from strategies import TableProgram, table_programs

PROPERTY = settings(max_examples=400, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
SEEDS = st.sampled_from([1.0, -1.0, 0.0, -0.0, 0.1, -2.5, 3.0, 1e-300, 7e-17])
GRADS = st.sampled_from([0.0, 0.0, -0.0, -0.0, 1.5, -1e-300])


def bits(x: float) -> object:
    return "nan" if x != x else struct.pack("<d", x)


def nodes_of(program: TableProgram, leaves: list[Value]) -> list[Value]:
    """Every node of the program: the leaves, then each step's result."""
    nodes = list(leaves)
    for step in program.steps:
        nodes.append(program.apply(step, nodes))
    return nodes


def seeded_loss(outputs: list[Value], seeds: list[float]) -> Value:
    """o1 * s1 + o2 * s2 + ...: a loss reading the outputs in turn."""
    loss = outputs[0] * seeds[0]
    for output, seed in zip(outputs[1:], seeds[1:]):
        loss = loss + output * seed
    return loss


def eager_grads(program: TableProgram, picks: list[int], seeds: list[float],
                grads: list[float]) -> list | tuple | None:
    """The leaves' .grad after eager backward of the seeded loss, as bits (the error's
    type and message if it raises; None when the loss itself cannot be built)."""
    leaves = [Value(x) for x in program.inputs]
    nodes = nodes_of(program, leaves)
    for leaf, grad in zip(leaves, grads):
        leaf.grad = grad
    try:
        loss = seeded_loss([nodes[k] for k in picks], seeds)
    except ValueError:
        return None  # an output times its seed overflows: no eager loss to compare with
    try:
        loss.backward()
    except ValueError as error:
        return type(error), str(error)
    return [bits(leaf.grad) for leaf in leaves]


def compiled_grads(program: TableProgram, picks: list[int], seeds: list[float],
                   grads: list[float], chunk_size: int) -> list | tuple:
    leaves = [Value(x) for x in program.inputs]
    nodes = nodes_of(program, leaves)
    compiled = CompiledGraph([nodes[k] for k in picks], leaves, [], single=False,
                             chunk_size=chunk_size)
    for leaf, grad in zip(leaves, grads):
        leaf.grad = grad
    try:
        compiled.run(seeds)
    except ValueError as error:
        return type(error), str(error)
    return [bits(leaf.grad) for leaf in leaves]


@st.composite
def seeded_outputs(draw) -> tuple[TableProgram, list[int], list[float], list[float]]:
    """A program that eager builds, outputs picked among its nodes (any, repeated, one
    below another), a seed for each and the inputs' .grad before the pass."""
    program = draw(table_programs())
    try:
        nodes_of(program, [Value(x) for x in program.inputs])
    except ValueError:
        assume(False)
    count = len(program.inputs) + len(program.steps)
    picks = draw(st.lists(st.integers(0, count - 1), min_size=1, max_size=4))
    seeds = draw(st.lists(SEEDS, min_size=len(picks), max_size=len(picks)))
    grads = draw(st.lists(GRADS, min_size=len(program.inputs), max_size=len(program.inputs)))
    return program, picks, seeds, grads


@PROPERTY
@given(seeded_outputs(), st.sampled_from([1, 2, 3, 6000]))
def test_several_seeded_outputs_give_eagers_bits(case, chunk_size):
    expected = eager_grads(*case)
    assume(expected is not None)
    assert compiled_grads(*case, chunk_size) == expected  # in chunks of every size


def test_an_outputs_seed_is_added_after_the_terms_of_the_outputs_below_it():
    x = Value(1.0)
    first = x * 3.0
    outputs = [first, first * 0.1, first * 0.7]  # first is below the other two
    seeds = [0.9, 1.7, -2.4]  # added in another order, the last bit differs
    compile_graph(outputs, [x]).run(seeds)
    eager_x = Value(1.0)
    eager_first = eager_x * 3.0
    seeded_loss([eager_first, eager_first * 0.1, eager_first * 0.7], seeds).backward()
    assert bits(x.grad) == bits(eager_x.grad)


def test_a_grad_of_minus_zero_keeps_its_sign_as_eager_does():
    x, eager_x = Value(2.0), Value(2.0)
    compiled = compile_graph(x * -1.0, [x])
    x.grad = eager_x.grad = -0.0
    compiled.run(0.0)  # adds -1.0 * 0.0, a -0.0
    (eager_x * -1.0).backward(0.0)
    assert bits(x.grad) == bits(eager_x.grad) == bits(-0.0)


def test_an_input_that_is_the_root_gets_the_seed_as_eager_sets_it():
    x, eager_x = Value(2.0), Value(2.0)
    compiled = compile_graph(x, [x])
    compiled.run(-0.0)
    eager_x.backward(-0.0)  # root.grad = seed, when no .grad was set aside
    assert bits(x.grad) == bits(eager_x.grad) == bits(-0.0)


def test_maximum_minimum_and_clamp_at_their_ties_and_bounds_give_eagers_bits():
    # inputs changed to sit on a tie, on a bound, and either side of them
    from autograd_mini import clamp, maximum, minimum
    a, b, c = Value(1.0), Value(1.0), Value(0.0)
    root = maximum(a, b) * minimum(2.0, c) + clamp(c * a, 0.0, 1.0) + maximum(b, 1.0)
    compiled = compile_graph(root, [a, b, c])
    for values in [(1.0, 1.0, 0.0), (2.0, 1.0, 1.0), (0.5, 3.0, 2.0), (-1.0, -1.0, -0.5)]:
        for leaf, value in zip((a, b, c), values):
            leaf.data, leaf.grad = value, 0.0
        got = compiled.run()
        grads = [leaf.grad for leaf in (a, b, c)]
        for leaf in (a, b, c):
            leaf.grad = 0.0
        eager = maximum(a, b) * minimum(2.0, c) + clamp(c * a, 0.0, 1.0) + maximum(b, 1.0)
        eager.backward()
        assert got == eager.data and grads == [leaf.grad for leaf in (a, b, c)], values
