"""Optimizers: SGD, Adam, Rprop and ConjugateGradient, with PyTorch's names and defaults.

Each reads `.grad` and assigns `.data` of the parameters it was given. A learning
rate may be a number or a schedule: a callable taking the step count (0, 1, 2, ...)
and returning the rate for that step, e.g. `lr=lambda step: 1.0 - 0.9 * step / 100`.
"""
from __future__ import annotations

import math
from typing import Callable, Iterable, Union

from autograd_mini import Value

LearningRate = Union[float, Callable[[int], float]]
Closure = Callable[[], Union[Value, float]]


class Optimizer:
    """Base class: holds the parameters, counts steps and zeroes gradients."""

    def __init__(self, params: Iterable[Value], lr: LearningRate) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list; "
                             f"pass model.parameters()")
        for p in self.params:
            if not isinstance(p, Value):
                raise TypeError(f"{type(self).__name__} optimizes Values, got "
                                f"{type(p).__name__}; pass model.parameters()")
        if not callable(lr):
            _check_non_negative(lr, "lr")
        self.lr = lr
        self.steps = 0  # completed steps: the argument given to a learning-rate schedule

    def current_lr(self) -> float:
        """The learning rate for the coming step (the schedule's value if lr is callable)."""
        return float(self.lr(self.steps)) if callable(self.lr) else self.lr

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 (gradients accumulate across backward calls)."""
        for p in self.params:
            p.grad = 0.0

    def step(self, closure: Closure | None = None) -> Value | float | None:
        """Update the parameters from their gradients; `closure`, if given, is called first
        to recompute the loss and gradients, and its loss is returned."""
        loss = closure() if closure is not None else None
        self._update(self.current_lr())
        self.steps += 1
        return loss

    def _update(self, lr: float) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay,
    exactly PyTorch's update rule."""

    def __init__(self, params: Iterable[Value], lr: LearningRate = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0,
                 nesterov: bool = False) -> None:
        super().__init__(params, lr)
        for value, name in ((momentum, "momentum"), (weight_decay, "weight_decay")):
            _check_non_negative(value, name)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and dampening = 0")
        self.momentum, self.dampening = momentum, dampening
        self.weight_decay, self.nesterov = weight_decay, nesterov
        self.velocity: list[float] | None = None

    def _update(self, lr: float) -> None:
        momentum, decay = self.momentum, self.weight_decay
        if not momentum:
            for p in self.params:
                p.data -= lr * (p.grad + decay * p.data)
            return
        # PyTorch: v = g on the first step, then v = momentum v + (1 - dampening) g;
        # the step is g + momentum v with Nesterov, else v.
        first = self.velocity is None
        velocity = self.velocity or [0.0] * len(self.params)
        for i, p in enumerate(self.params):
            g = p.grad + decay * p.data
            v = g if first else momentum * velocity[i] + (1.0 - self.dampening) * g
            velocity[i] = v
            p.data -= lr * (g + momentum * v if self.nesterov else v)
        self.velocity = velocity


class Adam(Optimizer):
    """Adam with bias correction; weight_decay adds an L2 gradient, or with
    decoupled_weight_decay=True shrinks the weights directly (AdamW)."""

    def __init__(self, params: Iterable[Value], lr: LearningRate = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, decoupled_weight_decay: bool = False) -> None:
        super().__init__(params, lr)
        beta1, beta2 = betas
        for beta in betas:
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Adam: each beta must be in [0, 1), got {betas!r}")
        _check_non_negative(weight_decay, "weight_decay")
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.weight_decay, self.decoupled = weight_decay, decoupled_weight_decay
        self.first_moment = [0.0] * len(self.params)
        self.second_moment = [0.0] * len(self.params)

    def _update(self, lr: float) -> None:
        beta1, beta2, eps, decay = self.beta1, self.beta2, self.eps, self.weight_decay
        t = self.steps + 1
        correction1 = 1.0 - beta1 ** t
        root_correction2 = math.sqrt(1.0 - beta2 ** t)
        m, v = self.first_moment, self.second_moment
        for i, p in enumerate(self.params):
            g = p.grad
            if self.decoupled:
                p.data *= 1.0 - lr * decay
            else:
                g += decay * p.data
            m[i] = beta1 * m[i] + (1.0 - beta1) * g
            v[i] = beta2 * v[i] + (1.0 - beta2) * g * g
            # m_hat / (sqrt(v_hat) + eps), in PyTorch's order of operations
            p.data -= (lr / correction1) * m[i] / (math.sqrt(v[i]) / root_correction2 + eps)


