"""Straight-line Python for a captured graph: a forward and a backward function per chunk.

Each node becomes lines made from its op's templates (forms.py, which works one row
through), e.g. for a tanh

    v7 = tanh(v3)  # tanh
    d7 = tanh_slope(v7, v3)

in forward_k (value, then local slope; a long slope is a helper written from the row),
and a term `d7 * g7` of g3 in backward_k: the chain rule, node after node in the reverse
of backprop's order. A node's terms wait until its gradient is needed and then go out as
one sum, in the order `Value.backward` adds them, so the floats are the same. What is
read only once is not given a line of its own: a gradient that passes through unchanged
(a `+`) is the operand's too, a gradient of one term is written inside the term that
reads it, and a value read once by an arithmetic op is written inside its reader's line
(`v9 = b + w0 * x0 + w1 * x1`): the same operations in the same order, fewer lines to
compile (compiling costs about a microsecond per syntax node).

Positions are cut into chunks of `plan.chunk_size`, so that no function is too large to
compile quickly. Functions pass numbers on through lists: V (the leaves' values, then
values read by a later chunk), S[k] (what backward_k needs from forward_k), G (gradients
a later chunk hands to an earlier one; the seeds first) and P[k] (the gradients of chunk
k's leaves). A chunk's forward is written first, then its backward, both from the same
names (_chunk_fields); the backward's writer returns which of forward's names it reads,
and those are what S[k] holds.

Every name in the code is ours (v7, g7, d7, ...): a node's label is never one, since
Python reads identifiers after NFKC normalisation (a label "ｖ1" would be v1). Labels
are shown as comments beside their nodes' lines, escaped so that none ends its line.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

from autograd_mini.compiler.capture import CONSTANT, INPUT, OP, PLACEHOLDER, Plan
from autograd_mini.compiler.forms import HELPERS, Form, form_of, literal, namespace, primitive_names

__all__ = ["Layout", "chunk_source", "helpers_source", "label_comment", "chunk_fields",
           "forward_parts", "backward_lines", "unpacked"]

_NAMESPACE = namespace()
# Deeper expressions would strain Python's compiler (a sum of many terms is one long chain).
_MOST_NESTED = 100
# Characters of a label shown in a comment (a label may be any length).
_LABEL_SHOWN = 40


def label_comment(label: str) -> str:
    """A label as comment text: repr() escapes every line break and unprintable character
    (bidi controls too), so that no label can end its comment's line or hide code."""
    return repr(label if len(label) <= _LABEL_SHOWN else label[:_LABEL_SHOWN] + "...")


class Layout:
    """Names, labels as comments, and where values and gradients cross chunks (their V
    and G slots)."""

    def __init__(self, plan: Plan) -> None:
        self.labels = {i: label_comment(label) for i, label in plan.labels.items()}
        self.roots = set(plan.roots)
        self.value_slot = dict(plan.leaf_slots)  # inputs and placeholders, then handovers
        self.values = plan.leaf_count            # the length V needs
        # G: the seeds, one per root, then the gradients handed over (self.grads: its length)
        self.seeds_at = plan.seeds_entering()  # position -> (root, seed's slot)
        self.last_term = _last_terms(plan, self.seeds_at)
        self.grad_slot: dict[int, int] = {}
        self.grads = len(plan.roots)
        chunk = plan.chunk_size
        for i, (kind, last) in enumerate(zip(plan.kinds, plan.last_use)):
            crosses = last // chunk != i // chunk
            if kind == OP and (crosses or i in self.roots) and i not in self.value_slot:
                self.value_slot[i] = self.values
                self.values += 1
            last = self.last_term.get(i, last)
            if plan.needs_grad[i] and last >= 0 and last // chunk != i // chunk:
                self.grad_slot[i] = self.grads
                self.grads += 1

    def value(self, i: int) -> str:
        """The name of node i's value."""
        return f"v{i}"

    def grad(self, i: int) -> str:
        """The name of node i's gradient."""
        return f"g{i}"

    def comment(self, i: int, text: str = "") -> str:
        """"  # text 'label'" for node i's line ("" when neither is there)."""
        shown = " ".join(filter(None, (text, self.labels.get(i))))
        return f"  # {shown}" if shown else ""


def _last_terms(plan: Plan, seeds_at: dict[int, list[tuple[int, int]]]) -> dict[int, int]:
    """For each seeded root, the last position adding to its gradient: a reader or a seed."""
    last: dict[int, int] = {}
    for position, entering in seeds_at.items():
        for root, _ in entering:
            last[root] = max(position, plan.last_use[root], last.get(root, -1))
    return last


