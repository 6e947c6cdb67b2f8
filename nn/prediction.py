"""predict: a model's outputs for many inputs, as numbers, without building a graph.

A model whose class declares `static_graph = True` (the models fit compiles by default)
is captured once on a placeholder sample and compiled as a loop over the rows
(autograd_mini.compiler.compile_batched) with every leaf but the sample's features
frozen as a constant, so that the loop reads nothing but the features: about 30x faster
than calling the model under no_grad(), and the same numbers to the last bit. When the
loop meets a NaN, an infinity or an op's error, the model runs under no_grad(), which
gives eager's numbers or raises eager's error. The program is kept for the model and compiled again
when a parameter changes (each call compares the bits of every number it froze);
compiling costs about as much as 60 calls under no_grad(), so a short X whose program
would be new is run eagerly. Other models, and calls inside an outer no_grad(), which
would leave no graph to compile, run the model under no_grad().

The loop keeps nothing between calls, so two threads may predict at once.
"""
from __future__ import annotations

import threading
import weakref
from array import array
from typing import Any, Callable, MutableMapping

from autograd_mini import Value, no_grad
from autograd_mini.compiler import compile_batched
from nn._checks import check_callable
from nn._capture import Capture, rows_of
from nn._training_data import as_samples
from nn.modules import declares_static_graph

__all__ = ["predict"]

# Inputs from which compiling a new program costs less than calling the model for each
# (about 10 us per node to compile once, against about 0.17 us per node per call).
COMPILE_FROM = 64

# model -> {(number sample, width): its program}; weak, so that a model is not kept alive
_programs: MutableMapping[Any, dict] = weakref.WeakKeyDictionary()
_programs_lock = threading.Lock()


def predict(model: Callable, X: Any) -> list:
    """The model's output for each sample of X (a list or array of samples): a float per
    sample, or a list of floats for a model with several outputs; no graph is kept."""
    check_callable(model, "predict: model", "a model: a callable such as MLP(2, [8, 1])")
    samples = as_samples(X, "X", "predict")
    rows = rows_of(samples) if declares_static_graph(model) and _recording() else None
    program = _program(model, samples, rows) if rows else None
    found = program.run(rows) if program is not None and rows is not None else None
    if found is not None:
        return found
    with no_grad():
        return [_numbers(model(x)) for x in samples]


class _FrozenProgram:
    """The model compiled on one sample as a loop over the rows, every leaf but the
    sample's features a constant."""

    def __init__(self, capture: Capture) -> None:
        self.width = capture.width
        # the leaves every call reads (parameters): frozen at these bits
        self.frozen = capture.inputs
        self.bits = _bits(self.frozen)
        self.batched = compile_batched(capture.outputs, [], capture.placeholders)

    def is_current(self) -> bool:
        """Whether every frozen number still holds the bits compiled in."""
        return _bits(self.frozen) == self.bits

    def run(self, rows: list[list[float]]) -> list | None:
        """The model's output for each row of features; None when the loop meets a NaN, an
        infinity or an op's error (the model then runs eagerly, with eager's errors)."""
        done = self.batched.forward(rows)
        if done is None:
            return None
        if self.width is None:
            return [outputs[0] for outputs in done.outputs]
        return list(map(list, done.outputs))


def _program(model: Callable, samples: list, rows: list[list[float]]) -> _FrozenProgram | None:
    """The model's current program for samples shaped as these; None when there is none
    yet and X is too short to pay for one, or when the model cannot be compiled (it
    returns something other than Values, or cannot be held weakly)."""
    key = (not isinstance(samples[0], list), len(rows[0]))
    with _programs_lock:
        try:
            kept = _programs.setdefault(model, {})
        except TypeError:  # not weakly referable, or not hashable: compile for this call only
            kept = {}
        program = kept.get(key)
        if program is False:  # the model returns something other than Values
            return None
        if program is not None and program.is_current():
            return program
        if len(samples) < COMPILE_FROM:
            return None
        capture = Capture.of(model, rows[0], scalar=key[0])
        program = _FrozenProgram(capture) if capture is not None else None
        kept[key] = False if program is None else program
    return program


def _recording() -> bool:
    """Whether ops record a graph here (not inside no_grad())."""
    return bool((Value(0.0) + 0.0).parents)


def _bits(values: list[Value]) -> bytes:
    return array("d", [value.data for value in values]).tobytes()


def _numbers(output: Any) -> Any:
    if isinstance(output, Value):
        return output.data
    if isinstance(output, list):
        return [_numbers(x) for x in output]
    return output