class Rprop(Optimizer):
    """Resilient backpropagation (iRprop-): each weight moves by its own step size, grown
    while its gradient keeps its sign and shrunk (with the move skipped) when it flips."""

    def __init__(self, params: Iterable[Value], lr: LearningRate = 1e-2,
                 etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50.0)) -> None:
        super().__init__(params, lr)
        eta_minus, eta_plus = etas
        if not 0.0 < eta_minus < 1.0 < eta_plus:
            raise ValueError(f"Rprop: etas must satisfy 0 < etaminus < 1 < etaplus, got {etas!r}")
        self.eta_minus, self.eta_plus = eta_minus, eta_plus
        self.min_step, self.max_step = step_sizes
        self.step_size: list[float] | None = None
        self.previous = [0.0] * len(self.params)

    def _update(self, lr: float) -> None:
        if self.step_size is None:  # the initial step size is the learning rate
            self.step_size = [lr] * len(self.params)
        sizes, previous = self.step_size, self.previous
        for i, p in enumerate(self.params):
            g = p.grad
            agreement = g * previous[i]
            if agreement > 0:
                size = sizes[i] * self.eta_plus
            elif agreement < 0:
                size = sizes[i] * self.eta_minus
                g = 0.0  # iRprop-: no move now, and no sign comparison next step
            else:
                size = sizes[i]
            sizes[i] = min(max(size, self.min_step), self.max_step)
            if g > 0:
                p.data -= sizes[i]
            elif g < 0:
                p.data += sizes[i]
            previous[i] = g


