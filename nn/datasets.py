"""Small toy datasets made in pure Python: no download, deterministic for a given seed.

Each returns `(X, y)`: `X` a list of `[x0, x1]` float lists, `y` a list of int class
indices. Points are shuffled (by the same seed) so that classes are mixed in order.
Arguments may be numpy numbers; NaN, infinite or negative noise and other bad arguments
are refused by name.
"""
from __future__ import annotations

import math
import random

from nn._checks import check_int, check_real, check_seed

__all__ = ["xor", "make_moons", "make_circles", "spiral"]

Dataset = tuple[list[list[float]], list[int]]


def xor() -> Dataset:
    """The four corners of the unit square, labelled 1 where exactly one coordinate is 1."""
    X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    return X, [0, 1, 1, 0]


def make_moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaving half circles, as scikit-learn's make_moons: outer moon 0, inner moon 1."""
    n, noise, seed = _check(n, noise, seed, "make_moons")
    n_outer = n // 2
    n_inner = n - n_outer
    points = [(math.cos(t), math.sin(t), 0) for t in _linspace(0.0, math.pi, n_outer)]
    points += [(1.0 - math.cos(t), 0.5 - math.sin(t), 1) for t in _linspace(0.0, math.pi, n_inner)]
    return _finish(points, noise, random.Random(seed))


def make_circles(n: int = 100, noise: float = 0.05, seed: int = 0, *,
                 factor: float = 0.5) -> Dataset:
    """A large circle (class 0) around a smaller one of radius `factor` (class 1), as scikit-learn's."""
    n, noise, seed = _check(n, noise, seed, "make_circles")
    factor = check_real(factor, "make_circles: factor", least=0.0)
    if not factor < 1.0:
        raise ValueError(f"make_circles: factor (the inner radius over the outer) must be in "
                         f"[0, 1), got {factor!r}")
    n_outer = n // 2
    n_inner = n - n_outer
    points = [(math.cos(t), math.sin(t), 0) for t in _angles(n_outer)]
    points += [(factor * math.cos(t), factor * math.sin(t), 1) for t in _angles(n_inner)]
    return _finish(points, noise, random.Random(seed))


def spiral(n: int = 100, classes: int = 3, seed: int = 0, noise: float = 0.2) -> Dataset:
    """`classes` interleaved spiral arms (CS231n's toy data), `n` points in all, split evenly."""
    n, noise, seed = _check(n, noise, seed, "spiral")
    classes = check_int(classes, "spiral: classes", 1)
    if classes > n:
        raise ValueError(f"spiral: classes ({classes}) must be at most n ({n}), so that every "
                         f"class has a point")
    rng = random.Random(seed)
    points = []
    for label in range(classes):
        count = n // classes + (label < n % classes)
        radii = _linspace(0.0, 1.0, count)
        # Each arm turns through 4 radians, starting where the previous one started plus 4.
        angles = _linspace(4.0 * label, 4.0 * (label + 1), count)
        for r, t in zip(radii, angles):
            t += rng.gauss(0.0, noise)
            points.append((r * math.sin(t), r * math.cos(t), label))
    return _finish(points, 0.0, rng)


def _check(n: int, noise: float, seed: int | None, name: str) -> tuple[int, float, int | None]:
    """The arguments every dataset takes, checked, with numpy numbers made plain."""
    return (check_int(n, f"{name}: n (the number of points)", 1),
            check_real(noise, f"{name}: noise", least=0.0),
            check_seed(seed, f"{name}: seed"))


def _linspace(start: float, stop: float, count: int) -> list[float]:
    if count == 1:
        return [start]
    step = (stop - start) / (count - 1)
    return [start + i * step for i in range(count)]


def _angles(count: int) -> list[float]:
    """`count` angles evenly around the circle, 2*pi excluded (it would repeat 0)."""
    return [2.0 * math.pi * i / count for i in range(count)]


def _finish(points: list[tuple[float, float, int]], noise: float, rng: random.Random) -> Dataset:
    rng.shuffle(points)
    X = [[x0 + rng.gauss(0.0, noise), x1 + rng.gauss(0.0, noise)] if noise else [x0, x1]
         for x0, x1, _ in points]
    return X, [label for _, _, label in points]
