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
from itertools import repeat
from typing import Any, Callable, Iterable, Iterator, Sequence, Union, cast

from autograd_mini import Value
from nn._bulk import (assign_data, data_of, fill_gradients, finite_floats, finite_numbers,
                      raw_gradients_of)
from nn._checks import (check_flag, check_int, check_number, check_pair, check_parameters, plain,
                        short_repr)
from nn._line_search import strong_wolfe_step

__all__ = ["Optimizer", "SGD", "Adam", "Rprop", "ConjugateGradient", "NonFiniteUpdate",
           "LearningRateError"]

LearningRate = Union[float, Callable[[int], float]]
Closure = Callable[[], Union[Value, float]]
State = dict[str, list[Any]]  # per-parameter lists by attribute name


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
        try:
            return self._rate(rate)
        except TypeError:
            raise TypeError(f"{self._returned(rate)}; it must return a number") from None
        except ValueError:
            raise LearningRateError(f"{self._returned(rate)}; it must return a finite number "
                                    f"{'>' if self.lr_above_zero else '>='} 0") from None

    def _returned(self, rate: Any) -> str:
        return (f"{type(self).__name__}: the learning-rate schedule returned {rate!r} at "
                f"step {self.steps}")

    def _rate(self, lr: Any) -> float:
        if lr.__class__ is float and 0.0 <= lr < math.inf and (lr or not self.lr_above_zero):
            return lr  # every step's case, as check_number returns it
        return check_number(lr, f"{type(self).__name__}: lr", 0.0, above=self.lr_above_zero)

    # attributes holding one entry per parameter, None before that parameter's first step
    # (PyTorch's optimizer.state[p], empty until p is first stepped with a gradient)
    per_parameter: tuple[str, ...] = ()
    # those _commit need not check: finite by construction (a count, a checked gradient)
    finite_by_construction: tuple[str, ...] = ()

    def zero_grad(self, set_to_none: bool = False) -> None:
        """Set every parameter's gradient to 0 (gradients accumulate across backward calls),
        or to None with set_to_none=True, as PyTorch's: then a parameter that the next
        backward does not reach keeps grad None and the step skips it."""
        fill_gradients(self.params, set_to_none)

    def step(self, closure: Closure | None = None) -> Value | float | None:
        """Update the parameters from their gradients; `closure`, if given, is called first
        to recompute the loss and gradients, and its loss is returned. A parameter whose
        grad is None is skipped, as in PyTorch: its data and state stay as they are, and
        its state starts on its own first step with a gradient. A NaN or infinite gradient
        or update raises NonFiniteUpdate and changes nothing."""
        loss = closure() if closure is not None else None
        with self._all_or_nothing():
            lr = self.current_lr()
            params = self.params
            grads: list[Any] = raw_gradients_of(params)
            state = {name: getattr(self, name) for name in self.per_parameter}
            numbers: Sequence[int] = range(len(params))
            if not finite_floats(grads):  # a None to skip, or a gradient to check one by one
                grads = self._gradients()
                if None in grads:
                    numbers = [i for i, g in enumerate(grads) if g is not None]
                    params, grads = [params[i] for i in numbers], [grads[i] for i in numbers]
                    state = {name: [values[i] for i in numbers]
                             for name, values in state.items()}
            new_data, new_state = self._update(lr, params, cast("list[float]", grads), state)
            self._commit(lr, numbers, params, new_data, new_state)
            self.steps += 1
        return loss

    @contextmanager
    def _all_or_nothing(self) -> Iterator[None]:
        """Put back every parameter's data and this optimizer's state when the block
        raises, Ctrl-C too: a step is taken whole or not at all."""
        data, state = data_of(self.params), dict(vars(self))
        try:
            yield
        except BaseException:
            for p, x in zip(self.params, data):
                p.data = x
            vars(self).clear()
            vars(self).update(state)
            raise

    def _update(self, lr: float, params: list[Value], grads: list[float],
                state: State) -> tuple[list[float], State]:
        """The new data of `params` from their `grads`, and the per-parameter state lists
        that change, by name; `state` holds those lists for `params` (None for a parameter
        not stepped yet)."""
        raise NotImplementedError

    def _gradients(self) -> list[float | None]:
        """Each parameter's .grad as a float (a Value grad from create_graph=True gives its
        data, as PyTorch steps on the grad's value), or None; NonFiniteUpdate for NaN or
        infinity."""
        grads = raw_gradients_of(self.params)
        if finite_floats(grads):  # every step's case: checked at C speed
            return grads
        grads = []
        for i, p in enumerate(self.params):
            g = p.grad
            if g.__class__ is float and -math.inf < g < math.inf:
                grads.append(g)
            elif g is None:
                grads.append(None)
            else:
                grads.append(self._gradient(i, g.data if isinstance(g, Value) else g))
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

    def _commit(self, lr: float, numbers: Sequence[int], params: list[Value],
                new_data: list[float], new_state: State) -> None:
        """Assign new_data to `params` (this optimizer's parameters `numbers`) and their new
        state, but only if all of it is finite; else NonFiniteUpdate, with nothing assigned."""
        owner = type(self).__name__
        floats = finite_floats(new_data)  # every step's case, told at C speed
        for j, x in enumerate(() if floats else new_data):
            if not -math.inf < x < math.inf:
                raise NonFiniteUpdate(
                    f"{owner}.step: the update would make parameter {numbers[j]} {x!r} (it is "
                    f"{params[j].data!r}, lr {lr:g})", "Lower the learning rate")
        for name, values in new_state.items():
            if name in self.finite_by_construction or finite_numbers(values):
                continue
            for j, x in enumerate(values):
                if not -math.inf < x < math.inf:
                    raise NonFiniteUpdate(
                        f"{owner}.step: the optimizer's state for parameter {numbers[j]} would "
                        f"become {x!r} (gradient {params[j].grad!r})",
                        "Rescale the loss or the inputs")
        assign_data(params, new_data, floats)
        every = len(numbers) == len(self.params)
        for name, values in new_state.items():
            if not every:  # the skipped parameters keep their entries
                merged = list(getattr(self, name))
                for i, x in zip(numbers, values):
                    merged[i] = x
                values = merged
            setattr(self, name, values)


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
        self.velocity: list[float | None] = [None] * len(self.params)

    per_parameter = ("velocity",)

    def _update(self, lr: float, params: list[Value], grads: list[float],
                state: State) -> tuple[list[float], State]:
        momentum, decay = self.momentum, self.weight_decay
        data = data_of(params)
        if decay:  # as PyTorch, which adds no decay term when there is none
            grads = [g + decay * x for g, x in zip(grads, data)]
        if not momentum:
            return [x - lr * g for x, g in zip(data, grads)], {}
        # PyTorch: v = g on the parameter's first step, then v = momentum v + (1 - dampening) g;
        # the step is g + momentum v with Nesterov, else v.
        kept = 1.0 - self.dampening
        velocity = [g if v is None else momentum * v + kept * g
                    for v, g in zip(state["velocity"], grads)]
        moves = ([g + momentum * v for g, v in zip(grads, velocity)] if self.nesterov
                 else velocity)
        return [x - lr * m for x, m in zip(data, moves)], {"velocity": velocity}


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
        # per parameter: the steps that updated it (PyTorch's state["step"]) and the moments
        self.parameter_steps: list[int | None] = [None] * len(self.params)
        self.first_moment: list[float | None] = [None] * len(self.params)
        self.second_moment: list[float | None] = [None] * len(self.params)

    per_parameter = ("parameter_steps", "first_moment", "second_moment")
    finite_by_construction = ("parameter_steps",)

    def _update(self, lr: float, params: list[Value], grads: list[float],
                state: State) -> tuple[list[float], State]:
        beta1, beta2, eps, decay = self.beta1, self.beta2, self.eps, self.weight_decay
        data = data_of(params)
        if self.decoupled:
            shrink = 1.0 - lr * decay
            data = [x * shrink for x in data]
        elif decay:  # as PyTorch, which adds no decay term when there is none
            grads = [g + decay * x for g, x in zip(grads, data)]
        # per parameter: the steps that updated it, this one included
        counts = [1 if t is None else t + 1 for t in state["parameter_steps"]]
        distinct = set(counts)
        first, second = state["first_moment"], state["second_moment"]
        if 1 in distinct:  # a parameter's first step: PyTorch's state starts at zero
            first = [0.0 if m is None else m for m in first]
            second = [0.0 if v is None else v for v in second]
        kept1, kept2 = 1.0 - beta1, 1.0 - beta2
        first = [beta1 * m + kept1 * g for m, g in zip(first, grads)]
        second = [beta2 * v + kept2 * g * g for v, g in zip(second, grads)]
        # m_hat / (sqrt(v_hat) + eps), in PyTorch's order of operations
        sizes = _by_count(counts, distinct, lambda t: lr / (1.0 - beta1 ** t))
        roots = _by_count(counts, distinct, lambda t: math.sqrt(1.0 - beta2 ** t))
        sqrt = math.sqrt
        denominators = [sqrt(v) / root + eps for v, root in zip(second, roots)]
        new_data = [x - size * m / d if d else x
                    for x, size, m, d in zip(data, sizes, first, denominators)]
        return new_data, {"parameter_steps": counts, "first_moment": first,
                          "second_moment": second}


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
        self.step_size: list[float | None] = [None] * len(self.params)
        # the last gradient, 0 after a sign flip
        self.previous: list[float | None] = [None] * len(self.params)

    per_parameter = ("step_size", "previous")
    finite_by_construction = ("previous",)

    def _update(self, lr: float, params: list[Value], grads: list[float],
                state: State) -> tuple[list[float], State]:
        new_data, sizes, previous = [], [], []
        for x, g, size, before in zip(data_of(params), grads, state["step_size"],
                                      state["previous"]):
            if size is None:  # the parameter's first step: PyTorch starts at size lr, previous 0
                size, before = lr, 0.0
            agreement = g * before
            if agreement > 0:
                size *= self.eta_plus
            elif agreement < 0:
                size *= self.eta_minus
                g = 0.0  # iRprop-: no move now, and no sign comparison next step
            size = min(max(size, self.min_step), self.max_step)
            new_data.append(x - size if g > 0 else x + size if g < 0 else x)
            sizes.append(size)
            previous.append(g)
        return new_data, {"step_size": sizes, "previous": previous}


