"""What a compiled graph promises besides the numbers: branches re-decided at every run,
gradients accumulated as Value.backward accumulates them, constants frozen, several
outputs, placeholders, a readable program, and graphs of a million nodes."""
from __future__ import annotations

import gc
import threading
import tracemalloc
import weakref

import pytest

from autograd_mini import Value, compile_graph, no_grad


@pytest.mark.parametrize("method", ["relu", "__abs__", "leaky_relu", "elu", "softplus"])
def test_piecewise_ops_decide_their_branch_at_every_run(method):
    x = Value(2.0)
    compiled = compile_graph(getattr(x * 3.0, method)(), [x])
    for data in (-1.5, 0.0, 2.5, -4.0):
        x.data, x.grad = data, 0.0
        eager_x = Value(data)
        eager = getattr(eager_x * 3.0, method)()
        eager.backward()
        assert (compiled.run(), x.grad) == (eager.data, eager_x.grad)


def test_gradients_accumulate_across_backward_calls_as_in_eager():
    # API.md: for x -> y = 2x -> z = 3y, z.backward() twice leaves x.grad == 12
    x = Value(1.0)
    compiled = compile_graph((x * 2) * 3, [x])
    compiled.forward()
    compiled.backward()
    compiled.backward()
    assert x.grad == 12.0


def test_backward_adds_to_a_gradient_already_there_as_eager_does():
    x, eager_x = Value(0.3), Value(0.3)
    compiled = compile_graph(x.tanh() * x, [x])
    x.grad = eager_x.grad = 0.1
    compiled.run()
    (eager_x.tanh() * eager_x).backward()
    assert x.grad == eager_x.grad


def test_backward_without_forward_runs_it_first():
    x = Value(3.0)
    compiled = compile_graph(x * x, [x])
    x.data = 5.0
    compiled.backward()
    assert x.grad == 10.0


def test_forward_sets_the_roots_data():
    x = Value(1.0)
    root = x.exp()
    compiled = compile_graph(root, [x])
    x.data = 0.0
    assert compiled.forward() == 1.0 and root.data == 1.0


def test_leaves_that_are_not_inputs_are_frozen_constants():
    x, c = Value(2.0), Value(10.0)
    compiled = compile_graph(x * c, [x])
    c.data = 100.0
    assert compiled.run() == 20.0
    assert x.grad == 10.0 and c.grad == 0.0


def test_an_input_outside_the_graph_gets_no_gradient():
    x, unused = Value(2.0), Value(5.0)
    compiled = compile_graph(x * x, [x, unused])
    compiled.run()
    assert (x.grad, unused.grad) == (4.0, 0.0)


def test_several_outputs_take_one_seed_each():
    x, y = Value(2.0), Value(3.0)
    first, second = x * y, (x + y).tanh()
    compiled = compile_graph([first, second], [x, y])
    assert compiled.forward() == [first.data, second.data]
    compiled.backward([1.0, 2.0])
    ex, ey = Value(2.0), Value(3.0)
    (ex * ey + 2.0 * (ex + ey).tanh()).backward()
    assert (x.grad, y.grad) == pytest.approx((ex.grad, ey.grad), rel=1e-15)


def test_placeholders_are_read_at_every_run_and_get_no_gradient():
    w, data = Value(0.5), Value(1.0)
    compiled = compile_graph((w * data).tanh(), [w], placeholders=[data])
    for sample in (1.0, -2.0, 3.5):
        data.data, w.grad = sample, 0.0
        eager_w = Value(0.5)
        eager = (eager_w * sample).tanh()  # eager training: the sample is a plain number
        eager.backward()
        assert (compiled.run(), w.grad, data.grad) == (eager.data, eager_w.grad, 0.0)


def test_it_runs_inside_no_grad_too():
    x = Value(2.0)
    compiled = compile_graph(x.log() * x, [x])
    x.data = -1.0  # the replay that names the error has to record a graph
    with no_grad(), pytest.raises(ValueError, match=r"log\(-1.0\)"):
        compiled.run()


def test_it_does_not_keep_the_graph_it_was_made_from_alive():
    x = Value(1.0)
    middle = x.tanh()
    compiled = compile_graph(middle * 2, [x])
    alive = weakref.ref(middle)
    del middle
    gc.collect()
    assert alive() is None
    assert compiled.run() == 2 * 0.7615941559557649


def test_threads_share_one_compiled_graph_safely():
    x = Value(0.5)
    compiled = compile_graph((x * x).sin(), [x])
    start = threading.Barrier(4)
    values = []

    def work():
        start.wait()
        values.extend(compiled.forward() for _ in range(200))
    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(values) == {Value(0.5 * 0.5).sin().data}


def test_the_source_is_readable_python_with_the_labels_beside_their_lines():
    w, b = Value(0.5, label="w"), Value(0.1, label="b")
    loss = (w * 2.0 + b).sigmoid()
    loss.label = "loss"
    source = compile_graph(loss, [w, b]).source
    compile(source, "source", "exec")  # valid Python, as run
    assert "def sigmoid_with_slope(x):" in source  # the row's own text
    assert "v0 * 2.0 + v2" in source and "# sigmoid 'loss'" in source
    assert "g0 = 2.0 * g3  # 'w'" in source


def long_chain(nodes: int) -> tuple[Value, Value]:
    """h = h * 0.5 + (x or 1.0), `nodes` nodes each reading the last: one long chain."""
    x = Value(0.5)
    h = x
    for k in range(nodes // 2):
        h = h * 0.5 + (x if k % 100 == 0 else 1.0)
    return h, x


@pytest.mark.slow
def test_a_million_node_graph_compiles_without_recursion_and_runs_as_eager():
    h, x = long_chain(1_000_000)
    compiled = compile_graph(h, [x])
    h.backward()
    eager_value, eager_grad = h.data, x.grad
    x.grad = 0.0
    assert compiled.run() == eager_value and x.grad == eager_grad


def peak_bytes_per_node(nodes: int) -> float:
    h, x = long_chain(nodes)
    tracemalloc.start()
    compile_graph(h, [x])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / nodes


@pytest.mark.slow
def test_compiling_holds_one_chunk_at_a_time():
    # One function for the whole graph would peak at ~1,500 bytes per node (its syntax
    # tree); chunk by chunk the peak is a chunk's worth plus the plan, ~280 at this size.
    assert peak_bytes_per_node(40_000) < 600


def test_a_compiled_graph_refuses_pickling_with_a_hint():
    import copy
    import pickle
    x = Value(1.0)
    compiled = compile_graph(x * 2, [x])
    for attempt in (pickle.dumps, copy.deepcopy):
        with pytest.raises(TypeError, match="compile again"):
            attempt(compiled)