def chunk_source(plan: Plan, layout: Layout, k: int) -> str:
    """The source of forward_k (which returns the values to check) and backward_k."""
    start = k * plan.chunk_size
    end = min(start + plan.chunk_size, len(plan))
    fields = chunk_fields(plan, layout, start, end)
    forward, checked = _forward_lines(plan, layout, start, end, fields)
    backward, saved = backward_lines(plan, layout, start, end, fields)
    if saved:  # forward's names that backward reads (slopes, operands) cross through S[k]
        forward.append(f"    S[{k}] = {_tuple(saved)}")
        backward.insert(0, f"    {_tuple(saved)[1:-1]} = S[{k}]")
    # The values that show a NaN or inf (the caller sums them; NaN or inf there means a
    # replay, which raises eager's error).
    forward.append(f"    return {_tuple(checked)}" if checked else "    return ()")
    return (f"def forward_{k}(V, S):\n" + "\n".join(forward) + "\n\n\n"
            f"def backward_{k}(G, S, P):\n" + "\n".join(backward or ["    pass"]) + "\n")


def helpers_source(plan: Plan) -> str:
    """The definitions of the helper functions the plan's code calls (forms.py)."""
    texts = {template for op in set(plan.ops) if op is not None
             for form in (form_of(op),) for template in (form.joint, form.value, *form.slopes)}
    called = {name: evaluator.__self__ for name, evaluator in primitive_names(plan.ops).items()}
    return "".join(source + "\n\n" for name, source in HELPERS.items()
                   if any(f"{name}(" in text for text in texts)) + "".join(
        f"# {name}: the primitive {label_comment(primitive.qualname)}, its function and "
        "slopes as eager calls them\n" for name, primitive in sorted(called.items()))


def _tuple(names: list[str]) -> str:
    return f"({names[0]},)" if len(names) == 1 else f"({', '.join(names)})"


def chunk_fields(plan: Plan, layout: Layout, start: int, end: int) -> dict[int, dict]:
    """The template fields of each op node of the chunk: operand and result names,
    constant, temporaries."""
    kinds, constants = plan.kinds, plan.constants
    found = {}
    for i in range(start, end):
        if kinds[i] != OP:
            continue
        fields = {"out": f"v{i}"}
        p = plan.parent1[i]
        fields["a"] = literal(constants[p]) if kinds[p] == CONSTANT else f"v{p}"
        p = plan.parent2[i]
        if p >= 0:
            fields["b"] = literal(constants[p]) if kinds[p] == CONSTANT else f"v{p}"
        if constants[i] is not None:
            fields["c"] = literal(constants[i])
        for name in form_of(plan.ops[i]).temporaries:
            fields[f"t_{name}"] = f"{name}{i}"
        found[i] = fields
    return found


def _forward_lines(plan: Plan, layout: Layout, start: int, end: int,
                   fields_of: dict[int, dict]) -> tuple[list[str], list[str]]:
    """forward_k's lines up to its return (the values read from V, each node's value and
    slopes, the values handed on through V), and the names of the values it computes,
    whose sum it returns."""
    imports, body, checked = forward_parts(plan, layout, start, end, fields_of)
    slot = layout.value_slot
    lines = unpacked([layout.value(p) for p in imports], [f"V[{slot[p]}]" for p in imports],
                      layout, imports)
    lines += body
    handed = [i for i in range(start, end) if plan.kinds[i] == OP and i in slot]
    if handed:
        first = slot[handed[0]]
        lines.append(f"    V[{first}:{first + len(handed)}] = "
                     f"{_tuple([layout.value(i) for i in handed])}")
    return lines, checked


def forward_parts(plan: Plan, layout: Layout, start: int, end: int,
                  fields_of: dict[int, dict]) -> tuple[list[int], list[str], list[str]]:
    """The positions of the leaves and earlier chunks' values that forward_k reads, its
    lines computing each node's value and slopes, and the names of the values computed
    (to check). A value read once by an arithmetic op goes inside its reader's line."""
    kinds, ops = plan.kinds, plan.ops
    parent1, parent2 = plan.parent1, plan.parent2
    imports: dict[int, None] = {}
    inlined: dict[int, tuple[str, int, int]] = {}  # node -> (expression, binding, depth)
    body: list[str] = []
    checked: list[str] = []
    for i in range(start, end):
        if kinds[i] != OP:
            continue
        form = form_of(ops[i])
        fields = fields_of[i]
        depth = 0
        for field, p in (("a", parent1[i]), ("b", parent2[i])):
            if p in inlined:
                text, binding, nested = inlined.pop(p)
                fields = {**fields, field: text if binding >= form.needs[field] else f"({text})"}
                depth = max(depth, nested + 1)
            elif p >= 0 and (kinds[p] in (INPUT, PLACEHOLDER) or (kinds[p] == OP and p < start)):
                imports[p] = None
        if form.joint:  # value and slopes from one helper
            slopes = ", ".join(_slope_name(i, form, n) for n in range(len(form.slopes)))
            body.append(f"    {fields['out']}, {slopes} = {form.joint.format(**fields)}"
                        f"{layout.comment(i, form.comment)}")
            checked.append(fields["out"])
            continue
        text = form.value.format(**fields)
        if form.producer and depth < _MOST_NESTED and _fits_in_reader(plan, layout, i, end):
            inlined[i] = (text, form.top, depth)
            continue
        for name, template in form.lets:
            body.append(f"    {name}{i} = {template.format(**fields)}")
        body.append(f"    {fields['out']} = {text}{layout.comment(i, form.comment)}")
        checked.append(fields["out"])
        for n, kind in enumerate(form.slope_kinds):
            if kind == "expr":
                body.append(f"    {_slope_name(i, form, n)} = {form.slopes[n].format(**fields)}")
    return list(imports), body, checked


