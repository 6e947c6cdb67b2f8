"""Model files: JSON with a format version, the architecture and every parameter exactly.

Python writes a float as its shortest repr, which reads back to the same bits, so a
saved model loads back bit for bit. Files are written atomically (nn/_files.py).

A model file may come from anywhere, so loading trusts nothing in it: only regular
files of at most MAX_MODEL_BYTES are read, and the declared architecture is checked
against the parameters actually present in the file before anything is built (each module
class says what shapes its config gives, by parameter_shapes). A 490-byte file declaring a
billion units is refused at once, instead of allocating gigabytes; the memory a file can
cost is bounded by its size. Module.load reads any module class that nn exports.

An activation of the user's own (a function @autograd_mini.primitive made) is stored in
the config as the string "primitive:<module>:<qualified name>", for instance
"primitive:mylib.activations:logistic". Loading runs no code from the file and imports
nothing: it looks the name up among the modules already imported (sys.modules), by
plain attribute lookup, and accepts only a primitive of one operand found there, so
import the module that defines it before loading. Saving refuses a primitive that this
lookup would not find (one defined inside a function, or made from a lambda).
"""
from __future__ import annotations

import inspect
import json
import os
import sys
from types import FunctionType, ModuleType
from typing import Any, Callable, Union

from autograd_mini.primitives import definition
from nn._checks import short_repr, some_names
from nn._files import read_regular_file, write_atomically
from nn.modules import Module, Shapes

__all__ = ["ModelFileError", "save_module", "load_module", "FORMAT", "VERSION",
           "MAX_MODEL_BYTES", "PRIMITIVE_PREFIX"]

PathLike = Union[str, "os.PathLike[str]"]

FORMAT = "autograd-mini-model"
VERSION = 1
# save writes about 30 bytes per parameter, so this is some 4 million parameters: more
# than a scalar pure-Python network can train. Raise it to load a bigger trusted file.
MAX_MODEL_BYTES = 128 * 2**20
# No model file holds an integer this long (a float's range ends at 309 digits); the
# limit keeps int() linear and under every sys.set_int_max_str_digits setting.
_MAX_INT_DIGITS = 600
# Constructor arguments that a file must never set: they would override load's own.
_RESERVED_ARGUMENTS = ("seed", "rng")
# How a config value names a primitive: "primitive:<module>:<qualified name>".
PRIMITIVE_PREFIX = "primitive:"


class ModelFileError(ValueError):
    """A model file that cannot be read or written; the message names the path and the problem."""


def save_module(module: Module, path: PathLike) -> None:
    """Write `module` (architecture and parameters) to `path` as JSON, atomically."""
    path = _path_text(path, "save")
    document = {
        "format": FORMAT,
        "version": VERSION,
        "architecture": {"class": type(module).__name__,
                         "config": _stored_config(path, module.config())},
        "parameters": module.state_dict(),
    }
    try:
        text = json.dumps(document, indent=1, allow_nan=False)
    except ValueError:
        raise ValueError(f"cannot save to {path}: the model has a NaN or infinite "
                         f"parameter (training diverged?); lower the learning rate") from None
    if len(text) > MAX_MODEL_BYTES:  # ASCII: one byte per character
        raise ModelFileError(f"cannot save to {path}: the file would take {len(text)} bytes, "
                             f"over the {MAX_MODEL_BYTES} that load accepts "
                             f"(nn.serialization.MAX_MODEL_BYTES); raise that limit first")
    write_atomically(path, text.encode("ascii"))


def load_module(cls: type[Module], path: PathLike) -> Module:
    """Read a file written by `save_module`; `cls` is Module (any built-in) or the class
    expected. Raises ModelFileError, naming the path, for anything else."""
    path = _path_text(path, "load")
    document = _parse(path, read_regular_file(path, MAX_MODEL_BYTES))
    _check_header(path, document)
    klass, config = _architecture(cls, path, document.get("architecture"))
    config = _loaded_config(path, config)
    parameters = document.get("parameters")
    if not isinstance(parameters, dict):
        raise ModelFileError(f"{path}: missing or malformed \"parameters\" entry (needs an "
                             f"object of parameter lists)")
    _check_config_keys(path, klass, config)
    _check_declared_shapes(path, klass, config, parameters)  # before building anything
    try:
        module = klass(**config, seed=0)
    except (TypeError, ValueError) as error:
        raise ModelFileError(f"{path}: invalid architecture {short_repr(config)}: "
                             f"{error}") from None
    try:
        module.load_state_dict(parameters)
    except (TypeError, ValueError) as error:
        raise ModelFileError(f"{path}: parameters do not fit the architecture "
                             f"{module.describe()}: {error}") from None
    return module


