"""A compiled pass adds into .grad as one step: another thread's pass cannot come between
its read and its write, and an interrupt leaves every .grad as it was or fully updated."""
from __future__ import annotations

import threading
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
