"""The passes step by step: backward_steps' frames, write_steps' page and its files, and the
headless Chromium that tests/test_player*.py drive the page in."""
from __future__ import annotations

import base64
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

from autograd_mini.viz import render
from autograd_mini.viz.render import RenderableDigraph
from autograd_mini.engine import Value, topological_order
from autograd_mini.viz.steps import backward_steps, write_steps
from autograd_mini.viz.dot import GraphTooLargeError


def neuron() -> Value:
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(1.0, label="c")
    out = (a * b + c).tanh()
    out.label = "out"
    return out


def highlighted(graph) -> str:
    [name] = [line.split()[0] for line in graph.body if "highlight" in line]
    return name


def test_there_is_one_frame_per_value():
    out = neuron()
    assert len(list(backward_steps(out))) == len(topological_order(out)) == 6


def test_frames_highlight_the_values_in_reverse_topological_order():
    out = neuron()
    count = len(topological_order(out))
    # draw_dot names Values v0, v1, ... in topological order
    assert [highlighted(frame) for frame in backward_steps(out)] == [
        f"v{i}" for i in reversed(range(count))]


def test_gradients_not_yet_computed_are_blank():
    frames = list(backward_steps(neuron()))
    assert [frame.source.count("grad  }") for frame in frames] == [5, 4, 3, 2, 1, 0]


def test_steps_leave_the_gradients_of_one_fresh_backward_pass():
    out = neuron()
    out.backward()
    out.backward()  # gradients now doubled
    list(backward_steps(out))
    a = topological_order(out)[0]
    fresh = neuron()
    fresh.backward()
    assert a.grad == topological_order(fresh)[0].grad


def test_a_graph_over_the_steps_limit_is_refused_before_any_gradient_changes():
    x = Value(1.0)
    for _ in range(100):
        x = x + 1.0
    with pytest.raises(GraphTooLargeError, match="max_nodes=100"):
        next(backward_steps(x))
    assert x.grad == 0.0


def test_write_steps_writes_one_self_contained_page(tmp_path):
    page = write_steps(neuron(), tmp_path)
    assert page == tmp_path / "index.html"
    assert [p.name for p in tmp_path.iterdir()] == ["index.html"]


def test_the_page_loads_nothing_from_outside(tmp_path):
    page = write_steps(neuron(), tmp_path).read_text()
    assert not re.search(r"<script[^>]*\ssrc=|<link\b|<img\b|@import|url\(", page)


def test_the_graph_is_laid_out_once(tmp_path, monkeypatch):
    layouts = []
    real_pipe = RenderableDigraph.pipe
    monkeypatch.setattr(RenderableDigraph, "pipe",
                        lambda self, *a, **k: layouts.append(self) or real_pipe(self, *a, **k))
    page = write_steps(neuron(), tmp_path).read_text()
    assert len(layouts) == 1 and page.count("<svg") == 1


