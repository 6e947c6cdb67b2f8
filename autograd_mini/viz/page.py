"""The step player's page: HTML, CSS and the script that applies each step to one SVG.

Kept in a Python string so that the package needs no data files. The page is filled in
by player.py: @TITLE@ (escaped text), @SVG@ (the one layout, inline) and @TRACE@ (the
steps as JSON, every "<" escaped). The script reads the SVG's ids (see viz.digraph):
v3 is the record of the Value at order[3], v3_op its op, v3_in0 its first argument's
edge; a record's last two <text> elements are its data and grad fields.
"""
from __future__ import annotations

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>@TITLE@</title>
<style>
  body { font-family: Helvetica, Arial, sans-serif; margin: 1em 1.5em; }
  h1 { font-size: 1.3em; margin: 0 0 0.3em; }
  .help { margin: 0 0 0.6em; color: #444; max-width: 60em; font-size: 0.9em; }
  #controls { display: flex; flex-wrap: wrap; gap: 0.6em 1em; align-items: center;
              margin-bottom: 0.5em; }
  #slider { width: 18em; }
  button { font-size: 1em; padding: 0.25em 0.9em; }
  #caption { height: 9em; overflow-y: auto; border: 1px solid #ccc; border-radius: 4px;
             padding: 0.4em 0.7em; background: #fafafa; box-sizing: border-box; }
  #caption .phase { font-weight: bold; margin-bottom: 0.2em; }
  #caption .line { font-family: Menlo, Consolas, monospace; font-size: 0.9em;
                   white-space: pre-wrap; }
  #caption .sum { font-weight: bold; }
  #frame { overflow: auto; max-height: 75vh; margin-top: 0.5em; }
  #frame.fit svg { max-width: 100%; height: auto; }
  #check-summary.ok { color: #1e7b34; font-weight: bold; }
  #check-summary.bad { color: #b3261e; font-weight: bold; }
  #check-table td, #check-table th { padding: 0.1em 0.8em; text-align: right; }
  #check-table .ok { color: #1e7b34; }
  #check-table .bad { color: #b3261e; }
  svg .node { cursor: pointer; }
  svg .future { opacity: 0.18; }
  svg .node.current polygon { fill: #ffd84d; stroke: #c0392b; stroke-width: 3px; }
  svg .node.current ellipse { fill: #ffd84d; stroke: #c0392b; stroke-width: 2px; }
  svg .node.source polygon { stroke: #e67e22; stroke-width: 3px; }
  svg .edge.active path { stroke: #e67e22; stroke-width: 3px; }
  svg .edge.active polygon { fill: #e67e22; stroke: #e67e22; }
  svg .fd-ok polygon { fill: #b7e4b0; stroke: #1e7b34; stroke-width: 3px; }
  svg .fd-bad polygon { fill: #f5b7b1; stroke: #b3261e; stroke-width: 3px; }
  svg .fd-na polygon { fill: #dddddd; stroke: #777777; stroke-width: 3px; }
  svg text.local { font: 9px Helvetica, Arial, sans-serif; fill: #1f5fa8;
                   paint-order: stroke; stroke: white; stroke-width: 3px; }
  svg .edge.active text.local { font-weight: bold; fill: #a04000; }
  svg .future text.local, #frame.no-locals text.local { display: none; }
  #frame.no-locals .edge.active text.local { display: inline; }
</style>
</head>
<body>
<h1>@TITLE@</h1>
<p class="help">Forward: the values in topological order, each op keeping its edges'
local derivatives. Backward: in reverse order, each gradient is the sum over the edges
out of a value of (gradient there) &times; (local derivative). Keys: &larr; &rarr;
Home End; click a value to see its gradient computed.</p>
<div id="controls">
  <button id="prev" type="button">&#9664; Previous</button>
  <input id="slider" type="range" min="0" max="0" value="0" aria-label="step">
  <button id="next" type="button">Next &#9654;</button>
  <span id="counter"></span>
  <label><input id="locals" type="checkbox" checked> local derivatives on edges</label>
  <button id="check" type="button">Check gradients numerically</button>
  <button id="zoom" type="button">Full size</button>
</div>
<div id="caption" aria-live="polite"></div>
<div id="frame" class="fit">
@SVG@
</div>
<p id="check-summary"></p>
<table id="check-table"></table>
<script type="application/json" id="trace">@TRACE@</script>
<script>
"use strict";
const T = JSON.parse(document.getElementById("trace").textContent);
const N = T.names.length, LAST = 2 * N - 1;
const $ = (id) => document.getElementById(id);
const slider = $("slider"), frame = $("frame");
slider.max = LAST;

// The SVG's parts, found once: the picture is laid out once and never redrawn.
const nodes = [], ops = [], outs = [], dataText = [], gradText = [];
for (let i = 0; i < N; i++) {
  nodes.push($("v" + i));
  ops.push($("v" + i + "_op"));
  outs.push($("v" + i + "_out"));
  const texts = nodes[i].getElementsByTagName("text");
  dataText.push([texts[texts.length - 2], texts[texts.length - 2].textContent]);
  gradText.push([texts[texts.length - 1], texts[texts.length - 1].textContent]);
  nodes[i].addEventListener("click", () => show(N + (N - 1 - i)));
}
const inEdges = T.names.map(() => []), outEdges = T.names.map(() => []);
const inputs = T.names.map(() => []);
for (const [parent, child, position, local] of T.edges) {
  const edge = $("v" + child + "_in" + position);
  inEdges[child].push(edge);
  inputs[child].push(parent);
  outEdges[parent].push([edge, child]);
  const path = edge.querySelector("path");
  const point = path.getPointAtLength(path.getTotalLength() * 0.7);  // crossings are mid-way
  const label = document.createElementNS("http://www.w3.org/2000/svg", "text");
  label.setAttribute("class", "local");
  label.setAttribute("x", point.x);
  label.setAttribute("y", point.y - 3);
  label.setAttribute("text-anchor", "middle");
  label.textContent = local;
  edge.appendChild(label);
}

const known = new Array(N).fill(null), finished = new Array(N).fill(null);
let marked = [], current = 0;

function setKnown(i, yes) {  // the forward pass has computed node i (or not yet)
  if (known[i] === yes) return;
  known[i] = yes;
  for (const element of [nodes[i], ops[i], outs[i], ...inEdges[i]]) {
    if (element) element.classList.toggle("future", !yes);
  }
  dataText[i][0].textContent = yes ? dataText[i][1] : "data";
}

function setFinished(i, yes) {  // the backward pass has completed node i's gradient
  if (finished[i] === yes) return;
  finished[i] = yes;
  gradText[i][0].textContent = yes ? gradText[i][1] : "grad";
}

function mark(element, name) {
  if (!element) return;
  element.classList.add(name);
  marked.push([element, name]);
}

function caption(head, lines) {
  const box = $("caption");
  box.replaceChildren();
  const title = document.createElement("div");
  title.className = "phase";
  title.textContent = head;
  box.appendChild(title);
  lines.forEach((text, k) => {
    const line = document.createElement("div");
    line.className = "line" + (k === lines.length - 1 && lines.length > 2 ? " sum" : "");
    line.textContent = text;
    box.appendChild(line);
  });
  box.scrollTop = 0;
}

function show(step) {
  current = Math.max(0, Math.min(LAST, step));
  const forward = current < N;
  const node = forward ? current : LAST - current;
  for (let i = 0; i < N; i++) {
    setKnown(i, !forward || i <= node);
    setFinished(i, !forward && i >= node);
  }
  for (const [element, name] of marked) element.classList.remove(name);
  marked = [];
  mark(nodes[node], "current");
  mark(ops[node], "current");
  if (forward) {
    inEdges[node].forEach((edge) => mark(edge, "active"));
    inputs[node].forEach((parent) => mark(nodes[parent], "source"));
  } else {
    for (const [edge, child] of outEdges[node]) {
      mark(edge, "active");
      mark(nodes[child], "source");
    }
  }
  const phase = forward ? "Forward pass" : "Backward pass";
  caption(phase + ", step " + (forward ? current + 1 : current - N + 1) + " of " + N + ": "
          + (forward ? "the value of " : "the gradient of ") + T.names[node],
          forward ? T.forward[node] : T.backward[node]);
  $("counter").textContent = (current + 1) + " / " + (LAST + 1);
  slider.value = current;
  $("prev").disabled = current === 0;
  $("next").disabled = current === LAST;
  if (!frame.classList.contains("fit")) follow(nodes[node]);
}

function follow(element) {  // scroll the full-size picture, never the page, to the node
  const view = frame.getBoundingClientRect(), box = element.getBoundingClientRect();
  if (box.left < view.left || box.right > view.right) {
    frame.scrollLeft += box.left + box.width / 2 - (view.left + view.width / 2);
  }
  if (box.top < view.top || box.bottom > view.bottom) {
    frame.scrollTop += box.top + box.height / 2 - (view.top + view.height / 2);
  }
}

function check() {
  show(LAST);
  let agree = 0;
  const table = $("check-table");
  table.replaceChildren();
  const header = table.insertRow();
  for (const text of ["value", "backprop", "central difference", ""]) {
    const cell = document.createElement("th");
    cell.textContent = text;
    header.appendChild(cell);
  }
  for (const [i, grad, numeric, status, note] of T.check) {
    for (const name of ["fd-ok", "fd-bad", "fd-na"]) nodes[i].classList.remove(name);
    nodes[i].classList.add("fd-" + status);
    agree += status === "ok";
    const row = table.insertRow();
    row.className = status;
    for (const text of [T.names[i], grad, numeric, note]) row.insertCell().textContent = text;
  }
  const summary = $("check-summary");
  summary.className = agree === T.check.length ? "ok" : "bad";
  summary.textContent = agree + " of " + T.check.length + " leaf gradients agree with a "
    + "central difference (f(x + h) - f(x - h)) / 2h, h = " + T.eps
    + ", within " + T.tolerance + ".";
}

$("prev").addEventListener("click", () => show(current - 1));
$("next").addEventListener("click", () => show(current + 1));
slider.addEventListener("input", () => show(Number(slider.value)));
$("check").addEventListener("click", check);
$("locals").addEventListener("change", (event) => {
  frame.classList.toggle("no-locals", !event.target.checked);
});
$("zoom").addEventListener("click", (event) => {
  const fit = frame.classList.toggle("fit");
  event.target.textContent = fit ? "Full size" : "Fit to width";
  if (!fit) follow(nodes[current < N ? current : LAST - current]);
});
document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  const moves = { ArrowLeft: current - 1, ArrowRight: current + 1, Home: 0, End: LAST };
  if (event.key in moves) {
    event.preventDefault();  // a focused slider would move a second time
    show(moves[event.key]);
  }
});
// A picture shrunk below 60% to fit is unreadable: start at full size, following the step.
const svg = frame.querySelector("svg");
if (svg.getBoundingClientRect().width < 0.6 * svg.width.baseVal.value) $("zoom").click();
show(0);
</script>
</body>
</html>
"""