def _path_text(path: Any, action: str) -> str:
    try:
        text = os.fspath(path)
    except TypeError:
        raise TypeError(f"{action}: the path must be a str or os.PathLike, got "
                        f"{type(path).__name__} {short_repr(path)}") from None
    if "\0" in (text if isinstance(text, str) else text.decode("latin-1")):
        raise ValueError(f"{action}: the path {short_repr(text)} holds a NUL character "
                         f"(\\x00), which no file name may; remove it")
    return text


class _IntTooLong(ValueError):
    def __init__(self, digits: int) -> None:
        super().__init__(digits)
        self.digits = digits


def _parse_int(text: str) -> int:
    if len(text) > _MAX_INT_DIGITS:
        raise _IntTooLong(len(text))
    return int(text)


def _parse(path: str, data: bytearray) -> Any:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ModelFileError(f"{path}: not a text file (corrupt model file?)") from None
    try:
        # NaN, Infinity and 1e400 (which reads as inf) are let through: load_state_dict
        # refuses them naming the parameter, and they fail the version check elsewhere.
        return json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as error:
        raise ModelFileError(f"{path}: not valid JSON, the file is truncated or corrupt "
                             f"({error})") from None
    except _IntTooLong as error:
        raise ModelFileError(f"{path}: holds an integer of {error.digits} digits, which no "
                             f"model file has (corrupt file?)") from None
    except RecursionError:
        raise ModelFileError(f"{path}: lists or objects nested too deeply for a model file "
                             f"(corrupt file?)") from None


def _check_header(path: str, document: Any) -> None:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not an autograd-mini model file "
                             f"(no \"format\": \"{FORMAT}\" entry)")
    version = document.get("version")
    if version.__class__ is not int or version != VERSION:  # true and 1.0 are not version 1
        raise ModelFileError(f"{path}: model file format version {short_repr(version)} is not "
                             f"supported; this autograd-mini reads version {VERSION}")


def _architecture(cls: type[Module], path: str, architecture: Any) -> tuple[type[Module], dict]:
    if (not isinstance(architecture, dict) or not isinstance(architecture.get("class"), str)
            or not isinstance(architecture.get("config"), dict)):
        raise ModelFileError(f"{path}: missing or malformed \"architecture\" entry "
                             f"(needs \"class\" and \"config\")")
    name = architecture["class"]
    shown = short_repr(name)[1:-1]  # the name, shortened if huge, without its quotes
    if cls is Module:
        builtins = _builtin_modules()
        if name not in builtins:
            raise ModelFileError(f"{path}: unknown module class {shown!r}; load it with "
                                 f"{shown}.load(path) from the class that saved it")
        return builtins[name], architecture["config"]
    if name != cls.__name__:
        raise ModelFileError(f"{path}: the file holds a saved {shown}, not {cls.__name__}; "
                             f"use {shown}.load(path) or Module.load(path)")
    return cls, architecture["config"]


