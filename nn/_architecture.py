"""A model file's "architecture" entry: which class to build, with which constructor
arguments, checked against the file before anything is built (nn/serialization.py reads
and writes the file around it).

An entry is {"class": name, "config": {...}}. A Sequential built from its modules also has
"modules": [entry, ...], one per module in order: an nn class by its name, a class of yours
by "class" (its qualified name) and "module" (the module that defines it), found among the
modules already imported, as a primitive activation is (nothing is imported or run). A
primitive in a config is the string "primitive:<module>:<qualified name>".
"""
from __future__ import annotations

import inspect
import sys
from types import FunctionType, ModuleType
from typing import Any, Callable, NamedTuple, cast

from autograd_mini.primitives import definition
from nn._checks import short_repr, some_names
from nn.layers import Sequential
from nn.modules import Module, Shapes

# Constructor arguments that a file must never set: they would override load's own.
_RESERVED_ARGUMENTS = ("seed", "rng")
# How a config value names a primitive: "primitive:<module>:<qualified name>".
PRIMITIVE_PREFIX = "primitive:"


class Plan(NamedTuple):
    """A checked architecture entry: the class, its config (primitives found), and for a
    Sequential built from its modules the plans of those modules."""

    klass: type[Module]
    config: dict[str, Any]
    modules: list[Plan] | None


def _refused(message: str) -> ValueError:
    """nn.serialization's ModelFileError, imported when raised: serialization imports this."""
    from nn.serialization import ModelFileError
    return ModelFileError(message)


# --- writing ----------------------------------------------------------------------------------

def architecture_of(path: str, module: Module, nested: bool = False) -> dict[str, Any]:
    """The architecture entry of `module`; ModelFileError for one that load could not
    rebuild (a config that misses constructor arguments, a class it could not find)."""
    klass = type(module)
    entry: dict[str, Any] = {"class": klass.__name__}
    if nested and _builtin_modules().get(klass.__name__) is not klass:
        entry = {"class": klass.__qualname__, "module": klass.__module__}
        if _lookup(klass.__module__, klass.__qualname__) is not klass:
            raise _refused(f"cannot save to {path}: it holds a {klass.__qualname__}, which a "
                           f"model file cannot name ({klass.__module__}.{klass.__qualname__} "
                           f"does not lead back to it): define the class at the top level "
                           f"of a module")
    config = module.config()
    entry["config"] = _stored_config(path, config)
    if takes_modules(klass):
        entry["modules"] = [architecture_of(path, child, True)
                            for child in cast(Sequential, module)]
        return entry
    problems = _config_problems(klass, config)
    if problems:
        raise _refused(f"cannot save to {path}: {klass.__name__}.config() must give the "
                       f"arguments that rebuild it, {klass.__name__}(**config), but has "
                       f"{problems}; define config() to return them (as a dict)")
    return entry


def _stored_config(path: str, config: dict[str, Any]) -> dict[str, Any]:
    """config with each primitive as the string that names it; ModelFileError for a
    primitive that load could not find again by that name."""
    stored = {}
    for key, value in config.items():
        if isinstance(value, str) and value.startswith(PRIMITIVE_PREFIX):
            raise _refused(f"cannot save to {path}: config {key} is the string "
                           f"{short_repr(value)}, which load would read as the name "
                           f"of a primitive; give {key} another value")
        found = definition(value)
        if found is not None:
            module, qualname = getattr(value, "__module__", None), found.qualname
            if not isinstance(module, str) or _lookup(module, qualname) is not value:
                raise _refused(
                    f"cannot save to {path}: {key} is the primitive {qualname}, which a "
                    f"model file cannot name: {module}.{qualname} does not lead back to it "
                    f"(defined inside a function, or made from a lambda). Define it with "
                    f"@primitive on a def at the top level of a module")
            value = f"{PRIMITIVE_PREFIX}{module}:{qualname}"
        stored[key] = value
    return stored


# --- reading ----------------------------------------------------------------------------------

def top_class(cls: type[Module], path: str, architecture: Any) -> type[Module]:
    """The class of the file's architecture entry: `cls` itself, which the file must name,
    or for Module any class nn exports."""
    _check_entry(path, architecture, "\"architecture\" entry")
    name = architecture["class"]
    shown = short_repr(name)[1:-1]  # the name, shortened if huge, without its quotes
    if cls is Module:
        builtins = _builtin_modules()
        if name not in builtins:
            raise _refused(f"{path}: unknown module class {shown!r}; load it with "
                           f"{shown}.load(path) from the class that saved it")
        return builtins[name]
    if name != cls.__name__:
        raise _refused(f"{path}: the file holds a saved {shown}, not {cls.__name__}; "
                       f"use {shown}.load(path) or Module.load(path)")
    return cls


