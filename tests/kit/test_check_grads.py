"""check_grads, check_params and gradcheck: they pass right derivatives and catch wrong ones."""
from __future__ import annotations

import math

import pytest

from autograd_mini import Value, gradcheck, primitive
from autograd_mini.testing import GradcheckError, check_grads, check_params
from nn import MLP
from primitive_examples import hypot, logistic, my_erf, times


@primitive(slope=lambda x, out: out * (1.0 + out))  # the sign inside is wrong
def wrong_first(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# right at first order, wrong at second: over Values the slope is a constant with the
# right number, whose own derivative is 0 instead of e^x
@primitive(slope=lambda x, out: math.exp(x) if isinstance(x, float) else Value(out.data))
def wrong_second(x: float) -> float:
    return math.exp(x)


@pytest.mark.parametrize("f, args", [
    (lambda x, y: (x * y).tanh() + x.exp(), [0.3, 1.2]),
    (lambda x, y: [x * y, (x / y).sin(), y], [0.3, 1.2]),   # several outputs
    (lambda x: (x * x + 1.0).log(), 0.7),                    # one number
    (logistic, [0.3]), (lambda x, y: hypot(x, times(x, y)), [0.4, -1.1]), (my_erf, [0.2]),
])
def test_right_derivatives_pass_to_third_order(f, args) -> None:
    assert check_grads(f, args, order=3) is None


def test_a_wrong_slope_fails_in_both_modes_with_a_table() -> None:
    with pytest.raises(GradcheckError) as caught:
        check_grads(wrong_first, [0.3], order=1)
    text = str(caught.value)
    assert text.startswith("check_grads: 2 of 2 derivatives of wrong_first disagree")
    assert "rev " in text and "fwd " in text and text.count("FAIL") == 2
    assert "analytic" in text and "numeric" in text and "direction" in text


def test_a_slope_wrong_only_as_a_function_is_caught_at_second_order() -> None:
    check_grads(wrong_second, [0.3], order=1)  # the float slope is right
    with pytest.raises(GradcheckError, match="of rev"):
        check_grads(wrong_second, [0.3], order=2, modes=("rev",))


def test_an_error_is_an_assertion_error_so_pytest_and_hypothesis_show_it() -> None:
    assert issubclass(GradcheckError, AssertionError)


def test_the_step_adapts_to_the_inputs_scale() -> None:
    # at 1e4 a fixed step of 1e-5 would lose the difference of x ** 3 to rounding
    check_grads(lambda x: x * x * x * 1e-12, [1e4], order=2)


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="order must be an int >= 1"):
        check_grads(logistic, [0.3], order=0)
    with pytest.raises(ValueError, match="modes must be among"):
        check_grads(logistic, [0.3], modes=("backward",))
    with pytest.raises(TypeError, match="args must be a number or a sequence"):
        check_grads(logistic, {0.3})


def test_a_step_outside_the_domain_says_to_move_or_lower_eps() -> None:
    with pytest.raises(ValueError, match="Move the point away from the domain's edge"):
        check_grads(lambda x: x.log(), [1e-9], order=1)


def _model_and_loss():
    model = MLP(2, [4, 1], seed=0)
    X, y = [[0.1, 0.2], [0.5, -0.3], [-0.7, 0.9]], [1.0, -1.0, 0.5]

    def loss() -> Value:
        return sum(((model(x) - t) ** 2 for x, t in zip(X, y)), Value(0.0))

    return model, loss


def test_check_params_passes_a_model_and_leaves_data_and_grads_as_they_were() -> None:
    model, loss = _model_and_loss()
    params = model.parameters()
    params[0].grad, params[1].grad = 0.25, None
    before = [(p.data, p.grad) for p in params]
    assert check_params(loss, params) is None
    assert [(p.data, p.grad) for p in params] == before


def test_check_params_finds_a_wrong_gradient_and_names_the_parameter() -> None:
    model, loss = _model_and_loss()
    params = model.parameters()

    def half_seen() -> Value:  # backprop sees w * c, the differences see w * w
        return loss() + params[0] * params[0].data

    with pytest.raises(GradcheckError, match=r"check_params: 1 of 17 parameter gradients") \
            as caught:
        check_params(half_seen, params)
    assert params[0].label in str(caught.value)


def test_check_params_refuses_what_is_not_a_value() -> None:
    with pytest.raises(TypeError, match=r"params\[0\] is float"):
        check_params(lambda: Value(1.0), [1.0])
    with pytest.raises(TypeError, match="returned float, not a Value"):
        check_params(lambda: 1.0, [Value(1.0)])


def test_gradcheck_takes_a_single_number() -> None:
    assert gradcheck(lambda x: x.tanh() * x, 0.3)
    with pytest.raises(TypeError, match="a number or a sequence of numbers"):
        gradcheck(lambda x: x, {0.3})
