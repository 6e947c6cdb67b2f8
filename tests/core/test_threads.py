"""Threads and asyncio tasks: no_grad and grad's nesting are per thread (and per task),
and concurrent backward passes give what the same passes made one after another give.

Interleavings are forced with events, never with sleeps.
"""
from __future__ import annotations

import asyncio
import sys
import threading

from autograd_mini import Value, grad, no_grad
from autograd_mini.backprop import pass_lock
from autograd_mini.engine import Op

TIMEOUT = 10  # seconds: only reached when a test is about to fail


def _in_thread(target) -> threading.Thread:
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread


def test_another_threads_no_grad_does_not_stop_this_thread_recording() -> None:
    inside, leave = threading.Event(), threading.Event()

    def pausing() -> None:
        with no_grad():
            inside.set()
            leave.wait(TIMEOUT)

    thread = _in_thread(pausing)
    assert inside.wait(TIMEOUT)
    try:
        x = Value(3.0)
        y = x * x
        y.backward()
        assert y.op == "*" and x.grad == 6.0
    finally:
        leave.set()
        thread.join(TIMEOUT)


def test_no_grad_records_nothing_in_its_own_thread_while_others_record() -> None:
    x = Value(3.0)
    with no_grad():
        assert (x * x).op == ""
    assert (x * x).op == "*"


def test_no_grad_blocks_left_in_interleaved_order_leave_recording_on() -> None:
    # A enters, B enters, A leaves, B leaves: a process-wide flag restored by each block
    # would end switched off.
    steps = {name: threading.Event() for name in ("a_in", "b_in", "a_out", "b_out")}

    def block(enter_after: str | None, entered: str, leave_after: str, left: str) -> None:
        if enter_after:
            steps[enter_after].wait(TIMEOUT)
        with no_grad():
            steps[entered].set()
            steps[leave_after].wait(TIMEOUT)
        steps[left].set()

    a = _in_thread(lambda: block(None, "a_in", "b_in", "a_out"))
    b = _in_thread(lambda: block("a_in", "b_in", "a_out", "b_out"))
    assert steps["b_out"].wait(TIMEOUT)
    a.join(TIMEOUT)
    b.join(TIMEOUT)
    x = Value(2.0)
    assert (x * x).op == "*"
    results = []
    checker = _in_thread(lambda: results.append((x * x).op))
    checker.join(TIMEOUT)
    assert results == ["*"]


def test_no_grad_in_one_asyncio_task_does_not_pause_another() -> None:
    async def main() -> list[str]:
        inside, leave = asyncio.Event(), asyncio.Event()

        async def pausing() -> str:
            with no_grad():
                inside.set()
                await leave.wait()
                return (Value(1.0) * 2).op

        async def recording() -> str:
            await inside.wait()
            op = (Value(1.0) * 2).op
            leave.set()
            return op

        return list(await asyncio.gather(pausing(), recording()))

    assert asyncio.run(main()) == ["", "*"]


def test_grad_inside_another_threads_grad_returns_a_float() -> None:
    inside, leave = threading.Event(), threading.Event()

    def waiting(x: Value) -> Value:
        inside.set()
        leave.wait(TIMEOUT)
        return x * x

    thread = _in_thread(lambda: grad(waiting)(1.0))
    assert inside.wait(TIMEOUT)
    try:
        result = grad(lambda x: x * x)(3.0)
        assert type(result) is float and result == 6.0
    finally:
        leave.set()
        thread.join(TIMEOUT)


def test_a_backward_pass_waits_for_another_over_the_same_nodes() -> None:
    # A create_graph pass calls each node's rule; this one stops inside it, so the test
    # can look while the pass is half done: the pass holds the lock, and a second pass
    # over the same nodes, started meanwhile, runs only after it.
    x = Value(2.0)
    shared = x * x
    inside, leave = threading.Event(), threading.Event()

    def stalling_rule(out: Value, a: Value) -> tuple:
        inside.set()
        leave.wait(TIMEOUT)
        return out.local_grads

    stalled = shared * 1.0
    stalled._made_by = Op("*", stalling_rule)
    first = _in_thread(lambda: stalled.backward(create_graph=True))
    assert inside.wait(TIMEOUT)
    second_done = threading.Event()
    second = _in_thread(lambda: ((shared + 1.0).backward(), second_done.set()))
    try:
        assert not pass_lock.acquire(blocking=False)  # the first pass holds it
        assert not second_done.is_set()
    finally:
        leave.set()
        first.join(TIMEOUT)
        second.join(TIMEOUT)
    assert second_done.is_set()
    assert x.grad.data == 4.0 + 4.0 and shared.grad.data == 2.0


def _concurrently(count: int, work) -> None:
    """Run work in count threads at once, switching between them as often as CPython can."""
    start = threading.Barrier(count)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [_in_thread(lambda: (start.wait(TIMEOUT), work())) for _ in range(count)]
        for thread in threads:
            thread.join(TIMEOUT)
    finally:
        sys.setswitchinterval(interval)


def _sum_of_squares(count: int) -> tuple[list[Value], Value]:
    xs = [Value(0.1 * i) for i in range(count)]
    total = xs[0]
    for x in xs[1:]:
        total = total + x * x
    return xs, total


def test_concurrent_backward_through_a_shared_sum_equals_the_same_calls_in_turn() -> None:
    threads, calls = 4, 25
    xs, total = _sum_of_squares(200)
    _concurrently(threads, lambda: [total.backward() for _ in range(calls)])
    in_turn, total_in_turn = _sum_of_squares(200)
    for _ in range(threads * calls):
        total_in_turn.backward()
    assert [x.grad for x in xs] == [x.grad for x in in_turn]


def test_concurrent_backward_of_graphs_sharing_only_leaves_equals_the_same_calls_in_turn() -> None:
    a, b = Value(1.5), Value(-2.0)

    def work() -> None:
        for _ in range(20):
            out = a
            for _ in range(100):
                out = out * 1.0 + b * 0.0
            (out + a * b).backward()  # d/da = 1 + b = -1.0, d/db = a + 0 = 1.5

    _concurrently(4, work)
    assert (a.grad, b.grad) == (4 * 20 * -1.0, 4 * 20 * 1.5)  # sums of exact binary numbers


def _op_of_a_task_made_inside_no_grad(other_thread_in_no_grad: bool) -> str:
    """The op a task records when it was created inside no_grad() and runs after the
    block closed, with or without an unrelated thread inside no_grad() meanwhile."""
    inside, leave = threading.Event(), threading.Event()

    def pausing() -> None:
        with no_grad():
            inside.set()
            leave.wait(TIMEOUT)

    async def work() -> str:
        x = Value(2.0)
        return (x * x).op

    async def main() -> str:
        with no_grad():
            task = asyncio.ensure_future(work())  # copies this context: no_grad on
        if other_thread_in_no_grad:
            thread = _in_thread(pausing)
            assert inside.wait(TIMEOUT)
        try:
            return await task
        finally:
            leave.set()
            if other_thread_in_no_grad:
                thread.join(TIMEOUT)

    return asyncio.run(main())


def test_a_task_made_inside_no_grad_records_nothing_whatever_other_threads_do() -> None:
    assert _op_of_a_task_made_inside_no_grad(other_thread_in_no_grad=False) == ""
    assert _op_of_a_task_made_inside_no_grad(other_thread_in_no_grad=True) == ""