def _fits_in_reader(plan: Plan, layout: Layout, i: int, end: int) -> bool:
    """Whether node i's value (a producer's) can be written inside the line of the one
    node reading it: nothing else reads it (backward neither), and a NaN or inf in it
    would show in the reader's value, which is checked."""
    reader = plan.last_use[i]
    if not plan.single_use[i] or reader >= end or i in layout.roots:
        return False
    field = "a" if plan.parent1[reader] == i else "b"
    return field in form_of(plan.ops[reader]).consumer


def _slope_name(i: int, form: Form, n: int) -> str:
    return f"d{i}_{n + 1}" if len(form.slopes) == 2 else f"d{i}"


def _slope_factor(plan: Plan, i: int, n: int, form: Form,
                  fields: dict[str, str]) -> tuple[str, bool]:
    """What multiplies node i's gradient for its operand n, and whether it is a name
    forward has to save: a literal ("1.0", "-1.0", "0.5"), an operand's or the result's
    name, or the name of a slope computed forward (d7; d7_1, d7_2)."""
    kind = form.slope_kinds[n]
    if kind == "constant":
        return _constant_slope(form.slopes[n], fields.get("c")), False
    if kind == "expr":
        return _slope_name(i, form, n), True
    operand = i if kind == "out" else plan.parent1[i] if kind == "a" else plan.parent2[i]
    return fields[kind], plan.kinds[operand] != CONSTANT


# Bounded: the keys hold the graphs' constants, which over a process's life have no limit.
@lru_cache(maxsize=4096)
def _constant_slope(template: str, constant: str | None) -> str:
    """A slope that reads at most the op's constant, as a literal: the same float eager
    computes, computed once here (eval of our own row's text)."""
    return literal(eval(template.format(c=constant), _NAMESPACE))


def backward_lines(plan: Plan, layout: Layout, start: int, end: int,
                   fields_of: dict[int, dict], accumulators: dict[int, str] | None = None
                   ) -> tuple[list[str], list[str]]:
    """backward_k's lines, and the names of forward_k's it reads, in the order it first
    reads them. Each node's terms wait until its gradient is read (or handed on at the
    chunk's end), then go out as one sum in the order they came, as Value.backward adds
    them. A gradient made of one term and read once is written inside the term reading it.
    The leaves named in `accumulators` add their terms into those variables (a running
    sum across calls, as eager's .grad) instead of going out through P[k]."""
    kinds, needs, slot = plan.kinds, plan.needs_grad, layout.grad_slot
    saved: dict[str, None] = {}  # forward's names read here, in order
    # node -> its gradient: a variable, or an expression read once
    acc: dict[int, str] = _gradients_begun(plan, layout, start, end)
    nested: dict[int, int] = {}  # node -> how deep its gradient's expression is
    pending: dict[int, list[str]] = {}  # node -> terms not yet added, in order
    lines = unpacked(list(acc.values()), [f"G[{slot[p]}]" for p in acc], layout, list(acc))
    acc.update(accumulators or {})
    for i in range(end - 1, start - 1, -1):
        for root, k in layout.seeds_at.get(i, ()):
            pending.setdefault(root, []).append(f"G[{k}]")
            nested.setdefault(root, 1)
        if kinds[i] != OP or not needs[i]:
            continue
        p1, p2 = plan.parent1[i], plan.parent2[i]
        reads = needs[p1] + (p2 >= 0 and needs[p2])  # terms this node's gradient goes into
        terms = pending.get(i)
        if (reads == 1 and terms and len(terms) == 1 and i not in acc
                and nested.get(i, 0) < _MOST_NESTED):
            term = pending.pop(i)[0]  # its one term, read once: no variable
            acc[i] = term if term.startswith("G[") else f"({term})"
        else:
            if i in pending:
                _add_pending(lines, layout, acc, pending, i)
                nested[i] = 0  # a variable: nothing nested
            if reads > 1 and acc[i].startswith("("):  # an expression read twice: compute it once
                lines.append(f"    {layout.grad(i)} = {acc[i]}{layout.comment(i)}")
                acc[i], nested[i] = layout.grad(i), 0
        g, depth = acc[i], nested.get(i, 0) + 1
        form = form_of(plan.ops[i])
        fields = fields_of[i]
        for n, p in enumerate((p1, p2)):
            if p < 0 or not needs[p]:
                continue
            factor, is_name = _slope_factor(plan, i, n, form, fields)
            if is_name:
                saved[factor] = None
            term = g if factor == "1.0" else f"-{g}" if factor == "-1.0" else f"{factor} * {g}"
            if term == g and plan.single_use[p] and p not in acc and kinds[p] == OP:
                acc[p] = g  # its one term, unchanged: it shares the gradient, never changed
                nested[p] = depth - 1
            else:
                pending.setdefault(p, []).append(term)
                nested[p] = max(nested.get(p, 0), depth)
    for p in sorted(pending):
        _add_pending(lines, layout, acc, pending, p)
    return lines + _handed_on(plan, layout, start, end, acc, accumulators or {}), list(saved)


