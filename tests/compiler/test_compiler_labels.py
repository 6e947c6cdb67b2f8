"""Labels are a user's text: the generated program shows them as escaped comments beside
their nodes' lines and never as code, whatever they say (Python normalises identifiers
with NFKC, so even a label unlike any of our names can be one of them)."""
from __future__ import annotations

import struct

import pytest

from autograd_mini import NonFiniteGradientError, Value, compile_graph


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def labelled_graph(labels: list[str], data: tuple[float, float] = (0.5, -1.5)):
    """(root, inputs): a small graph of every kind of node (leaves, a constant, ops whose
    values are inlined or not, a tanh with its slope helper), labelled in turn."""
    x, y = Value(data[0]), Value(data[1])
    constant = Value(0.25)
    nodes = [x, y, constant]
    nodes.append(x * y)
    nodes.append(nodes[-1].tanh())
    nodes.append(nodes[-1] * constant + x.exp())
    nodes.append(nodes[-1] - y.sigmoid() * nodes[3])
    for node, label in zip(nodes, labels * len(nodes)):
        node.label = label
    return nodes[-1], [x, y]


def eager_and_compiled(labels: list[str], data: tuple[float, float] = (0.5, -1.5)) -> tuple:
    """(value, gradients) as bits, eagerly and from a graph compiled at other numbers."""
    root, inputs = labelled_graph(labels, data)
    root.backward()
    eager = (bits(root.data), [bits(x.grad) for x in inputs])
    root, inputs = labelled_graph(labels, (0.1, 0.2))
    compiled = compile_graph(root, inputs)
    for x, number in zip(inputs, data):
        x.data = number
    found = (bits(compiled.run()), [bits(x.grad) for x in inputs])
    return eager, found, compiled


@pytest.mark.parametrize("labels", [["ﬁ", "fi"], ["µ", "μ"], ["ｖ1", "v1"], ["x", "ｘ"],
                                    ["Ⅸ", "IX"], ["ℌ", "H"]])
def test_labels_that_python_normalises_alike_stay_apart(labels):
    eager, found, compiled = eager_and_compiled(labels)
    assert found == eager and compiled.replays == 0


@pytest.mark.parametrize("label", [
    "ｖ1", "ｖ3", "ｇ0", "ｇrad_w", "ｄ4", "ＩＮＦ", "ＮＡＮ", "ｅｘｐ", "ｔａｎｈ", "ｓｕｍ", "ａｂｓ",
    "Ｖ", "Ｓ", "Ｇ", "Ｐ", "ｐｏｗｅｒ", "ｔａｎｈ_slope", "v1", "g0", "grad_x", "INF", "exp",
    "sum", "V", "__builtins__", "None", "lambda", "_", "e5"])
def test_a_label_never_takes_the_place_of_a_generated_name(label):
    eager, found, compiled = eager_and_compiled([label])
    assert found == eager and compiled.replays == 0


def test_a_label_cannot_hide_the_infinite_slope_of_sqrt_at_zero():
    x = Value(4.0)
    root = x.sqrt()
    root.label = "ＩＮＦ"
    compiled = compile_graph(root * 2.0, [x])
    x.data = 0.0
    with pytest.raises(NonFiniteGradientError):  # eager refuses d sqrt(x)/dx at 0
        compiled.run()
    assert x.grad == 0.0


HOSTILE = ["\n    V[0] = 1e308", "a\rb", "line\u2028break", "\x0c\x0b\x1c\x85", "nul\x00",
           "'''", '"', "\\", "# #", "{v1}", "\u202eevil", "\ud800", "x" * 10_000]


def test_hostile_labels_stay_inside_their_comments():
    plain = compile_graph(*labelled_graph([""])).source.splitlines()
    for label in HOSTILE:
        eager, found, compiled = eager_and_compiled([label])
        assert found == eager and compiled.replays == 0
        source = compiled.source
        compile(source, "source", "exec")
        lines = source.splitlines()
        assert len(lines) == len(plain)  # no label ended its line
        assert all(len(line) < 400 for line in lines)  # a long label is cut


def test_each_label_is_shown_beside_its_nodes_lines():
    w, b = Value(0.5, label="w"), Value(0.1, label="b")
    hidden = (w * 2.0 + b).tanh()
    hidden.label = "hidden µ"
    loss = hidden * hidden
    loss.label = "loss"
    lines = compile_graph(loss, [w, b]).source.splitlines()
    assert "    v4 = tanh(v3)  # tanh 'hidden µ'" in lines
    assert "    v5 = v4 * v4  # 'loss'" in lines
    assert "    g0 = 2.0 * g3  # 'w'" in lines and "    g2 = g3  # 'b'" in lines
