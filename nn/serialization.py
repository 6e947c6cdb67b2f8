"""Model files: JSON with a format version, the architecture and every parameter exactly.

Python writes a float as its shortest repr, which reads back to the same bits, so a
saved model loads back bit for bit. Files are written atomically (nn/_files.py).

A model file may come from anywhere, so loading trusts nothing in it: only regular
files of at most MAX_MODEL_BYTES are read, and the declared architecture is checked
against the parameters actually present in the file before anything is built (each module
class says what shapes its config gives, by parameter_shapes). A 490-byte file declaring a
billion units is refused at once, instead of allocating gigabytes; the memory a file can
cost is bounded by its size. Module.load reads any module class that nn exports; a class
of yours loads with its own load (Net.load(path)), which checks the name the file holds
and builds Net(**config), config as Net.config() gave it when saving (nothing by default).
A Sequential's file lists its modules' architectures (nn/_architecture.py).

An activation of the user's own (a function @autograd_mini.primitive made) is stored in
the config as the string "primitive:<module>:<qualified name>", for instance
"primitive:mylib.activations:logistic". Loading runs no code from the file and imports
nothing: it looks the name up among the modules already imported (sys.modules), by
plain attribute lookup, and accepts only a primitive of one operand found there, so
import the module that defines it before loading. Saving refuses a primitive that this
lookup would not find (one defined inside a function, or made from a lambda).
"""
from __future__ import annotations

import json
import os
from typing import Any, Union

from nn._architecture import (PRIMITIVE_PREFIX, architecture_of, build, check_declared_shapes,
                              plan, top_class)
from nn._checks import short_repr
from nn._files import read_regular_file, write_atomically
from nn.modules import Module

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


class ModelFileError(ValueError):
    """A model file that cannot be read or written; the message names the path and the problem."""


def save_module(module: Module, path: PathLike) -> None:
    """Write `module` (architecture and parameters) to `path` as JSON, atomically."""
    path = _path_text(path, "save")
    document = {
        "format": FORMAT,
        "version": VERSION,
        "architecture": architecture_of(path, module),
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
    architecture = document.get("architecture")
    klass = top_class(cls, path, architecture)
    parameters = document.get("parameters")
    if not isinstance(parameters, dict):
        raise ModelFileError(f"{path}: missing or malformed \"parameters\" entry (needs an "
                             f"object of parameter lists)")
    planned = plan(path, klass, architecture, "architecture")
    check_declared_shapes(path, planned, parameters)  # before building anything
    module = build(path, planned)
    try:
        module.load_state_dict(parameters)
    except (TypeError, ValueError) as error:
        name = type(module).__name__
        hint = ("" if type(module).config is not Module.config else
                f"; {name}.config() gives no constructor arguments, so load built {name}(): "
                f"if it was saved from {name}(...) with some, define config() to return them")
        raise ModelFileError(f"{path}: parameters do not fit the architecture "
                             f"{module.describe()}: {error}{hint}") from None
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
