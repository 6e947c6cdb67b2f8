"""The documentation site: the guide's examples run as shown, every public name is in the
reference with a docstring, a name without one fails the strict build, and the built site
works for a reader: its search, the reference's generated methods, the step player."""
from __future__ import annotations

import doctest
import functools
import html
import http.server
import importlib
import importlib.util
import inspect
import json
import os
import pkgutil
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import pytest

from chromium import wait_for

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference"
PAGES_WITH_EXAMPLES = sorted(page for page in DOCS.rglob("*.md") if ">>> " in page.read_text())

# The public modules of the API: their __all__ (else the functions and classes they
# define) is what the reference must show. nn's public modules are found, not listed.
ENGINE_MODULES = ("autograd_mini", "autograd_mini.compiler", "autograd_mini.viz",
                  "autograd_mini.testing", "autograd_mini.testing.strategies")


def _hook(name: str) -> ModuleType:
    """A module of docs/hooks/, as mkdocs loads it: by its path."""
    spec = importlib.util.spec_from_file_location(f"docs_hooks_{name}", DOCS / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


docstrings = _hook("docstrings")


def _public_modules() -> list[str]:
    import nn

    found = [info.name for info in pkgutil.iter_modules(nn.__path__, "nn.")
             if not info.name.split(".")[-1].startswith("_")]
    return [*ENGINE_MODULES, "nn", *sorted(found)]


def _documentable(value: object) -> bool:
    return inspect.isclass(value) or callable(value)


def _mkdocs_or_skip() -> None:
    if importlib.util.find_spec("mkdocs") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("mkdocs is required in CI: make docs installs the docs extra")
        pytest.skip("mkdocs is not installed (make docs, or pip install -e '.[docs]')")


def _environment(*paths: Path) -> dict[str, str]:
    """This tree first on the path, whatever copy of the package is installed."""
    path = os.pathsep.join([*map(str, paths), str(ROOT), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path, "NO_MKDOCS_2_WARNING": "1"}


def _build(config: Path, site: Path, *paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config),
                           "-d", str(site)], cwd=config.parent, env=_environment(*paths),
                          capture_output=True, text=True, timeout=300)


# -- the guide's examples -----------------------------------------------------------------

