"""Toy datasets: shapes, labels, geometry and determinism."""
from __future__ import annotations

import math
import random

import pytest

from nn.datasets import make_circles, make_moons, spiral, xor


def test_xor_is_the_truth_table():
    assert xor() == ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])


@pytest.mark.parametrize("make", [make_moons, make_circles, spiral])
def test_returns_n_points_of_two_floats_with_int_labels(make):
    X, y = make(51)
    assert len(X) == len(y) == 51
    assert all(len(p) == 2 and all(isinstance(c, float) for c in p) for p in X)
    assert all(isinstance(label, int) for label in y)


@pytest.mark.parametrize("make", [make_moons, make_circles, spiral])
def test_same_seed_same_data_different_seed_different_data(make):
    assert make(40, seed=1) == make(40, seed=1)
    assert make(40, seed=1) != make(40, seed=2)


def test_datasets_leave_the_global_random_state_alone():
    before = random.getstate()
    make_moons(50, noise=0.1, seed=0)
    assert random.getstate() == before


def test_moons_split_the_classes_evenly():
    _, y = make_moons(101)
    assert (y.count(0), y.count(1)) == (50, 51)


def test_noiseless_moons_lie_on_their_half_circles():
    # outer moon: the unit circle centred at (0, 0); inner: centred at (1, 0.5)
    X, y = make_moons(20, noise=0.0)
    for (a, b), label in zip(X, y):
        centre = (0.0, 0.0) if label == 0 else (1.0, 0.5)
        assert math.dist((a, b), centre) == pytest.approx(1.0)


def test_noiseless_circles_have_radius_one_and_factor():
    X, y = make_circles(20, noise=0.0, factor=0.3)
    assert {round(math.hypot(a, b), 12) for a, b in X} == {1.0, 0.3}
    assert all((math.hypot(*p) < 0.5) == (label == 1) for p, label in zip(X, y))


def test_spiral_has_the_requested_classes():
    _, y = spiral(30, classes=3)
    assert [y.count(c) for c in range(3)] == [10, 10, 10]


def test_negative_noise_is_refused():
    with pytest.raises(ValueError, match="noise must be >= 0"):
        make_moons(10, noise=-0.1)


def test_size_must_be_positive():
    with pytest.raises(ValueError, match=r"n \(the number of points\) must be an int >= 1, got 0"):
        make_moons(0)


MAKERS = [make_moons, make_circles, spiral]


@pytest.mark.parametrize("make", MAKERS)
@pytest.mark.parametrize("noise", [math.inf, math.nan])
def test_infinite_or_nan_noise_is_refused_by_name(make, noise):
    with pytest.raises(ValueError, match=rf"{make.__name__}: noise must be finite, got {noise}"):
        make(10, noise=noise)


@pytest.mark.parametrize("make", MAKERS)
def test_a_bool_noise_is_a_type_error(make):
    with pytest.raises(TypeError, match="noise must be a number, not the bool True"):
        make(10, noise=True)


@pytest.mark.parametrize("make", MAKERS)
def test_a_non_number_noise_is_a_type_error_naming_noise(make):
    with pytest.raises(TypeError, match=rf"{make.__name__}: noise must be a real number, got str"):
        make(10, noise="0.1")


@pytest.mark.parametrize("make", MAKERS)
@pytest.mark.parametrize("seed, error", [(1.5, TypeError), (True, TypeError),
                                         ("0", TypeError)])
def test_seed_must_be_an_int(make, seed, error):
    with pytest.raises(error, match=rf"{make.__name__}: seed must be an int or None"):
        make(10, seed=seed)


@pytest.mark.parametrize("factor", [1.0, math.inf, -0.1, math.nan])
def test_circles_factor_outside_0_to_1_is_refused(factor):
    # [0, 1) as scikit-learn's make_circles: 0 puts the inner class at the centre
    with pytest.raises(ValueError, match="make_circles: factor .*must be"):
        make_circles(10, factor=factor)


@pytest.mark.parametrize("factor, says", [("0.5", "must be a real number"),
                                          (True, "must be a number, not the bool True")])
def test_circles_factor_that_is_not_a_number_is_a_type_error(factor, says):
    with pytest.raises(TypeError, match=f"make_circles: factor {says}"):
        make_circles(10, factor=factor)


@pytest.mark.parametrize("classes, error", [(0, ValueError), (2.5, TypeError),
                                            (True, TypeError), ("3", TypeError)])
def test_spiral_classes_must_be_a_positive_int(classes, error):
    with pytest.raises(error, match=r"spiral: classes must be an int >= 1"):
        spiral(30, classes=classes)


def test_spiral_needs_a_point_for_every_class():
    with pytest.raises(ValueError, match=r"spiral: classes \(6\) must be at most n \(5\)"):
        spiral(5, classes=6)


def test_a_size_beyond_any_float_is_a_value_error_not_an_overflow():
    with pytest.raises(ValueError, match=r"make_moons: n \(the number of points\) must be an int"):
        make_moons(10 ** 400)