def plan(path: str, klass: type[Module], entry: dict[str, Any], where: str) -> Plan:
    """The checked plan for building `klass` from its architecture `entry`."""
    config = _loaded_config(path, entry["config"])
    problems = _config_problems(klass, config)
    if problems:
        raise _refused(f"{path}: invalid architecture for {klass.__name__}: {problems}; the "
                       f"file is corrupt or was not written by {klass.__name__}.save")
    modules = entry.get("modules")
    if not takes_modules(klass):
        if modules is not None:
            raise _refused(f"{path}: {where} has \"modules\", which only a Sequential's has "
                           f"(corrupt file?)")
        return Plan(klass, config, None)
    if not isinstance(modules, list):
        raise _refused(f"{path}: {where} needs a \"modules\" list, one entry per module of "
                       f"the {klass.__name__} (corrupt file?)")
    plans = []
    for i, child in enumerate(modules):
        inner = f"{where}.modules[{i}]"
        plans.append(plan(path, _nested_class(path, child, inner), child, inner))
    return Plan(klass, config, plans)


def build(path: str, planned: Plan) -> Module:
    """The module a plan describes, freshly built (with seed 0 for a class taking one)."""
    if planned.modules is not None:
        return planned.klass(*[build(path, child) for child in planned.modules])
    arguments = dict(planned.config)
    parameters = inspect.signature(planned.klass).parameters
    if "seed" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        arguments["seed"] = 0
    try:
        return planned.klass(**arguments)
    except (TypeError, ValueError) as error:
        raise _refused(f"{path}: invalid architecture {short_repr(planned.config)}: "
                       f"{error}") from None


def takes_modules(klass: type[Module]) -> bool:
    """Is klass built from its modules, as Sequential(*modules)?"""
    return issubclass(klass, Sequential) and klass.__init__ is Sequential.__init__


def _check_entry(path: str, entry: Any, what: str) -> None:
    if (not isinstance(entry, dict) or not isinstance(entry.get("class"), str)
            or not isinstance(entry.get("config"), dict)):
        raise _refused(f"{path}: missing or malformed {what} (needs \"class\" and \"config\")")


def _nested_class(path: str, entry: Any, where: str) -> type[Module]:
    """The class of a module entry inside a Sequential: an nn class by name, or a class of
    yours by name and module, already imported."""
    _check_entry(path, entry, where)
    name, module = entry["class"], entry.get("module")
    shown = short_repr(name)[1:-1]
    if module is None:
        found: object = _builtin_modules().get(name)
        if found is None:
            raise _refused(f"{path}: {where}: unknown module class {shown!r} (no \"module\" "
                           f"says where it is defined; corrupt file?)")
    elif not isinstance(module, str):
        raise _refused(f"{path}: {where}: \"module\" must be a module's name (corrupt file?)")
    elif not isinstance(sys.modules.get(module), ModuleType):
        raise _refused(f"{path}: {where} is a {shown} of module {short_repr(module)[1:-1]}, "
                       f"which is not imported (loading a model file imports no code); "
                       f"import it before loading")
    else:
        found = _lookup(module, name)
    if not (isinstance(found, type) and issubclass(found, Module)):
        raise _refused(f"{path}: {where}: {shown} is not a module class (corrupt file?)")
    return found


def _loaded_config(path: str, config: dict[str, Any]) -> dict[str, Any]:
    """config with each string that names a primitive replaced by that primitive."""
    return {key: _primitive_named(path, key, value)
            if isinstance(value, str) and value.startswith(PRIMITIVE_PREFIX) else value
            for key, value in config.items()}


def _primitive_named(path: str, key: str, text: str) -> Any:
    """The one-operand primitive that `text` names, found among the modules already
    imported; ModelFileError, saying what to import, when it is not there."""
    key, shown = short_repr(key)[1:-1], short_repr(text)  # a file's strings may be huge
    parts = text[len(PRIMITIVE_PREFIX):].split(":")
    if len(parts) != 2 or not all(parts):
        raise _refused(f"{path}: {key} {shown} is not a primitive's name (expected "
                       f"{PRIMITIVE_PREFIX}<module>:<qualified name>; corrupt file?)")
    module, qualname = (short_repr(part)[1:-1] for part in parts)
    if not isinstance(sys.modules.get(parts[0]), ModuleType):
        raise _refused(f"{path}: {key} is the primitive {qualname} of module {module}, "
                       f"which is not imported (loading a model file imports no code); "
                       f"import {module} before loading, so that its primitive "
                       f"{qualname} can be found")
    found = _lookup(*parts)
    primitive = definition(found) if isinstance(found, FunctionType) else None
    if primitive is None:
        kind = "plain function" if isinstance(found, FunctionType) else type(found).__name__
        held = (f"{module} has no {qualname}" if found is None
                else f"{module}.{qualname} is a {kind}, not a function made by @primitive")
        raise _refused(f"{path}: {key} names the primitive {qualname} of module "
                       f"{module}, but {held}; import the module that defines that "
                       f"primitive before loading")
    if primitive.arity != 1:
        raise _refused(f"{path}: {key} names {module}.{qualname}, a primitive of "
                       f"{primitive.arity} operands; an activation takes one")
    return found


def _lookup(module: str, qualname: str) -> object:
    """What module.qualname holds, among the modules already imported, or None. Plain
    lookups only: no import, no module __getattr__ (autograd_mini's imports its
    satellites), no property or other descriptor run."""
    found: object = sys.modules.get(module)
    for name in qualname.split("."):
        if not isinstance(found, (ModuleType, type)):
            return None
        found = inspect.getattr_static(found, name, None)
    return found


