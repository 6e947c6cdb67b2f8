"""Model files: JSON with a format version, the architecture and every parameter exactly.

Python writes a float as its shortest repr, which reads back to the same bits, so a
saved model loads back bit for bit. Files are written to a temporary file in the same
folder and then renamed over the target, so a crash never leaves half a file.
"""
from __future__ import annotations

import json
import os
import tempfile
from typing import Any, Union

from nn.modules import MLP, Layer, Module, Neuron

PathLike = Union[str, "os.PathLike[str]"]

FORMAT = "autograd-mini-model"
VERSION = 1
BUILTIN_MODULES = {cls.__name__: cls for cls in (Neuron, Layer, MLP)}


class ModelFileError(ValueError):
    """A model file that cannot be loaded; the message names the path and the problem."""


def save_module(module: Module, path: PathLike) -> None:
    """Write `module` (architecture and parameters) to `path` as JSON, atomically."""
    document = {
        "format": FORMAT,
        "version": VERSION,
        "architecture": {"class": type(module).__name__, "config": module.config()},
        "parameters": module.state_dict(),
    }
    try:
        text = json.dumps(document, indent=1, allow_nan=False)
    except ValueError:
        raise ValueError(f"cannot save to {os.fspath(path)}: the model has a NaN or infinite "
                         f"parameter (training diverged?); lower the learning rate") from None
    _write_atomically(os.fspath(path), text)


def load_module(cls: type[Module], path: PathLike) -> Module:
    """Read a file written by `save_module`; `cls` is Module (any built-in) or the class expected."""
    path = os.fspath(path)
    document = _read_json(path)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not an autograd-mini model file "
                             f"(no \"format\": \"{FORMAT}\" entry)")
    version = document.get("version")
    if version != VERSION:
        raise ModelFileError(f"{path}: model file format version {version!r} is not supported; "
                             f"this autograd-mini reads version {VERSION}")
    klass, config = _architecture(cls, path, document.get("architecture"))
    try:
        module = klass(**config, seed=0)
    except (TypeError, ValueError) as error:
        raise ModelFileError(f"{path}: invalid architecture {config!r}: {error}") from None
    parameters = document.get("parameters")
    try:
        module.load_state_dict(parameters)
    except (TypeError, ValueError) as error:
        raise ModelFileError(f"{path}: parameters do not fit the architecture "
                             f"{module.describe()}: {error}") from None
    return module


def _architecture(cls: type[Module], path: str, architecture: Any) -> tuple[type[Module], dict]:
    if (not isinstance(architecture, dict) or not isinstance(architecture.get("class"), str)
            or not isinstance(architecture.get("config"), dict)):
        raise ModelFileError(f"{path}: missing or malformed \"architecture\" entry "
                             f"(needs \"class\" and \"config\")")
    name = architecture["class"]
    if cls is Module:
        if name not in BUILTIN_MODULES:
            raise ModelFileError(f"{path}: unknown module class {name!r}; load it with "
                                 f"{name}.load(path) from the class that saved it")
        return BUILTIN_MODULES[name], architecture["config"]
    if name != cls.__name__:
        raise ModelFileError(f"{path}: the file holds a saved {name}, not {cls.__name__}; "
                             f"use {name}.load(path) or Module.load(path)")
    return cls, architecture["config"]


def _read_json(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such model file; write one with "
                                f"model.save(path)") from None
    except UnicodeDecodeError:
        raise ModelFileError(f"{path}: not a text file (corrupt model file?)") from None
    except OSError as error:
        raise ModelFileError(f"{path}: cannot read model file: {error.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ModelFileError(f"{path}: not valid JSON, the file is truncated or corrupt "
                             f"({error})") from None


def _write_atomically(path: str, text: str) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.",
                                             suffix=".tmp", dir=directory)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        # mkstemp makes the file private (0600); give it the usual permissions.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
