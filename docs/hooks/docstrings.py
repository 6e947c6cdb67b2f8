"""Make a public name without a docstring fail the strict build.

mkdocstrings leaves an object that has no docstring out of its page without a word.
This hook says so instead, as a warning, which `mkdocs build --strict` turns into a
failure. It checks what every `::: identifier` of a page names, as the reference shows
it: a function or a class; a class's public methods and properties, inherited ones from
the same package included; for a module, every public name (its `__all__`, else the
functions and classes it defines) and their members. Values such as `__version__` carry
no docstring of their own and are left to the page's text.

tests/project/test_docs.py uses the same functions to check every public name.
"""
from __future__ import annotations

import importlib
import inspect
import logging
import re
from types import ModuleType
from typing import Any

# Under "mkdocs", whose warnings the strict build counts; plain logging, so that the
# tests can import these functions without mkdocs installed.
log = logging.getLogger("mkdocs.plugins.docstrings")

DIRECTIVE = re.compile(r"^::: *([\w.]+)", re.MULTILINE)


def resolve(identifier: str) -> Any:
    """The object a directive names: the longest importable module, then attributes."""
    parts = identifier.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for part in parts[cut:]:
            found = getattr(found, part)
        return found
    raise ModuleNotFoundError(f"no module in {identifier!r}")


def public_names(module: ModuleType) -> dict[str, Any]:
    """A module's public names: its __all__, else the functions and classes it defines."""
    if hasattr(module, "__all__"):
        return {name: getattr(module, name) for name in module.__all__}
    return {name: value for name, value in vars(module).items()
            if not name.startswith("_") and (inspect.isfunction(value) or inspect.isclass(value))
            and value.__module__ == module.__name__}


def members(cls: type) -> dict[str, Any]:
    """A class's public methods and properties, as the reference shows them: its own and
    those it inherits from classes of the same package (not object's or Exception's)."""
    package = cls.__module__.split(".")[0]
    found: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        if klass.__module__.split(".")[0] != package:
            continue
        for name, value in vars(klass).items():
            if isinstance(value, (staticmethod, classmethod)):
                value = value.__func__
            if not name.startswith("_") and (inspect.isfunction(value) or
                                             isinstance(value, property)):
                found[name] = value
    return found


def _has_docstring(value: Any) -> bool:
    # A class's own __doc__, as the reference reads it: a class inherits none.
    doc = vars(value).get("__doc__") if inspect.isclass(value) else getattr(value, "__doc__", None)
    return bool(doc and doc.strip())


def _member_documented(cls: type, name: str) -> bool:
    # As runtime_docs.py gives the reference: the member's own docstring, or that of the
    # method it overrides in a base class of the same package.
    package = cls.__module__.split(".")[0]
    for klass in cls.__mro__:
        if name in vars(klass):
            if klass.__module__.split(".")[0] != package:
                return False
            attribute = vars(klass)[name]
            if _has_docstring(getattr(attribute, "__func__", attribute)):
                return True
    return False


def _documentable(value: Any) -> bool:
    return inspect.isclass(value) or inspect.isfunction(value) or callable(value) \
        or isinstance(value, property)


def undocumented(identifier: str) -> list[str]:
    """The names under `::: identifier` that the reference would show without a docstring."""
    target = resolve(identifier)
    if inspect.ismodule(target):
        named = {f"{identifier}.{name}": value for name, value in public_names(target).items()}
    else:
        named = {identifier: target}
    missing = []
    for name, value in named.items():
        if not _documentable(value):
            continue  # a value (a number, a string) is described by the page's text
        if not _has_docstring(value):
            missing.append(name)
        if inspect.isclass(value):
            missing += [f"{name}.{member}" for member in members(value)
                        if not _member_documented(value, member)]
    return missing


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """Warn for every name a page's `:::` directives would show without a docstring."""
    for identifier in DIRECTIVE.findall(markdown):
        try:
            missing = undocumented(identifier)
        except (ImportError, AttributeError):
            continue  # mkdocstrings reports a name it cannot find
        for name in missing:
            log.warning(f"{page.file.src_uri}: {name} has no docstring, so the reference "
                        "would leave it out; give it one that states its contract")
    return markdown