def _stored_config(path: str, config: dict[str, Any]) -> dict[str, Any]:
    """config with each primitive as the string that names it; ModelFileError for a
    primitive that load could not find again by that name."""
    stored = {}
    for key, value in config.items():
        if isinstance(value, str) and value.startswith(PRIMITIVE_PREFIX):
            raise ModelFileError(f"cannot save to {path}: config {key} is the string "
                                 f"{short_repr(value)}, which load would read as the name "
                                 f"of a primitive; give {key} another value")
        found = definition(value)
        if found is not None:
            module, qualname = getattr(value, "__module__", None), found.qualname
            if not isinstance(module, str) or _lookup(module, qualname) is not value:
                raise ModelFileError(
                    f"cannot save to {path}: {key} is the primitive {qualname}, which a "
                    f"model file cannot name: {module}.{qualname} does not lead back to it "
                    f"(defined inside a function, or made from a lambda). Define it with "
                    f"@primitive on a def at the top level of a module")
            value = f"{PRIMITIVE_PREFIX}{module}:{qualname}"
        stored[key] = value
    return stored


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
        raise ModelFileError(f"{path}: {key} {shown} is not a primitive's name (expected "
                             f"{PRIMITIVE_PREFIX}<module>:<qualified name>; corrupt file?)")
    module, qualname = (short_repr(part)[1:-1] for part in parts)
    if not isinstance(sys.modules.get(parts[0]), ModuleType):
        raise ModelFileError(f"{path}: {key} is the primitive {qualname} of module {module}, "
                             f"which is not imported (loading a model file imports no code); "
                             f"import {module} before loading, so that its primitive "
                             f"{qualname} can be found")
    found = _lookup(*parts)
    primitive = definition(found) if isinstance(found, FunctionType) else None
    if primitive is None:
        kind = "plain function" if isinstance(found, FunctionType) else type(found).__name__
        held = (f"{module} has no {qualname}" if found is None
                else f"{module}.{qualname} is a {kind}, not a function made by @primitive")
        raise ModelFileError(f"{path}: {key} names the primitive {qualname} of module "
                             f"{module}, but {held}; import the module that defines that "
                             f"primitive before loading")
    if primitive.arity != 1:
        raise ModelFileError(f"{path}: {key} names {module}.{qualname}, a primitive of "
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


def _check_config_keys(path: str, klass: type[Module], config: dict) -> None:
    """The config names only constructor arguments, and all the required ones."""
    arguments = inspect.signature(klass).parameters
    named = [name for name, argument in arguments.items()
             if argument.kind in (argument.POSITIONAL_OR_KEYWORD, argument.KEYWORD_ONLY)
             and name not in _RESERVED_ARGUMENTS]
    takes_any = any(argument.kind is argument.VAR_KEYWORD for argument in arguments.values())
    unexpected = [key for key in config
                  if key in _RESERVED_ARGUMENTS or not (takes_any or key in named)]
    missing = [name for name in named
               if arguments[name].default is arguments[name].empty and name not in config]
    if unexpected or missing:
        raise ModelFileError(f"{path}: invalid architecture for {klass.__name__}: "
                             f"{_key_problems(missing, unexpected, 'config keys')}; the file "
                             f"is corrupt or was not written by {klass.__name__}.save")


def _check_declared_shapes(path: str, klass: type[Module], config: dict,
                           parameters: dict) -> None:
    """For a class that declares its parameter shapes, every parameter the config declares
    is in the file with its full shape: so the model that gets built is no bigger than the
    file."""
    shapes_of = _shapes_function(klass)
    try:
        shapes = None if shapes_of is None else shapes_of(config)
    except (TypeError, ValueError) as error:
        raise ModelFileError(f"{path}: invalid architecture {short_repr(config)}: "
                             f"{error}") from None
    if shapes is None:
        return  # an architecture that declares no shapes: its constructor is trusted
    try:
        _check_shapes(shapes, parameters)
    except ValueError as error:
        raise ModelFileError(f"{path}: parameters do not fit the architecture "
                             f"{_declared(klass, config)}: {error}") from None


def _check_shapes(shapes: Shapes, parameters: dict) -> None:
    missing = [name for name in shapes if name not in parameters]
    unexpected = [name for name in parameters if name not in shapes]
    if missing or unexpected:
        raise ValueError(_key_problems(missing, unexpected, "keys"))
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


def _key_problems(missing: list, unexpected: list, noun: str) -> str:
    problems = [f"missing {noun} {some_names(missing)}"] if missing else []
    if unexpected:
        problems.append(f"unexpected {noun} {some_names(unexpected)}")
    return ", ".join(problems)


def _declared(klass: type[Module], config: dict) -> str:
    arguments = ", ".join(f"{key}={short_repr(value)}" for key, value in config.items())
    return f"{klass.__name__}({arguments})"


def _builtin_modules() -> dict[str, type[Module]]:
    """nn's own module classes by name: the Modules that nn exports."""
    import nn  # the package imports this module; by the time a file is loaded it is complete
    exported = [getattr(nn, name) for name in nn.__all__]
    return {cls.__name__: cls for cls in exported
            if isinstance(cls, type) and issubclass(cls, Module) and cls is not Module}


def _shapes_function(klass: type[Module]) -> Callable[[dict], Shapes | None] | None:
    """klass.parameter_shapes when it describes the parameters klass builds: on the class
    that defines it, or on a subclass that builds the same parameters (say, one that only
    overrides __call__); None for a class that declares no shapes."""
    owner = next(cls for cls in klass.__mro__ if "parameter_shapes" in vars(cls))
    if owner is Module or any(getattr(klass, method) is not getattr(owner, method)
                              for method in ("__init__", "named_tensors", "config")):
        return None
    return klass.parameter_shapes
