"""A griffe extension: the reference reads the source, and takes from the running package
what the source does not hold.

- Value's op methods (tanh, exp, ...) are made at import from ops.py's rows
  (opgen.install): they are added from the running class with the row's docstring, and
  with the signature that table_methods.py declares for type checkers (the option
  `declared_in` maps a class to the class declaring its generated methods).
- The functions exp(x), tanh(x), ... are declared for type checkers in functions.py and
  made at import: they keep the declared signature and take the running one's docstring.
- A method that overrides a documented one without a docstring of its own (MLP.config
  overriding Module.config) shows the docstring of the one it overrides, as help() does
  (from a base class of the same package only).
"""
from __future__ import annotations

import inspect
from typing import Any

import griffe

_KINDS = {inspect.Parameter.POSITIONAL_ONLY: griffe.ParameterKind.positional_only,
          inspect.Parameter.POSITIONAL_OR_KEYWORD: griffe.ParameterKind.positional_or_keyword,
          inspect.Parameter.VAR_POSITIONAL: griffe.ParameterKind.var_positional,
          inspect.Parameter.KEYWORD_ONLY: griffe.ParameterKind.keyword_only,
          inspect.Parameter.VAR_KEYWORD: griffe.ParameterKind.var_keyword}


def _running(path: str) -> Any:
    if "__main__" in path.split("."):
        return None  # `python -m autograd_mini`'s module runs the command line when imported
    try:
        return griffe.dynamic_import(path)
    except (ImportError, AttributeError):
        return None


def _docstring(text: str, parent: griffe.Object, agent: Any) -> griffe.Docstring:
    return griffe.Docstring(text, parent=parent, parser=agent.docstring_parser,
                            parser_options=agent.docstring_options)


def _annotation(annotation: Any) -> str | None:
    if annotation is inspect.Parameter.empty:
        return None
    return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)


def _function(name: str, running: Any, parent: griffe.Object, agent: Any) -> griffe.Function:
    """A griffe Function for a function or method that exists only at run time."""
    signature = inspect.signature(running)
    parameters = griffe.Parameters(*[
        griffe.Parameter(p.name, kind=_KINDS[p.kind], annotation=_annotation(p.annotation),
                         default=None if p.default is p.empty else repr(p.default))
        for p in signature.parameters.values()])
    function = griffe.Function(name, parameters=parameters,
                               returns=_annotation(signature.return_annotation), parent=parent)
    function.docstring = _docstring(inspect.getdoc(running) or "", function, agent)
    return function


class RuntimeDocs(griffe.Extension):
    """Add the methods made at import, and the docstrings the source does not hold."""

    def __init__(self, declared_in: dict[str, str] | None = None) -> None:
        super().__init__()
        self.declared_in = declared_in or {}
        self.generated: dict[str, list[str]] = {}  # class path -> the methods added to it

    def on_package(self, *, pkg: griffe.Module, loader: Any, **kwargs: Any) -> None:
        for class_path, declaring_path in self.declared_in.items():
            if class_path.split(".")[0] != pkg.path:
                continue
            cls, declaring = loader.modules_collection[class_path], \
                loader.modules_collection[declaring_path]
            for name in self.generated.get(class_path, ()):
                declared = declaring.members.get(name)
                if declared is not None:
                    cls.members[name].parameters = declared.parameters
                    cls.members[name].returns = declared.returns

    def on_module_members(self, *, mod: griffe.Module, agent: Any, **kwargs: Any) -> None:
        running = _running(mod.path)
        if not hasattr(running, "__all__"):
            return
        # __all__ = [*FUNCTIONS, "clamp"]: the running list, which the source cannot show
        mod.exports = list(running.__all__)
        for name in running.__all__:
            value = getattr(running, name)
            if name not in mod.members and inspect.isfunction(value):
                # declared only as @overloads for type checkers (maximum, minimum)
                function = _function(name, value, mod, agent)
                function.overloads = mod.overloads.get(name)
                mod.set_member(name, function)

    def on_class_members(self, *, cls: griffe.Class, agent: Any, **kwargs: Any) -> None:
        running = _running(cls.path)
        if not inspect.isclass(running):
            return
        for name, value in vars(running).items():
            if name.startswith("_") or name in cls.members or not inspect.isfunction(value):
                continue
            if value.__code__.co_filename.startswith("<"):  # made by exec: not in any source
                cls.set_member(name, _function(name, value, cls, agent))
                self.generated.setdefault(cls.path, []).append(name)

    def on_function_instance(self, *, func: griffe.Function, agent: Any, **kwargs: Any) -> None:
        if func.docstring is not None or func.name.startswith("__"):
            return
        if isinstance(func.parent, griffe.Class):
            doc = inherited_doc(_running(func.parent.path), func.name)
        else:
            doc = getattr(_running(func.path), "__doc__", None)
        if doc:
            func.docstring = _docstring(inspect.cleandoc(doc), func, agent)


def inherited_doc(cls: Any, name: str) -> str | None:
    """The docstring of cls's attribute `name`: its own, or that of the nearest base class
    defining it, if that base is of the same package (not object's "Initialize self")."""
    if not inspect.isclass(cls):
        return None
    package = cls.__module__.split(".")[0]
    for klass in cls.__mro__:
        if name in vars(klass):
            if klass.__module__.split(".")[0] != package:
                return None
            attribute = vars(klass)[name]
            doc = getattr(getattr(attribute, "__func__", attribute), "__doc__", None)
            if doc and doc.strip():
                return doc
    return None