class ConjugateGradient(Optimizer):
    """Full-batch nonlinear conjugate gradient (Polak-Ribiere+, restarting on non-descent)
    with a strong Wolfe line search. `step(closure)` needs a closure that zeroes the
    gradients, recomputes the loss, calls backward() and returns the loss, as PyTorch's LBFGS."""

    def __init__(self, params: Iterable[Value], lr: LearningRate = 1.0, max_eval: int = 20,
                 tolerance_grad: float = 1e-7) -> None:
        super().__init__(params, lr)
        self.max_eval, self.tolerance_grad = max_eval, tolerance_grad
        self.direction: list[float] | None = None
        self.previous_grad: list[float] = []
        self.previous_alpha = 0.0
        self.previous_slope = 0.0

    def step(self, closure: Closure | None = None) -> Value | float:
        """One conjugate-gradient iteration; returns the loss before it."""
        if closure is None:
            raise TypeError("ConjugateGradient.step needs a closure: a function that zeroes "
                            "the gradients, computes the loss, calls backward() and returns it")
        loss = closure()
        grad = [p.grad for p in self.params]
        if max(map(abs, grad)) <= self.tolerance_grad:
            return loss  # converged: a stationary point
        direction, slope = self._direction(grad)
        if self.direction is None:  # first step: as LBFGS, at most lr in the L1 norm
            alpha = self.current_lr() * min(1.0, 1.0 / sum(map(abs, grad)))
        else:  # same first-order change as the last step (Nocedal & Wright, eq. 3.60)
            alpha = self.previous_alpha * self.previous_slope / slope
        alpha = self._line_search(closure, _number(loss), direction, slope, alpha)
        self.direction = direction if alpha else None  # a failed search restarts
        self.previous_grad, self.previous_alpha, self.previous_slope = grad, alpha, slope
        self.steps += 1
        return loss

    def _direction(self, grad: list[float]) -> tuple[list[float], float]:
        if self.direction is not None:
            # Polak-Ribiere, clipped at 0 (PR+): beta = g.(g - g_prev) / |g_prev|^2
            change = sum(g * (g - h) for g, h in zip(grad, self.previous_grad))
            beta = max(0.0, change / sum(h * h for h in self.previous_grad))
            direction = [beta * d - g for g, d in zip(grad, self.direction)]
            slope = sum(g * d for g, d in zip(grad, direction))
            if slope < 0:
                return direction, slope
        # steepest descent: the first step, and a restart when d is not downhill
        return [-g for g in grad], -sum(g * g for g in grad)

    def _line_search(self, closure: Closure, start_loss: float, direction: list[float],
                     slope: float, alpha: float) -> float:
        """A step length meeting the strong Wolfe conditions (Nocedal & Wright, Algorithms
        3.5 and 3.6): bracket the minimum along `direction`, then shrink the bracket.
        Leaves the parameters at the step taken; returns 0.0 (and restores them) if no
        trial point lowered the loss enough."""
        start = [p.data for p in self.params]
        low = (0.0, start_loss, slope)  # best point so far with sufficient decrease
        high = None                     # the other end of the bracket, once found
        try:
            for _ in range(self.max_eval):
                loss, trial_slope = self._evaluate(closure, start, direction, alpha)
                trial = (alpha, loss, trial_slope)
                if not (loss <= start_loss + SUFFICIENT_DECREASE * alpha * slope
                        and loss < low[1]):
                    high = trial
                elif abs(trial_slope) <= -CURVATURE * slope:
                    return alpha
                else:
                    previous = low
                    if trial_slope >= 0:  # walked past the minimum: it lies behind
                        high = low
                    low = trial
                    if high is None:
                        alpha = _extrapolate(previous, low)
                        continue
                alpha = _interpolate(low, high)
        except BaseException:  # Ctrl-C mid-search: leave the model where the step began
            self._move(start, direction, 0.0)
            raise
        self._move(start, direction, low[0])
        return low[0]

    def _evaluate(self, closure: Closure, start: list[float], direction: list[float],
                  alpha: float) -> tuple[float, float]:
        """Loss and directional derivative at start + alpha * direction."""
        self._move(start, direction, alpha)
        try:
            loss = _number(closure())
        except ValueError:  # e.g. exp overflowed this far out: treat as too far
            return math.inf, math.nan
        return loss, sum(p.grad * d for p, d in zip(self.params, direction))

    def _move(self, start: list[float], direction: list[float], alpha: float) -> None:
        for p, x, d in zip(self.params, start, direction):
            p.data = x + alpha * d


# Line-search constants as Nocedal & Wright recommend for nonlinear conjugate gradient:
# Armijo's sufficient decrease, and the strong Wolfe curvature bound |f'(alpha)| <= 0.1 |f'(0)|.
SUFFICIENT_DECREASE = 1e-4
CURVATURE = 0.1


def _extrapolate(previous: tuple, current: tuple) -> float:
    """A longer step: where the slope, linear through the two points, reaches 0."""
    (a0, _, s0), (a1, _, s1) = previous, current
    guess = a1 - s1 * (a1 - a0) / (s1 - s0) if s1 > s0 else 4.0 * a1
    return min(max(guess, 1.1 * a1), 10.0 * a1)


def _interpolate(low: tuple, high: tuple) -> float:
    """A step inside the bracket: the secant zero of the slope (exact for a quadratic), else
    the parabola's minimum, else the midpoint; kept 10% away from either end."""
    (a, fa, sa), (b, fb, sb) = low, high
    if math.isfinite(sb) and sb != sa:
        guess = a - sa * (b - a) / (sb - sa)
    elif math.isfinite(fb) and fb - fa - sa * (b - a) > 0:
        guess = a - sa * (b - a) ** 2 / (2.0 * (fb - fa - sa * (b - a)))
    else:
        guess = 0.5 * (a + b)
    margin = 0.1 * abs(b - a)
    inside = min(max(guess, min(a, b) + margin), max(a, b) - margin)
    return inside if math.isfinite(inside) else 0.5 * (a + b)


def _number(loss: Value | float) -> float:
    return loss.data if isinstance(loss, Value) else float(loss)


def _check_non_negative(value: float, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ValueError(f"{name} must be a number >= 0, got {value!r}")
