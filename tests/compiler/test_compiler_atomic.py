"""A compiled pass adds into .grad as one step: another thread's pass cannot come between
its read and its write, and an interrupt leaves every .grad as it was or fully updated."""
from __future__ import annotations

import math
import sys
import threading
from functools import partial
from types import FrameType
from typing import Callable

import pytest

import autograd_mini.backprop as backprop
import autograd_mini.compiler.compiled as compiled_module
from autograd_mini import Value, compile_graph

TIMEOUT = 10.0  # seconds; only reached when a thread is stuck


class WatchedLock:
    """The pass lock, setting `contended` when a thread has to wait for it."""

    def __init__(self, lock: object, contended: threading.Event) -> None:
        self.lock, self.contended = lock, contended

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if self.lock.acquire(blocking=False):
            return True
        self.contended.set()
        return self.lock.acquire(blocking, timeout)

    def release(self) -> None:
        self.lock.release()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def pause_inside_accumulate(first: Callable[[], None], second: Callable[[], None],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Run `first` in a thread that stops right after its accumulate read the .grads, then
    `second` here; the thread goes on once `second` has finished or waits for the lock."""
    going_on = threading.Event()
    monkeypatch.setattr(backprop, "pass_lock", WatchedLock(backprop.pass_lock, going_on))
    monkeypatch.setattr(compiled_module, "pass_lock", backprop.pass_lock)
    paused, errors = threading.Event(), []
    read = compiled_module._get_grad

    def read_then_pause(node: Value) -> float:
        grad = read(node)
        if threading.current_thread() is thread and not paused.is_set():
            paused.set()
            if not going_on.wait(TIMEOUT):
                errors.append("the second pass neither finished nor waited")
        return grad

    def run_first() -> None:
        try:
            first()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    monkeypatch.setattr(compiled_module, "_get_grad", read_then_pause)
    thread = threading.Thread(target=run_first)
    thread.start()
    assert paused.wait(TIMEOUT)
    second()
    going_on.set()
    thread.join(TIMEOUT)
    assert not thread.is_alive() and not errors


def test_an_eager_backward_during_a_compiled_one_loses_no_update(monkeypatch):
    x = Value(1.0)
    compiled = compile_graph(x * 2.0, [x])
    pause_inside_accumulate(compiled.run, (x * 3.0).backward, monkeypatch)
    assert x.grad == 5.0


def test_two_compiled_graphs_sharing_an_input_lose_no_update(monkeypatch):
    x = Value(1.0)
    first, second = compile_graph(x * 2.0, [x]), compile_graph(x * 3.0, [x])
    pause_inside_accumulate(first.run, second.run, monkeypatch)
    assert x.grad == 5.0


def ours(frame: FrameType) -> bool:
    """Whether the frame runs the engine's code, or code it generated."""
    name = frame.f_code.co_filename
    return "autograd_mini" in name or name.startswith("<compiled graph")


def interrupted(action: Callable[[], object], at: int) -> bool:
    """Run action with a KeyboardInterrupt raised at the at-th event of the engine's code
    in it (a call, a line, a return: every point Python code can be stopped at, but in
    others' code, such as a garbage collector's callback); whether it was."""
    events = 0

    def trace(frame: FrameType, event: str, arg: object) -> Callable | None:
        nonlocal events
        if not ours(frame):
            return None
        events += 1
        if events > at:
            raise KeyboardInterrupt
        return trace

    sys.settrace(trace)
    try:
        action()
    except KeyboardInterrupt:
        return True
    finally:
        sys.settrace(None)
    return False


def six_inputs() -> tuple[list[Value], Value]:
    inputs = [Value(0.1 * k, label=f"w{k}", allow_nonfinite=True) for k in range(6)]
    loss = sum(((w * (k + 1.5)).tanh() for k, w in enumerate(inputs)), Value(0.0)) ** 2
    return inputs, loss


@pytest.mark.parametrize("path", ["fast", "slow"])
@pytest.mark.parametrize("method", ["run", "backward"])
def test_an_interrupt_anywhere_in_a_pass_changes_no_grad_or_all(method, path, monkeypatch):
    # A trace function can raise at the line event of a `with` statement's exit, before its
    # __exit__ runs (a signal cannot: Python checks for one only after the call), leaving
    # the lock held: this test's passes take a lock of their own, not the shared one.
    monkeypatch.setattr(compiled_module, "pass_lock", threading.RLock())
    inputs, loss = six_inputs()
    compiled = compile_graph(loss, inputs)
    if path == "slow":
        inputs[0].data = math.inf  # allowed: the pass is replayed with Values
    action = partial(getattr(compiled, method), allow_nonfinite=path == "slow")

    def grads_after(at: int | None) -> list[float]:
        for k, w in enumerate(inputs):
            w.grad = 0.5 + k
        compiled.forward()
        if at is None:
            action()
        elif not interrupted(action, at):
            return []
        return [w.grad for w in inputs]

    unchanged, updated = [0.5 + k for k in range(6)], grads_after(None)
    assert sum(map(float.__ne__, unchanged, updated)) >= 5
    at = 0
    while found := grads_after(at):  # until the action runs through
        assert found in (unchanged, updated), f"interrupted at event {at}"
        at += 1
    assert at > 20
