"""The strong Wolfe line search of Nocedal & Wright (Algorithms 3.5 and 3.6), on numbers
only: ConjugateGradient supplies the loss and slope at a trial step and moves the model."""
from __future__ import annotations

import math
from typing import Callable

# Constants as Nocedal & Wright recommend for nonlinear conjugate gradient: Armijo's
# sufficient decrease, and the strong Wolfe curvature bound |f'(alpha)| <= 0.1 |f'(0)|.
SUFFICIENT_DECREASE = 1e-4
CURVATURE = 0.1

Trial = tuple[float, float, float]  # (step, loss, slope) at a trial point


def strong_wolfe_step(evaluate: Callable[[float], tuple[float, float]], start_loss: float,
                      slope: float, alpha: float, max_eval: int) -> float:
    """A step meeting the strong Wolfe conditions along a direction whose slope at 0 is
    `slope` (< 0), starting from the trial step `alpha`: bracket the minimum, then shrink
    the bracket. `evaluate(step)` gives the loss and slope there, (inf, nan) where too far.
    After `max_eval` evaluations, the best step with sufficient decrease so far (0.0 if none)."""
    low: Trial = (0.0, start_loss, slope)  # best point so far with sufficient decrease
    high: Trial | None = None              # the other end of the bracket, once found
    for _ in range(max_eval):
        loss, trial_slope = evaluate(alpha)
        trial = (alpha, loss, trial_slope)
        if not (loss <= start_loss + SUFFICIENT_DECREASE * alpha * slope and loss < low[1]):
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
    return low[0]


def _extrapolate(previous: Trial, current: Trial) -> float:
    """A longer step: where the slope, linear through the two points, reaches 0."""
    (a0, _, s0), (a1, _, s1) = previous, current
    guess = a1 - s1 * (a1 - a0) / (s1 - s0) if s1 > s0 else 4.0 * a1
    return min(max(guess, 1.1 * a1), 10.0 * a1)


def _interpolate(low: Trial, high: Trial) -> float:
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
