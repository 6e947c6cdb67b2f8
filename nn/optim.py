"""Optimizers: SGD, Adam, Rprop and ConjugateGradient, with PyTorch's names and defaults.

Each reads `.grad` and assigns `.data` of the parameters it was given. A learning
rate may be a number or a schedule: a callable taking the step count (0, 1, 2, ...)
and returning the rate for that step, e.g. `lr=lambda step: 1.0 - 0.9 * step / 100`.

Hyperparameters are checked when the optimizer is built, with PyTorch's rules (lr >= 0,
momentum >= 0, 0 <= beta < 1, eps >= 0, 0 < etaminus < 1 < etaplus, Nesterov needs
momentum > 0 and dampening 0) and every number finite, and a schedule's value at every
step. A step whose gradient, update or state would be NaN or infinite raises
NonFiniteUpdate, and one whose learning rate is bad raises LearningRateError (both
ValueErrors); either changes nothing: neither the parameters nor the optimizer.
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, Sequence, Union

from autograd_mini import Value
from nn._checks import (check_flag, check_int, check_number, check_pair, check_parameters, plain,
                        short_repr)
from nn._line_search import strong_wolfe_step

__all__ = ["Optimizer", "SGD", "Adam", "Rprop", "ConjugateGradient", "NonFiniteUpdate",
           "LearningRateError"]

LearningRate = Union[float, Callable[[int], float]]
Closure = Callable[[], Union[Value, float]]


class NonFiniteUpdate(ValueError):
    """An optimizer step refused because a gradient, an update or the optimizer's state
    would be NaN or infinite; the parameters and the optimizer were left unchanged.
    `what` says what would have happened, `hint` what to do."""

    def __init__(self, what: str, hint: str) -> None:
        super().__init__(f"{what}; nothing was changed. {hint}")
        self.what, self.hint = what, hint

    def __reduce__(self) -> tuple:
        return type(self), (self.what, self.hint)


class LearningRateError(ValueError):
    """The learning rate for a step (a schedule's value, or an lr reassigned since) is not a
    finite number >= 0; the step was not taken."""


class Optimizer:
    """Base class: holds the parameters, counts steps and zeroes gradients."""

    lr_above_zero = False  # True where a rate of 0 cannot work (a line search's first step)

    def __init__(self, params: Iterable[Value], lr: LearningRate) -> None:
        self.params = check_parameters(params, type(self).__name__)
        # a schedule is checked at each step, by current_lr
        self.lr = lr if callable(lr) else self._rate(lr)
        self.steps = 0  # completed steps: the argument given to a learning-rate schedule

    def current_lr(self) -> float:
        """The learning rate for the coming step (the schedule's value if lr is callable),
        checked: a finite number >= 0, else LearningRateError (a ValueError); a schedule
        that returns a non-number is a TypeError."""
        if not callable(self.lr):
            try:
                return self._rate(self.lr)
            except ValueError as error:  # lr was reassigned since the optimizer was built
                raise LearningRateError(str(error)) from None
        rate = self.lr(self.steps)
        returned = (f"{type(self).__name__}: the learning-rate schedule returned {rate!r} at "
                    f"step {self.steps}")
        try:
            return self._rate(rate)
        except TypeError:
            raise TypeError(f"{returned}; it must return a number") from None
        except ValueError:
            raise LearningRateError(f"{returned}; it must return a finite number "
                                    f"{'>' if self.lr_above_zero else '>='} 0") from None

    def _rate(self, lr: Any) -> float:
        return check_number(lr, f"{type(self).__name__}: lr", 0.0, above=self.lr_above_zero)

    # the attributes holding one number per parameter (or None before the first step)
    per_parameter: tuple[str, ...] = ()

    def zero_grad(self, set_to_none: bool = False) -> None:
        """Set every parameter's gradient to 0 (gradients accumulate across backward calls),
        or to None with set_to_none=True, as PyTorch's: then a parameter that the next
        backward does not reach keeps grad None and the step skips it."""
        cleared = None if set_to_none else 0.0
        for p in self.params:
            p.grad = cleared

    def step(self, closure: Closure | None = None) -> Value | float | None:
        """Update the parameters from their gradients; `closure`, if given, is called first
        to recompute the loss and gradients, and its loss is returned. A NaN or infinite
        gradient or update raises NonFiniteUpdate and changes nothing."""
        loss = closure() if closure is not None else None
        with self._all_or_nothing():
            lr = self.current_lr()
            if any(p.grad is None for p in self.params):
                self._update_those_with_gradients(lr)
            else:
                self._update(lr, self._gradients())
            self.steps += 1
        return loss

    def _update_those_with_gradients(self, lr: float) -> None:
        """_update over the parameters whose grad is not None, as PyTorch skips a parameter
        with grad None: its data and its share of the state stay as they are. A share
        that did not exist yet (state still None) starts at 0.0 for a skipped parameter."""
        every = self.params
        kept = [i for i, p in enumerate(every) if p.grad is not None]
        states = {name: getattr(self, name) for name in self.per_parameter}
        self.params = [every[i] for i in kept]
        try:
            for name, values in states.items():
                if values is not None:
                    setattr(self, name, [values[i] for i in kept])
            self._update(lr, self._gradients())
            for name, values in states.items():
                new = getattr(self, name)
                if new is not None:
                    merged = list(values) if values is not None else [0.0] * len(every)
                    for i, x in zip(kept, new):
                        merged[i] = x
                    setattr(self, name, merged)
        finally:
            self.params = every

    @contextmanager
    def _all_or_nothing(self) -> Iterator[None]:
        """Put back every parameter's data and this optimizer's state when the block
        raises, Ctrl-C too: a step is taken whole or not at all."""
        data, state = [p.data for p in self.params], dict(vars(self))
        try:
            yield
        except BaseException:
            for p, x in zip(self.params, data):
                p.data = x
            vars(self).clear()
            vars(self).update(state)
            raise

    def _update(self, lr: float, grads: list[float]) -> None:
        """Compute the new parameters and state from `grads`, then _commit() them."""
        raise NotImplementedError

    def _gradients(self) -> list[float]:
        """Each parameter's .grad as a float (a Value grad from create_graph=True gives its
        data, as PyTorch steps on the grad's value); NonFiniteUpdate for NaN or infinity."""
        grads = []
        for i, p in enumerate(self.params):
            g = p.grad
            # None: zeros, as PyTorch's LBFGS gathers them (ConjugateGradient); step() has
            # already left such parameters out for the other optimizers
            g = g.data if isinstance(g, Value) else 0.0 if g is None else g
            grads.append(g if g.__class__ is float and -math.inf < g < math.inf
                         else self._gradient(i, g))
        return grads

    def _gradient(self, i: int, g: Any) -> float:
        """Parameter i's gradient `g`, which is not a finite float, as a float if it is a
        finite number; else a TypeError, or NonFiniteUpdate for NaN or infinity."""
        owner = type(self).__name__
        try:
            return check_number(g, f"{owner}.step: parameter {i}'s gradient")
        except TypeError:
            raise TypeError(f"{owner}.step: parameter {i} has .grad {g!r} "
                            f"({type(g).__name__}); gradients must be numbers") from None
        except ValueError:
            raise NonFiniteUpdate(f"{owner}.step: parameter {i} has gradient "
                                  f"{short_repr(plain(g))}", "A NaN or infinite gradient "
                                  "means the loss diverged: lower the learning rate or "
                                  "rescale the inputs") from None

    def _commit(self, owner: str, new_data: Sequence[float], lr: float,
                state: Sequence[Sequence[float]] = ()) -> None:
        """Assign new_data to the parameters, but only if it and the optimizer's new `state`
        lists are all finite; else NonFiniteUpdate, naming `owner`, with nothing assigned."""
        params = self.params
        for i, x in enumerate(new_data):
            if not -math.inf < x < math.inf:
                raise NonFiniteUpdate(
                    f"{owner}.step: the update would make parameter {i} {x!r} (it is "
                    f"{params[i].data!r}, lr {lr:g})", "Lower the learning rate")
        for values in state:
            for i, x in enumerate(values):
                if not -math.inf < x < math.inf:
                    raise NonFiniteUpdate(
                        f"{owner}.step: the optimizer's state for parameter {i} would become "
                        f"{x!r} (gradient {params[i].grad!r})", "Rescale the loss or the inputs")
        for p, x in zip(params, new_data):
            p.data = x


class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum and L2 weight decay,
    exactly PyTorch's update rule. `dampening` is the share of each new gradient held back
    from the velocity, so it lies in [0, 1]."""

    def __init__(self, params: Iterable[Value], lr: LearningRate = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0,
                 nesterov: bool = False) -> None:
        super().__init__(params, lr)
        self.momentum = check_number(momentum, "SGD: momentum", 0.0)
        self.dampening = check_number(dampening, "SGD: dampening", 0.0, most=1.0)
        self.weight_decay = check_number(weight_decay, "SGD: weight_decay", 0.0)
        self.nesterov = check_flag(nesterov, "SGD: nesterov")
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(f"SGD: Nesterov momentum needs momentum > 0 and dampening = 0, "
                             f"got momentum={momentum!r}, dampening={dampening!r}")
        self.velocity: list[float] | None = None

    per_parameter = ("velocity",)

    def _update(self, lr: float, grads: list[float]) -> None:
        momentum, decay = self.momentum, self.weight_decay
        data = [p.data for p in self.params]
        grads = [g + decay * x for g, x in zip(grads, data)]
        if not momentum:
            self._commit("SGD", [x - lr * g for x, g in zip(data, grads)], lr)
            return
        # PyTorch: v = g on the first step, then v = momentum v + (1 - dampening) g;
        # the step is g + momentum v with Nesterov, else v.
        if self.velocity is None:
            velocity = grads
        else:
            kept = 1.0 - self.dampening
            velocity = [momentum * v + kept * g for v, g in zip(self.velocity, grads)]
        moves = ([g + momentum * v for g, v in zip(grads, velocity)] if self.nesterov
                 else velocity)
        self._commit("SGD", [x - lr * m for x, m in zip(data, moves)], lr, (velocity,))
        self.velocity = velocity


class Adam(Optimizer):
    """Adam with bias correction; weight_decay adds an L2 gradient, or with
    decoupled_weight_decay=True shrinks the weights directly (AdamW).

    eps may be 0, as in PyTorch; then a parameter whose second moment is 0 (every gradient
    so far 0, or too small to square, |g| < 1e-162) stays where it is, where PyTorch's
    0 / 0 would make it NaN.
    """

    def __init__(self, params: Iterable[Value], lr: LearningRate = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, decoupled_weight_decay: bool = False) -> None:
        super().__init__(params, lr)
        beta1, beta2 = check_pair(betas, "Adam: betas", "(beta1, beta2)")
        self.beta1 = check_number(beta1, "Adam: betas[0]", 0.0, below=1.0)
        self.beta2 = check_number(beta2, "Adam: betas[1]", 0.0, below=1.0)
        self.eps = check_number(eps, "Adam: eps", 0.0)
        self.weight_decay = check_number(weight_decay, "Adam: weight_decay", 0.0)
        self.decoupled = check_flag(decoupled_weight_decay, "Adam: decoupled_weight_decay")
        self.first_moment = [0.0] * len(self.params)
        self.second_moment = [0.0] * len(self.params)

    per_parameter = ("first_moment", "second_moment")

    def _update(self, lr: float, grads: list[float]) -> None:
        beta1, beta2, eps, decay = self.beta1, self.beta2, self.eps, self.weight_decay
        t = self.steps + 1
        correction1 = 1.0 - beta1 ** t
        root_correction2 = math.sqrt(1.0 - beta2 ** t)
        new_data, first, second = [], [], []
        for p, g, m, v in zip(self.params, grads, self.first_moment, self.second_moment):
            x = p.data
            if self.decoupled:
                x *= 1.0 - lr * decay
            else:
                g += decay * x
            m = beta1 * m + (1.0 - beta1) * g
            v = beta2 * v + (1.0 - beta2) * g * g
            # m_hat / (sqrt(v_hat) + eps), in PyTorch's order of operations
            denominator = math.sqrt(v) / root_correction2 + eps
            new_data.append(x - (lr / correction1) * m / denominator if denominator else x)
            first.append(m)
            second.append(v)
        self._commit("Adam", new_data, lr, (first, second))
        self.first_moment, self.second_moment = first, second


class Rprop(Optimizer):
    """Resilient backpropagation (iRprop-): each weight moves by its own step size, grown
    while its gradient keeps its sign and shrunk (with the move skipped) when it flips.
    Step sizes stay within step_sizes = (smallest, largest), 0 <= smallest <= largest."""

    def __init__(self, params: Iterable[Value], lr: LearningRate = 1e-2,
                 etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50.0)) -> None:
        super().__init__(params, lr)
        eta_minus, eta_plus = check_pair(etas, "Rprop: etas", "(etaminus, etaplus)")
        self.eta_minus = check_number(eta_minus, "Rprop: etas[0] (etaminus)", 0.0, above=True,
                                      below=1.0)
        self.eta_plus = check_number(eta_plus, "Rprop: etas[1] (etaplus)", 1.0, above=True)
        smallest, largest = check_pair(step_sizes, "Rprop: step_sizes", "(smallest, largest)")
        self.min_step = check_number(smallest, "Rprop: step_sizes[0] (smallest)", 0.0)
        self.max_step = check_number(largest, "Rprop: step_sizes[1] (largest)", 0.0)
        if self.min_step > self.max_step:
            raise ValueError(f"Rprop: step_sizes must be (smallest, largest) with smallest <= "
                             f"largest, got {step_sizes!r}")
        self.step_size: list[float] | None = None
        self.previous = [0.0] * len(self.params)

    per_parameter = ("step_size", "previous")

    def _update(self, lr: float, grads: list[float]) -> None:
        # the initial step size is the learning rate
        old_sizes = self.step_size or [lr] * len(self.params)
        new_data, sizes, previous = [], [], []
        for p, g, size, before in zip(self.params, grads, old_sizes, self.previous):
            agreement = g * before
            if agreement > 0:
                size *= self.eta_plus
            elif agreement < 0:
                size *= self.eta_minus
                g = 0.0  # iRprop-: no move now, and no sign comparison next step
            size = min(max(size, self.min_step), self.max_step)
            new_data.append(p.data - size if g > 0 else p.data + size if g < 0 else p.data)
            sizes.append(size)
            previous.append(g)
        self._commit("Rprop", new_data, lr, (sizes,))
        self.step_size, self.previous = sizes, previous


class ConjugateGradient(Optimizer):
    """Full-batch nonlinear conjugate gradient (Polak-Ribiere+, restarting on non-descent)
    with a strong Wolfe line search. `step(closure)` needs a closure that zeroes the
    gradients, recomputes the loss, calls backward() and returns the loss, as PyTorch's LBFGS.
    lr (> 0) bounds the first trial step; a trial point where the loss overflows or is not
    finite counts as too far."""

    lr_above_zero = True

    def __init__(self, params: Iterable[Value], lr: LearningRate = 1.0, max_eval: int = 20,
                 tolerance_grad: float = 1e-7) -> None:
        super().__init__(params, lr)
        self.max_eval = check_int(max_eval, "ConjugateGradient: max_eval", 1)
        self.tolerance_grad = check_number(tolerance_grad, "ConjugateGradient: tolerance_grad",
                                           0.0)
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
        grad = self._gradients()
        lr = self.current_lr()
        if max(map(abs, grad)) <= self.tolerance_grad:
            return loss  # converged: a stationary point
        direction, slope = self._direction(grad)
        if not slope:
            return loss  # every |g| so small that its square underflows: stationary too
        alpha = math.nan
        if self.direction is not None:  # same first-order change as the last step (N&W 3.60)
            alpha = self.previous_alpha * self.previous_slope / slope
        if not 0 < alpha < math.inf:  # first step (or a restart): as LBFGS, lr in the L1 norm
            alpha = lr * min(1.0, 1.0 / sum(map(abs, grad)))
        with self._all_or_nothing():  # the search moves the parameters as it goes
            alpha = self._line_search(closure, _number(loss), direction, slope, alpha)
            self.direction = direction if alpha else None  # a failed search restarts
            self.previous_grad, self.previous_alpha, self.previous_slope = grad, alpha, slope
            self.steps += 1
        return loss

    def _direction(self, grad: list[float]) -> tuple[list[float], float]:
        previous_norm = sum(h * h for h in self.previous_grad)
        if self.direction is not None and previous_norm:
            # Polak-Ribiere, clipped at 0 (PR+): beta = g.(g - g_prev) / |g_prev|^2
            change = sum(g * (g - h) for g, h in zip(grad, self.previous_grad))
            beta = max(0.0, change / previous_norm)
            direction = [beta * d - g for g, d in zip(grad, self.direction)]
            slope = sum(g * d for g, d in zip(grad, direction))
            if -math.inf < slope < 0:
                return direction, slope
        # steepest descent: the first step, and a restart when d is not downhill
        return [-g for g in grad], -sum(g * g for g in grad)

    def _line_search(self, closure: Closure, start_loss: float, direction: list[float],
                     slope: float, alpha: float) -> float:
        """The strong Wolfe step along `direction` (nn/_line_search.py), with the parameters
        left there; 0.0, with the parameters restored, if no trial point lowered the loss
        enough."""
        start = [p.data for p in self.params]
        alpha = strong_wolfe_step(lambda step: self._evaluate(closure, start, direction, step),
                                  start_loss, slope, alpha, self.max_eval)
        self._move(start, direction, alpha)
        return alpha

    def _evaluate(self, closure: Closure, start: list[float], direction: list[float],
                  alpha: float) -> tuple[float, float]:
        """Loss and directional derivative at start + alpha * direction; (inf, nan), as
        too far, where the point, the loss or the slope is not finite."""
        too_far = (math.inf, math.nan)
        if not self._move(start, direction, alpha):
            return too_far
        try:
            loss = _number(closure())
        except ValueError:  # e.g. exp overflowed this far out, or a NaN gradient
            return too_far
        slope = sum(_grad_number(p) * d for p, d in zip(self.params, direction))
        return (loss, slope) if math.isfinite(loss) and math.isfinite(slope) else too_far

    def _move(self, start: list[float], direction: list[float], alpha: float) -> bool:
        """Put the parameters at start + alpha * direction if every coordinate is finite
        (True); else leave them alone (False)."""
        point = [x + alpha * d for x, d in zip(start, direction)]
        if not all(-math.inf < x < math.inf for x in point):
            return False
        for p, x in zip(self.params, point):
            p.data = x
        return True


def _number(loss: Value | float) -> float:
    return loss.data if isinstance(loss, Value) else float(loss)


def _grad_number(p: Value) -> float:
    grad = p.grad
    return grad.data if isinstance(grad, Value) else 0.0 if grad is None else grad