@pytest.mark.parametrize("page", PAGES_WITH_EXAMPLES, ids=lambda page: str(page.relative_to(DOCS)))
def test_the_examples_of_a_page_run_as_shown(page: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the files the examples write ("steps.html", ...) land here
    # A closing ``` fence would read as expected output: blank the fences first.
    text = re.sub(r"^```.*$", "", page.read_text(), flags=re.MULTILINE)
    test = doctest.DocTestParser().get_doctest(text, {}, page.name, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    assert runner.tries > 0
    assert runner.failures == 0


def test_the_guide_pages_have_examples() -> None:
    with_examples = {str(page.relative_to(DOCS)) for page in PAGES_WITH_EXAMPLES}
    for page in ("index.md", "engine.md", "own-ops.md", "higher-order.md", "compiled-graphs.md",
                 "training.md", "pictures.md", "testing.md", "from-micrograd.md",
                 "from-pytorch.md"):
        assert page in with_examples


# -- the reference ------------------------------------------------------------------------

@pytest.mark.parametrize("module", _public_modules())
def test_every_public_name_has_a_docstring(module: str) -> None:
    assert docstrings.undocumented(module) == []


def test_the_check_names_a_function_a_class_and_a_method_without_a_docstring(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bare_names.py").write_text(
        '__all__ = ["bare", "Thing", "VALUE"]\n'
        'VALUE = 3\n'
        'def bare(): pass\n'
        'class Thing:\n'
        '    def method(self): pass\n'
        '    def _private(self): pass\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    assert docstrings.undocumented("bare_names") == [
        "bare_names.bare", "bare_names.Thing", "bare_names.Thing.method"]


def test_an_override_keeps_the_docstring_of_the_method_it_overrides() -> None:
    from nn import MLP, Module

    assert MLP.config.__doc__ is None and Module.config.__doc__  # what this test relies on
    assert docstrings.undocumented("nn.MLP") == []


def test_the_reference_shows_every_public_name() -> None:
    text = "\n".join(page.read_text() for page in REFERENCE.glob("*.md"))
    shown: set[int] = set()
    for identifier in docstrings.DIRECTIVE.findall(text):
        target = docstrings.resolve(identifier)
        shown.add(id(target))
        if inspect.ismodule(target):
            shown.update(map(id, docstrings.public_names(target).values()))
    missing = []
    for module in _public_modules():
        for name, value in docstrings.public_names(importlib.import_module(module)).items():
            if _documentable(value) and id(value) not in shown:
                missing.append(f"{module}.{name}")
            elif not _documentable(value) and not re.search(rf"`([\w.]+\.)?{name}`", text):
                missing.append(f"{module}.{name} (a value: name it in the page's text)")
    assert missing == [], f"add `::: <module or name>` to a page of docs/reference/ for {missing}"


def test_the_reference_pages_are_all_in_the_nav() -> None:
    config = (ROOT / "mkdocs.yml").read_text()
    for page in REFERENCE.glob("*.md"):
        assert f"reference/{page.name}" in config


# -- strictness ---------------------------------------------------------------------------

def test_the_site_is_built_strict_by_make_docs_and_ci() -> None:
    config = (ROOT / "mkdocs.yml").read_text()
    assert re.search(r"^strict: true$", config, re.MULTILINE)
    assert "docs/hooks/docstrings.py" in config
    assert "$(BIN)/python -m mkdocs build --strict" in (ROOT / "Makefile").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "\nmake docs\n" in ci and "\nmake test\n" in ci


def _tiny_site(tmp_path: Path, function_source: str) -> subprocess.CompletedProcess:
    """A one-page site with the real config's hooks and reference options, showing a module
    with one function."""
    import yaml

    (tmp_path / "tiny_api.py").write_text(function_source)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Tiny\n\n::: tiny_api\n")
    real = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    [mkdocstrings] = [plugin["mkdocstrings"] for plugin in real["plugins"]
                      if isinstance(plugin, dict) and "mkdocstrings" in plugin]
    options = mkdocstrings["handlers"]["python"]["options"]
    options["extensions"] = [{str(ROOT / path): settings} for extension in options["extensions"]
                             for path, settings in extension.items()]
    config = {"site_name": "tiny", "strict": real["strict"], "validation": real["validation"],
              "hooks": [str(ROOT / hook) for hook in real["hooks"] if "docstrings" in hook],
              "plugins": [{"mkdocstrings": mkdocstrings}]}
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(config))
    return _build(tmp_path / "mkdocs.yml", tmp_path / "site", tmp_path)


def test_a_public_name_without_a_docstring_fails_the_strict_build(tmp_path: Path) -> None:
    _mkdocs_or_skip()
    build = _tiny_site(tmp_path, "def bare(x: int) -> int:\n    return x\n")
    assert build.returncode != 0
    assert "tiny_api.bare has no docstring" in build.stderr


def test_the_same_site_with_the_docstring_builds(tmp_path: Path) -> None:
    _mkdocs_or_skip()
    build = _tiny_site(tmp_path, 'def bare(x: int) -> int:\n    """x itself."""\n    return x\n')
    assert build.returncode == 0, build.stderr
    assert "x itself." in (tmp_path / "site" / "index.html").read_text()


# -- the built site, as a reader sees it --------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole site, built strict into a temporary folder."""
    _mkdocs_or_skip()
    folder = tmp_path_factory.mktemp("site")
    build = _build(ROOT / "mkdocs.yml", folder)
    assert build.returncode == 0, build.stderr
    return folder


@pytest.mark.slow
def test_the_reference_shows_the_op_methods_made_at_import(site: Path) -> None:
    from autograd_mini import Value

    page = (site / "reference" / "engine" / "index.html").read_text()
    assert 'id="autograd_mini.Value.tanh"' in page
    assert Value.tanh.__doc__.split(";")[0].split(": ")[1] in page  # "hyperbolic tangent"


@pytest.mark.slow
def test_every_notebook_is_a_page_with_its_saved_outputs(site: Path) -> None:
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        page = (site / "notebooks" / notebook.stem / "index.html").read_text()
        printed = [output for cell in json.loads(notebook.read_text())["cells"]
                   for output in cell.get("outputs", []) if output["output_type"] == "stream"]
        first_line = "".join(printed[0]["text"]).splitlines()[0].strip()
        assert html.escape(first_line, quote=False) in page, notebook.name


@pytest.mark.slow
def test_the_step_player_page_is_self_contained(site: Path) -> None:
    page = (site / "assets" / "step_player.html").read_text()
    assert "<svg" in page and 'id="next"' in page
    assert not re.search(r"""(src|href)=["']https?:""", page)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def _served(folder: Path) -> Iterator[str]:
    """folder over http on localhost (Material's search loads its index by fetch)."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _open(browser, url: str) -> str:
    session = browser.open(url)
    browser.send("Emulation.setDeviceMetricsOverride", session, width=1280, height=900,
                 deviceScaleFactor=1, mobile=False)  # wide enough for the search box
    # the new tab is about:blank, 'complete' too, until the navigation replaces it
    wait_for(browser, session, f"location.href.startsWith({url!r}) && "
                               "document.readyState === 'complete'")
    return session


def _type(browser, session: str, text: str) -> None:
    """Real key presses, as a user's keyboard gives."""
    for character in text:
        browser.send("Input.dispatchKeyEvent", session, type="keyDown", key=character,
                     text=character)
        browser.send("Input.dispatchKeyEvent", session, type="keyUp", key=character)


def test_the_home_page_renders_and_the_search_finds_primitive(browser, site: Path) -> None:
    with _served(site) as url:
        session = _open(browser, url)
        title = browser.evaluate(session, "document.querySelector('h1').innerText")
        assert title.startswith("Getting started")  # and its permalink mark
        assert browser.evaluate(session, "document.querySelector('h1').offsetHeight") > 0
        browser.click(session, "input.md-search__input")
        _type(browser, session, "primitive")
        wait_for(browser, session, "document.querySelectorAll('.md-search-result__item').length")
        results = browser.evaluate(session, "[...document.querySelectorAll("
                                            "'.md-search-result__item')].map(e => e.innerText)")
        assert any("primitive" in result for result in results)


def test_the_reference_page_shows_value_tanh_with_its_docstring(browser, site: Path) -> None:
    with _served(site) as url:
        session = _open(browser, url + "reference/engine/#autograd_mini.Value.tanh")
        shown = browser.evaluate(session, "document.getElementById('autograd_mini.Value.tanh')"
                                          ".closest('.doc-object').innerText")
        assert shown.split()[0] == "tanh" and "hyperbolic tangent" in shown
        assert browser.evaluate(session, "document.getElementById('autograd_mini.Value.tanh')"
                                         ".getBoundingClientRect().height") > 0


def test_next_in_the_embedded_step_player_changes_the_caption(browser, site: Path) -> None:
    with _served(site) as url:
        session = _open(browser, url + "pictures/")
        frame = "document.getElementById('step-player')"
        wait_for(browser, session, f"{frame}.contentDocument.readyState === 'complete' && "
                                   f"{frame}.contentDocument.getElementById('caption').innerText")
        caption = f"{frame}.contentDocument.getElementById('caption').innerText"
        before = browser.evaluate(session, caption)
        browser.evaluate(session, f"{frame}.scrollIntoView()")
        # a real click on the frame's Next button: its place in the frame plus the frame's
        x, y = browser.evaluate(session, f"""(() => {{
            const frame = {frame}, outer = frame.getBoundingClientRect();
            const inner = frame.contentDocument.getElementById('next').getBoundingClientRect();
            return [outer.x + frame.clientLeft + inner.x + inner.width / 2,
                    outer.y + frame.clientTop + inner.y + inner.height / 2]; }})()""")
        for kind in ("mousePressed", "mouseReleased"):
            browser.send("Input.dispatchMouseEvent", session, type=kind, x=x, y=y,
                         button="left", clickCount=1)
        wait_for(browser, session, f"{caption} !== {json.dumps(before)}")
        assert "step 2 of" in browser.evaluate(session, caption)


def test_the_engine_page_lists_exactly_the_functions_of_the_op_table() -> None:
    from autograd_mini.ops import UNARY

    text = (DOCS / "engine.md").read_text()
    after_marker = text.split("<!-- ops: generated from autograd_mini/ops.py", 1)[1]
    listed = after_marker.split("`", 2)[1].split()
    expected = [f"{row.name}({row.param[0]}={row.param[1]})" if row.param else row.name
                for row in UNARY if not row.method]
    assert listed == expected


def test_the_engine_page_lists_exactly_the_two_operand_functions_of_the_op_table() -> None:
    from autograd_mini.ops import PAIRWISE

    text = (DOCS / "engine.md").read_text()
    after_marker = text.split("<!-- two-operand ops: generated from autograd_mini/ops.py", 1)[1]
    listed = after_marker.split("`", 2)[1]
    assert listed == " ".join(f"{row.name}(x, y)" for row in PAIRWISE)
