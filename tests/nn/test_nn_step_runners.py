"""fit's two ways of computing a step, eager and compiled, are peers behind one small
protocol, chosen by one function; comparing them is a pure function that fit calls."""
from __future__ import annotations

import ast
import inspect

import pytest

import nn._capture
import nn._compiled
import nn._per_sample
from autograd_mini import Value
from nn import MLP
from nn._compiled import CompiledSteps, EagerSteps, StepRunner, step_difference, step_runner
from nn.modules import declares_static_graph

X = [[0.0, 1.0], [1.0, 0.0]]


def test_eager_and_compiled_steps_are_peers_implementing_one_protocol():
    assert not issubclass(CompiledSteps, EagerSteps) and not issubclass(EagerSteps, CompiledSteps)
    assert isinstance(EagerSteps(), StepRunner) and isinstance(CompiledSteps(), StepRunner)


@pytest.mark.parametrize("model, data, compile, chosen, check_every", [
    (MLP(2, [1], seed=0), X, None, CompiledSteps, 0),
    (MLP(2, [1], seed=0), X, False, EagerSteps, 0),
    (MLP(2, [1], seed=0), X, 5, CompiledSteps, 5),
    (MLP(2, [1], seed=0), [[Value(0.0), 1.0]], True, EagerSteps, 0),  # Values among the data
    (lambda x: x[0], X, None, EagerSteps, 0),
    (lambda x: x[0], X, True, CompiledSteps, 0),
])
def test_one_function_chooses_the_runner_for_fits_compile_argument(model, data, compile, chosen,
                                                                   check_every):
    if compile is None:  # fit's default: what the model's class declares
        compile = declares_static_graph(model)
    runner = step_runner(model, data, compile)
    assert (type(runner), runner.check_every) == (chosen, check_every)


def test_the_compiled_runner_knows_nothing_of_training():
    """The step runners import nothing of nn but their own modules (and the bulk reads and
    writes of .data and .grad)."""
    own = {"nn._bulk", "nn._capture", "nn._per_sample"}
    for module in (nn._compiled, nn._capture, nn._per_sample):
        tree = ast.parse(inspect.getsource(module))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                     for alias in node.names}
        assert sorted(name for name in imported if name.startswith("nn")) == sorted(
            own.intersection(imported)), module.__name__


def test_steps_that_agree_have_no_difference():
    params = [Value(1.0, label="w")]
    step = ([0.5, [0.25, 0.75]], 0.125, [2.0])
    assert step_difference(step, step, params) is None


def test_a_difference_names_what_differs_and_why():
    params = [Value(1.0, label="w")]
    compiled, eager = ([0.5], 0.125, [2.0]), ([0.5], 0.125, [3.0])
    difference = step_difference(compiled, eager, params)
    assert difference.startswith("the gradient of w is 2.0 compiled but 3.0 eagerly: the "
                                 "model's graph depends on the data")
