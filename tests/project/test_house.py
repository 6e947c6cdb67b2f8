"""The house's rules, read from the code: the core imports no satellite, nn uses only
autograd_mini's public names, and nothing decides by reading an error's message."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "autograd_mini"
SATELLITES = ("autograd_mini.compiler", "autograd_mini.viz", "autograd_mini.cli",
              "autograd_mini.testing", "nn")
# The public modules nn may import from, each by the names in its __all__ (ops is the
# op table, public to read; primitives gives definition() and UnaryPrimitive, with which
# nn accepts and types a user's @primitive as an activation).
PUBLIC = ("autograd_mini", "autograd_mini.ops", "autograd_mini.files", "autograd_mini.compiler",
          "autograd_mini.viz", "autograd_mini.primitives")
# The package's faces (__init__ re-exports lazily, __main__ runs the command line) aside.
CORE = sorted(path for path in PACKAGE.glob("*.py")
              if path.name not in ("__init__.py", "__main__.py"))
SOURCES = sorted([*PACKAGE.rglob("*.py"), *(ROOT / "nn").rglob("*.py")])


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(module, names, line) for every import in the file, relative ones made absolute."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([module] if module else []))
            found.append((module, [alias.name for alias in node.names], node.lineno))
    return found


def test_the_core_imports_no_satellite():
    assert CORE, "no core modules found"
    broken = [f"{_name(path)}:{line} imports {module}" for path in CORE
              for module, _, line in _imports(path)
              if any(module == s or module.startswith(s + ".") for s in SATELLITES)]
    assert not broken, "the core must not import a satellite:\n" + "\n".join(broken)


def test_nn_uses_only_the_public_names_of_autograd_mini():
    public = {module: set(importlib.import_module(module).__all__) for module in PUBLIC}
    broken = []
    for path in sorted((ROOT / "nn").rglob("*.py")):
        for module, names, line in _imports(path):
            if module.split(".")[0] != "autograd_mini":
                continue
            if module not in public:
                broken.append(f"{_name(path)}:{line} imports the private module {module}")
            else:
                broken += [f"{_name(path)}:{line} imports {module}.{name}, not in its __all__"
                           for name in names if name not in public[module]]
    assert not broken, "\n".join(broken)


def _mentions_message(node: ast.AST, caught: set[str]) -> bool:
    """Does node read the text of a caught error: str(error), f"{error}", error.args?"""
    for inner in ast.walk(node):
        if (isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name)
                and inner.func.id in ("str", "repr") and inner.args
                and isinstance(inner.args[0], ast.Name) and inner.args[0].id in caught):
            return True
        if (isinstance(inner, ast.FormattedValue) and isinstance(inner.value, ast.Name)
                and inner.value.id in caught):
            return True
        if (isinstance(inner, ast.Attribute) and inner.attr == "args"
                and isinstance(inner.value, ast.Name) and inner.value.id in caught):
            return True
    return False


_TEXT_TESTS = {"search", "match", "fullmatch", "sub", "split", "findall", "partition",
               "startswith", "endswith", "find", "index", "count", "replace"}


def _decisions_on_message(tree: ast.AST) -> list[int]:
    """Lines that compare, search or cut the message of an error caught in an except."""
    lines = []
    for handler in ast.walk(tree):
        if not isinstance(handler, ast.ExceptHandler) or not handler.name:
            continue
        caught = {handler.name}
        for node in ast.walk(ast.Module(body=handler.body, type_ignores=[])):
            if isinstance(node, ast.Compare) and _mentions_message(node, caught):
                lines.append(node.lineno)
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr in _TEXT_TESTS
                  and any(_mentions_message(part, caught)
                          for part in [node.func.value, *node.args])):
                lines.append(node.lineno)
    return lines


def test_no_code_decides_by_reading_an_error_message():
    broken = [f"{_name(path)}:{line}" for path in SOURCES
              for line in _decisions_on_message(ast.parse(path.read_text(encoding="utf-8")))]
    assert not broken, "decide by the error's type, not its text:\n" + "\n".join(broken)


@pytest.mark.parametrize("source", [
    'try:\n    f()\nexcept ValueError as error:\n    if "overflow" in str(error):\n        pass\n',
    'try:\n    f()\nexcept ValueError as e:\n    re.search("x", str(e))\n',
    'try:\n    f()\nexcept ValueError as e:\n    text = f"{e}".split(";")[0]\n',
])
def test_the_message_check_finds_a_decision_on_the_text(source):
    assert _decisions_on_message(ast.parse(source))
