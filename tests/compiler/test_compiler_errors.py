"""A compiled graph raises eager's errors, word for word: domain errors and overflows in
the forward pass, NaN or infinite gradients in the backward pass, bad arguments."""
from __future__ import annotations

import math

import pytest

from autograd_mini import DomainError, Value, compile_graph, no_grad


def eager_error(build, *data: float) -> str:
    """The message eager evaluation (build and backward) raises at `data`."""
    leaves = [Value(x) for x in data]
    with pytest.raises(ValueError) as caught:
        build(*leaves).backward()
    return str(caught.value)


def compiled_error(build, captured_at: tuple, data: tuple) -> str:
    leaves = [Value(x) for x in captured_at]
    compiled = compile_graph(build(*leaves), leaves)
    for leaf, x in zip(leaves, data):
        leaf.data = x
    with pytest.raises(ValueError) as caught:
        compiled.run()
    return str(caught.value)


@pytest.mark.parametrize("build, fine, bad", [
    (lambda x: x.log(), (1.0,), (-1.0,)),
    (lambda x: x.sqrt() + 1, (4.0,), (-4.0,)),
    (lambda x: x.log1p(), (1.0,), (-1.0,)),
    (lambda x: 1.0 / x, (2.0,), (0.0,)),
    (lambda x, y: x / y, (1.0, 2.0), (1.0, 0.0)),
    (lambda x: x ** -1.0, (2.0,), (0.0,)),
    (lambda x: x ** 0.5, (4.0,), (-8.0,)),  # Python's ** would give a complex number
    (lambda x, y: x ** y, (2.0, 0.5), (-8.0, 2.0)),
    (lambda x: x.exp(), (1.0,), (1000.0,)),
    (lambda x: x.cosh() * 2, (1.0,), (1000.0,)),
    (lambda x, y: x * y, (1.0, 2.0), (1e200, 1e200)),
    (lambda x, y: (x + y).relu(), (1.0, 2.0), (1.7e308, 1.7e308)),
    (lambda x: (x * 1e300).tanh(), (1.0,), (1e10,)),  # tanh(inf) would hide the overflow
    (lambda x: x.leaky_relu(10.0) + 1, (1.0,), (-1e308,)),
], ids=["log", "sqrt", "log1p", "rdiv-zero", "div-zero", "zero-to-negative",
        "negative-to-fraction", "value-power-negative-base", "exp-overflow", "cosh-overflow",
        "mul-overflow", "add-overflow-under-relu", "overflow-hidden-by-tanh",
        "leaky-relu-parameter-overflow"])
def test_forward_errors_are_eagers(build, fine, bad):
    assert compiled_error(build, fine, bad) == eager_error(build, *bad)


@pytest.mark.parametrize("build, fine, bad", [
    (lambda x: x.sqrt(), (4.0,), (0.0,)),                # infinite slope at 0
    (lambda x: (x * 1e300) * 1e10, (1e-20,), (1e-12,)),  # 1e10 * 1e300: the product overflows
    (lambda x: (x * x) ** 0.5, (2.0,), (0.0,)),
    (lambda x, y: x * 1e308 + y * 1e300 + x * 1e308, (1e-300, 1.0), (1e-300, 1e-9)),
], ids=["sqrt-at-zero", "product-overflow", "power-slope", "sum-of-terms"])
def test_non_finite_gradients_raise_eagers_error(build, fine, bad):
    message = compiled_error(build, fine, bad)
    assert message == eager_error(build, *bad)
    assert message.startswith("backward: the gradient")


def test_a_failing_backward_changes_no_gradient():
    x, y = Value(4.0), Value(1.0)
    compiled = compile_graph(x.sqrt() * y, [x, y])
    x.data, x.grad, y.grad = 0.0, 0.5, -0.25
    with pytest.raises(ValueError, match="non-finite at 'sqrt' node"):
        compiled.run()
    assert (x.grad, y.grad) == (0.5, -0.25)


def test_a_gradient_sum_that_overflows_is_refused_like_eager():
    x = Value(1.0, label="x")
    compiled = compile_graph(x * 1e308, [x])
    x.grad = 1e308
    with pytest.raises(ValueError) as caught:
        compiled.run()
    eager_x = Value(1.0, label="x")
    eager_x.grad = 1e308
    with pytest.raises(ValueError) as eager:
        (eager_x * 1e308).backward()
    assert str(caught.value) == str(eager.value)
    assert x.grad == 1e308


def test_allow_nonfinite_gives_the_ieee_gradients():
    x = Value(4.0)
    compiled = compile_graph(x.sqrt(), [x])
    x.data = 0.0
    compiled.run(allow_nonfinite=True)
    assert x.grad == math.inf


def test_non_finite_inputs_run_as_eager_does():
    x, y = Value(1.0, allow_nonfinite=True), Value(2.0)
    compiled = compile_graph((x * y).tanh() + y, [x, y])
    x.data = math.inf
    assert compiled.forward() == math.tanh(math.inf) + 2.0
    with pytest.raises(ValueError, match="non-finite"):
        compiled.backward()


@pytest.mark.parametrize("seed, error", [(math.nan, ValueError), (math.inf, ValueError),
                                         ("1", TypeError)])
def test_bad_seeds_are_refused_as_backward_refuses_them(seed, error):
    x = Value(2.0)
    compiled = compile_graph(x * x, [x])
    with pytest.raises(error) as caught:
        compiled.backward(seed)
    with pytest.raises(error) as eager:
        (x * x).backward(seed)
    assert str(caught.value) == str(eager.value)


def test_inputs_must_be_leaves():
    x = Value(1.0)
    y = x * 2
    with pytest.raises(ValueError, match=r"inputs\[0\] is .* the result of an op, not a leaf"):
        compile_graph(y + 1, [y])


@pytest.mark.parametrize("root, inputs", [(3.0, []), (Value(1.0), [1.0]), (Value(1.0), "x")])
def test_non_values_are_type_errors(root, inputs):
    with pytest.raises(TypeError, match="compile_graph"):
        compile_graph(root, inputs)


def test_a_root_computed_under_no_grad_is_refused_as_backward_refuses_it():
    x = Value(1.0)
    with no_grad():
        y = x * 2
    with pytest.raises(RuntimeError, match="no_grad"):
        compile_graph(y, [x])


def test_a_leaf_cannot_be_both_input_and_placeholder():
    x = Value(1.0)
    with pytest.raises(ValueError, match="both inputs and placeholders"):
        compile_graph(x * 2, [x], placeholders=[x])


def test_seeds_for_several_outputs_must_match_them():
    x = Value(1.0)
    compiled = compile_graph([x * 2, x * 3], [x])
    with pytest.raises(ValueError, match="2 outputs; give a list of 2 seed gradients"):
        compiled.backward(1.0)


def test_of_two_failing_ops_a_run_names_the_first_in_the_graphs_order():
    """What the README promises where two ops of one run fail: the first in backward's
    order, which here is log although y.sqrt() was built first."""
    x, y = Value(1.0, label="x"), Value(1.0, label="y")
    a = y.sqrt()
    b = x.log()
    compiled = compile_graph(b + a, [x, y])
    x.data = y.data = -1.0
    with pytest.raises(DomainError) as caught:
        compiled.forward()
    assert caught.value.op == "log"
