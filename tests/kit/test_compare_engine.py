"""compare_engine: a learner's engine against ours; micrograd passes, planted bugs shrink."""
from __future__ import annotations

import math

import micrograd.engine
import pytest

from autograd_mini.testing import compare_engine
from autograd_mini.testing.engines import offered_ops


class Lecture:
    """The lecture's Value with its classic bug: `=` where `+=` belongs in __add__ (its
    results are of the class it is called on, so that Fixed only mends __add__)."""

    def __init__(self, data, _children=()):
        self.data, self.grad = data, 0.0
        self._backward = lambda: None
        self._prev = set(_children)

    def __add__(self, other):
        other = other if isinstance(other, Lecture) else type(self)(other)
        out = type(self)(self.data + other.data, (self, other))

        def _backward():
            self.grad = out.grad  # the bug: a + a gets 1, not 2
            other.grad = out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Lecture) else type(self)(other)
        out = type(self)(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = type(self)(t, (self,))

        def _backward():
            self.grad += (1 - t * t) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        topo, seen = [], set()

        def build(v):
            if v not in seen:
                seen.add(v)
                for child in v._prev:
                    build(child)
                topo.append(v)
        build(self)
        self.grad = 1.0
        for v in reversed(topo):
            v._backward()


class Fixed(Lecture):
    def __add__(self, other):
        other = other if isinstance(other, Lecture) else Fixed(other)
        out = Fixed(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out


def test_micrograd_passes_on_the_ops_it_offers() -> None:
    ops = offered_ops(micrograd.engine.Value)
    assert {"+", "*", "relu", "**:right", "/", "neg"} <= set(ops) and "**" not in ops
    assert compare_engine(micrograd.engine.Value) is None


def test_micrograd_fails_a_second_backward_and_shows_the_numbers() -> None:
    with pytest.raises(AssertionError, match=r"after backward\(\) twice") as caught:
        compare_engine(micrograd.engine.Value, repeat_backward=True)
    assert "<- differs" in str(caught.value) and "theirs" in str(caught.value)


def test_the_lectures_accumulation_bug_is_found_and_shrunk_to_a_plus_a() -> None:
    with pytest.raises(AssertionError) as caught:
        compare_engine(Lecture)
    text = str(caught.value)
    assert "\na + a at a = " in text, text
    assert "d/da" in text and "<- differs" in text


def test_the_fixed_engine_passes() -> None:
    assert set(offered_ops(Fixed)) == {"tanh", "+", "+:right", "*", "*:right"}
    assert compare_engine(Fixed) is None


def test_an_engine_offering_nothing_is_told_what_is_needed() -> None:
    class Nothing:
        def __init__(self, data):
            self.data = data

    with pytest.raises(ValueError, match="offers none of the ops"):
        compare_engine(Nothing)
    with pytest.raises(TypeError, match="takes a class"):
        compare_engine(Lecture(1.0))
