"""Headless Chromium driven over the DevTools protocol, for the tests that open our
pages in a real browser (the `browser` fixture in conftest.py starts one)."""
from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

import pytest


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


def wait_for(browser: Chromium, session: str, expression: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while not (value := browser.evaluate(session, expression)):
        assert time.monotonic() < deadline, f"never true in the page: {expression}"
        time.sleep(0.05)
    return value