def test_frames_of_earlier_one_picture_per_step_pages_are_removed(tmp_path):
    for name in ("step-001.svg", "step-002.svg", "notes.txt", "step-x.svg"):
        (tmp_path / name).write_text("mine")
    write_steps(neuron(), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html", "notes.txt", "step-x.svg"]


def test_a_failing_renderer_leaves_an_earlier_page_as_it_was(tmp_path, monkeypatch):
    write_steps(neuron(), tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    failing = tmp_path.parent / "failing-dot"
    failing.write_text("#!/bin/sh\necho 'out of memory' >&2\nexit 1\n")
    failing.chmod(0o755)
    monkeypatch.setenv(render.ENV_VAR, str(failing))
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    with pytest.raises(render.RenderError, match="out of memory"):
        write_steps(a * b, tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_graph_over_the_limit_is_refused_before_any_gradient_changes(tmp_path):
    x = Value(1.0)
    for _ in range(10):
        x = x + 1.0
    with pytest.raises(GraphTooLargeError, match="max_nodes=10"):
        write_steps(x, tmp_path, max_nodes=10)
    assert x.grad == 0.0 and list(tmp_path.iterdir()) == []


def test_an_unprintable_label_on_the_output_still_gives_a_page(tmp_path):
    root = neuron()
    root.label = "out\x00\ud800"
    page = write_steps(root, tmp_path).read_text(encoding="utf-8")
    assert "<title>Forward and backward pass of out\\x00\\ud800</title>" in page


def test_a_label_cannot_close_the_pages_script(tmp_path):
    root = neuron()
    root.label = "</script><script>alert(1)</script><!--"
    page = write_steps(root, tmp_path).read_text(encoding="utf-8")
    assert page.count("<script") == 2 and page.count("</script>") == 2


# -- the page in a real browser ---------------------------------------------------

def chromium_or_skip() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required in CI: apt-get install -y chromium")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return found


# DevTools expects its pipe on fds 3 and 4. A tiny Python program puts it there and
# execs the browser: safe where preexec_fn is not (pytest-xdist workers run threads),
# and unlike dash's redirections it takes fds above 9.
_ON_FDS_3_AND_4 = """
import fcntl, os, sys
high = [fcntl.fcntl(int(fd), fcntl.F_DUPFD, 10) for fd in sys.argv[1:3]]
os.dup2(high[0], 3)
os.dup2(high[1], 4)
os.execv(sys.argv[3], sys.argv[3:])
"""


class Chromium:
    """Headless Chromium driven over the DevTools protocol on a pipe (fds 3 and 4).

    Needs no websocket library and no browser download: JSON messages end with NUL.
    """

    def __init__(self, executable: str, timeout: float = 30.0) -> None:
        self.timeout, self.next_id, self.buffer = timeout, 0, b""
        to_browser, self.writer = os.pipe()
        self.reader, from_browser = os.pipe()
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--remote-debugging-pipe"]
        self.profile = tempfile.TemporaryDirectory()
        self.process = subprocess.Popen(
            [sys.executable, "-c", _ON_FDS_3_AND_4, str(to_browser), str(from_browser),
             executable, *flags, f"--user-data-dir={self.profile.name}", "about:blank"],
            pass_fds=(to_browser, from_browser),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser)
        os.close(from_browser)

    def send(self, method: str, session: str | None = None, **params) -> dict:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.writer, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                reply = json.loads(raw)
                if reply.get("id") == self.next_id:  # events and other replies are skipped
                    assert "error" not in reply, f"{method}: {reply['error']}"
                    return reply["result"]
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.reader], [], [], left)[0]:
                raise TimeoutError(f"Chromium did not answer {method} in {self.timeout} s")
            chunk = os.read(self.reader, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed its DevTools pipe")
            self.buffer += chunk

    def open(self, url: str) -> str:
        """Open url in a new tab and return the session to talk to it."""
        target = self.send("Target.createTarget", url=url)["targetId"]
        return self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]

    def evaluate(self, session: str, expression: str):
        result = self.send("Runtime.evaluate", session, expression=expression, returnByValue=True)
        return result["result"].get("value")

    def click(self, session: str, selector: str) -> None:
        """A real left click in the middle of the element, as a user's mouse gives."""
        x, y = self.evaluate(session, f"(() => {{ const r = document.querySelector('{selector}')"
                                      ".getBoundingClientRect(); "
                                      "return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", session, type=kind, x=x, y=y,
                      button="left", clickCount=1)

    def press(self, session: str, key: str) -> None:
        """A real key press (down and up), as a user's keyboard gives."""
        codes = {"ArrowLeft": 37, "ArrowRight": 39, "Home": 36, "End": 35}
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", session, type=kind, key=key, code=key,
                      windowsVirtualKeyCode=codes[key])

    def screenshot(self, session: str, width: int, height: int) -> bytes:
        """A PNG of the page as shown in a window of width x height CSS pixels."""
        self.send("Emulation.setDeviceMetricsOverride", session, width=width, height=height,
                  deviceScaleFactor=1, mobile=False)
        return base64.b64decode(self.send("Page.captureScreenshot", session, format="png")["data"])

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (OSError, RuntimeError, TimeoutError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.writer)
        os.close(self.reader)
        self.profile.cleanup()


@pytest.fixture
def browser():
    chromium = Chromium(chromium_or_skip())
    yield chromium
    chromium.close()


def wait_for(browser: Chromium, session: str, expression: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while not (value := browser.evaluate(session, expression)):
        assert time.monotonic() < deadline, f"never true in the page: {expression}"
        time.sleep(0.05)
    return value


def test_a_label_that_looks_like_a_placeholder_of_the_page_stays_text(tmp_path):
    root = neuron()
    root.label = "@SVG@ @TRACE@ @TITLE@"
    page = write_steps(root, tmp_path).read_text(encoding="utf-8")
    trace = re.search(r'<script type="application/json" id="trace">(.*?)</script>', page)[1]
    assert page.count("<svg") == 1 and json.loads(trace)["names"][-1] == root.label