def _gradients_begun(plan: Plan, layout: Layout, start: int, end: int) -> dict[int, str]:
    """The gradients this chunk reads from G, by node, in slot order: the sums a later
    chunk began."""
    slot = layout.grad_slot
    receivers = [p for p in _receivers(plan, layout, start, end) if p in slot]
    return {p: layout.grad(p) for p in sorted(receivers, key=slot.__getitem__)
            if layout.last_term.get(p, plan.last_use[p]) >= end}


def _handed_on(plan: Plan, layout: Layout, start: int, end: int, acc: dict[int, str],
               accumulated: dict[int, str]) -> list[str]:
    """backward_k's last lines: the gradients of earlier chunks' nodes into G, and those of
    the chunk's leaves (but the accumulated) into P[k]."""
    slot = layout.grad_slot
    handed = sorted((p for p in acc if p < start), key=slot.__getitem__)
    lines = unpacked([f"G[{slot[p]}]" for p in handed], [acc[p] for p in handed])
    leaves = [i for i in range(start, end)
              if plan.kinds[i] != OP and plan.needs_grad[i] and i not in accumulated]
    if leaves:
        lines.append(f"    P[{start // plan.chunk_size}] = {_tuple([acc[i] for i in leaves])}")
    return lines


def _receivers(plan: Plan, layout: Layout, start: int, end: int) -> list[int]:
    """The nodes whose gradient this chunk adds to or reads."""
    needs = plan.needs_grad
    found = {i: None for i in range(start, end) if needs[i]}
    found.update((root, None) for position, entering in layout.seeds_at.items()
                 if start <= position < end for root, _ in entering)
    for i in range(start, end):
        if plan.kinds[i] == OP and needs[i]:
            for p in (plan.parent1[i], plan.parent2[i]):
                if p >= 0 and needs[p]:
                    found[p] = None
    return list(found)


# Terms per line: a longer sum would nest too deeply for Python's compiler.
_TERMS_PER_LINE = 64


def _add_pending(lines: list[str], layout: Layout, acc: dict[int, str],
                 pending: dict[int, list[str]], p: int) -> None:
    """Write p's pending terms out, in order, into its gradient's variable (made here if it
    has none yet), and record the variable in acc."""
    terms = pending.pop(p, None)
    if not terms:
        return
    name = acc.get(p)
    if name is None:
        name = acc[p] = layout.grad(p)
        lines.append(f"    {name} = {' + '.join(terms[:_TERMS_PER_LINE])}{layout.comment(p)}")
        terms = terms[_TERMS_PER_LINE:]
    for first in range(0, len(terms), _TERMS_PER_LINE):
        lines.append(f"    {name} = {name} + {' + '.join(terms[first:first + _TERMS_PER_LINE])}")


def unpacked(targets: list[str], sources: list[str], layout: Layout | None = None,
              nodes: Sequence[int] = (), per_line: int = 8) -> list[str]:
    """`a, b = G[0], G[3]` lines, a few names each; given the layout, a line names the
    labels of its `nodes` ("# v0 'w', v2 'b'")."""
    labels = layout.labels if layout else {}
    lines = []
    for k in range(0, len(targets), per_line):
        line = f"    {', '.join(targets[k:k + per_line])} = {', '.join(sources[k:k + per_line])}"
        shown = [f"{name} {labels[i]}" for name, i in zip(targets[k:k + per_line],
                                                          nodes[k:k + per_line]) if i in labels]
        lines.append(f"{line}  # {', '.join(shown)}" if shown else line)
    return lines