class ConjugateGradient(Optimizer):
    """Full-batch nonlinear conjugate gradient (Polak-Ribiere+, restarting on non-descent)
    with a strong Wolfe line search. `step(closure)` needs a closure that zeroes the
    gradients, recomputes the loss, calls backward() and returns the loss, as PyTorch's LBFGS.
    lr (> 0) bounds the first trial step; a trial point where the loss overflows or is not
    finite counts as too far. A grad of None reads as 0, as PyTorch's LBFGS gathers it: the
    parameter is not skipped, and may still move along a direction built from earlier
    gradients."""

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
        grad = [0.0 if g is None else g for g in self._gradients()]
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
        start = data_of(self.params)
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
        assign_data(self.params, point)
        return True


def _number(loss: Value | float) -> float:
    return loss.data if isinstance(loss, Value) else float(loss)


def _grad_number(p: Value) -> float:
    grad = p.grad
    return grad.data if isinstance(grad, Value) else 0.0 if grad is None else grad


def _by_count(counts: list[int], distinct: set[int],
              f: Callable[[int], float]) -> Iterable[float]:
    """f(t) for each count t of `counts` (whose set is `distinct`), computed once per
    distinct count: the parameters' counts are mostly all equal."""
    if len(distinct) == 1:
        return repeat(f(*distinct))
    table = {t: f(t) for t in distinct}
    return map(table.__getitem__, counts)