def _config_problems(klass: type[Module], config: dict[str, Any]) -> str:
    """What keeps klass(**config) from being called (keys the constructor does not take,
    or required ones missing); "" when nothing does."""
    arguments = inspect.signature(klass).parameters
    named = [name for name, argument in arguments.items()
             if argument.kind in (argument.POSITIONAL_OR_KEYWORD, argument.KEYWORD_ONLY)
             and name not in _RESERVED_ARGUMENTS]
    takes_any = any(argument.kind is argument.VAR_KEYWORD for argument in arguments.values())
    unexpected = [key for key in config
                  if key in _RESERVED_ARGUMENTS or not (takes_any or key in named)]
    missing = [name for name in named
               if arguments[name].default is arguments[name].empty and name not in config]
    return key_problems(missing, unexpected, "config keys")


# --- shapes -----------------------------------------------------------------------------------

def check_declared_shapes(path: str, planned: Plan, parameters: dict[str, Any]) -> None:
    """For the classes that declare their parameter shapes, every parameter their config
    declares is in the file with its full shape: so the model that gets built is no bigger
    than the file."""
    try:
        shapes, complete = _declared_shapes(planned)
    except (TypeError, ValueError) as error:
        raise _refused(f"{path}: invalid architecture {short_repr(planned.config)}: "
                       f"{error}") from None
    try:
        _check_shapes(shapes, parameters, complete)
    except ValueError as error:
        raise _refused(f"{path}: parameters do not fit the architecture "
                       f"{_declared(planned)}: {error}") from None


def _declared_shapes(planned: Plan, prefix: str = "") -> tuple[Shapes, bool]:
    """The shapes declared by the plan's classes, and whether all of them declare theirs
    (else a parameter not declared may belong to a module that does not say)."""
    if planned.modules is None:
        shapes_of = _shapes_function(planned.klass)
        if shapes_of is None:
            return {}, False
        declared = shapes_of(planned.config)
        if declared is None:
            return {}, False
        return {prefix + name: shape for name, shape in declared.items()}, True
    shapes: Shapes = {}
    complete = True
    for i, child in enumerate(planned.modules):
        child_shapes, child_complete = _declared_shapes(child, f"{prefix}{i}.")
        shapes.update(child_shapes)
        complete = complete and child_complete
    return shapes, complete


def _check_shapes(shapes: Shapes, parameters: dict[str, Any], complete: bool) -> None:
    missing = [name for name in shapes if name not in parameters]
    unexpected = [name for name in parameters if complete and name not in shapes]
    if missing or unexpected:
        raise ValueError(key_problems(missing, unexpected, "keys"))
    for name, shape in shapes.items():
        _check_shape(parameters[name], shape, name)


def _check_shape(data: Any, shape: tuple[int, ...], where: str) -> None:
    """`data` is nested lists of `shape`; the numbers in them are load_state_dict's to check."""
    if not shape:
        return
    if not isinstance(data, list) or len(data) != shape[0]:
        got = f"a list of {len(data)}" if isinstance(data, list) else short_repr(data)
        raise ValueError(f"{where} must be a list of {shape[0]} entries, got {got}")
    if len(shape) > 1:
        for i, item in enumerate(data):
            _check_shape(item, shape[1:], f"{where}[{i}]")


def key_problems(missing: list[str], unexpected: list[str], noun: str) -> str:
    """"missing <noun> [...], unexpected <noun> [...]", each part when there are some."""
    problems = [f"missing {noun} {some_names(missing)}"] if missing else []
    if unexpected:
        problems.append(f"unexpected {noun} {some_names(unexpected)}")
    return ", ".join(problems)


def _declared(planned: Plan) -> str:
    if planned.modules is not None:
        return f"{planned.klass.__name__}({', '.join(map(_declared, planned.modules))})"
    arguments = ", ".join(f"{key}={short_repr(value)}" for key, value in planned.config.items())
    return f"{planned.klass.__name__}({arguments})"


def _builtin_modules() -> dict[str, type[Module]]:
    """nn's own module classes by name: the Modules that nn exports."""
    import nn  # the package imports this module; by the time a file is used it is complete
    exported = [getattr(nn, name) for name in nn.__all__]
    return {cls.__name__: cls for cls in exported
            if isinstance(cls, type) and issubclass(cls, Module) and cls is not Module}


def _shapes_function(klass: type[Module]) -> Callable[[dict[str, Any]], Shapes | None] | None:
    """klass.parameter_shapes when it describes the parameters klass builds: on the class
    that defines it, or on a subclass that builds the same parameters (say, one that only
    overrides __call__); None for a class that declares no shapes."""
    owner = next(cls for cls in klass.__mro__ if "parameter_shapes" in vars(cls))
    if owner is Module or any(getattr(klass, method) is not getattr(owner, method)
                              for method in ("__init__", "named_tensors", "config")):
        return None
    return klass.parameter_shapes
