"""Reading and writing model files without surprises.

Reading accepts regular files only (a FIFO would block forever, /dev/zero never ends)
and never reads more than a limit. Writing is autograd_mini.files' atomic write: a
crash or a full disk leaves the old file or the new one, never half of one.
"""
from __future__ import annotations

import os
import stat

from autograd_mini.files import file_kind
from autograd_mini.files import write_atomically as write_file_atomically

_READ_CHUNK = 1 << 20
_OPEN_FOR_READING = (os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
                     # a FIFO or terminal swapped in after the stat must not block or attach
                     | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))


def read_regular_file(path: str, limit: int) -> bytearray:
    """The bytes of the regular file `path`; ModelFileError if it is anything else (a folder,
    FIFO, device, socket) or holds more than `limit` bytes."""
    try:
        # stat before opening: opening a FIFO blocks, opening some devices does things
        _require_regular_file(path, os.stat(path))
        descriptor = os.open(path, _OPEN_FOR_READING)
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such model file; write one with "
                                f"model.save(path)") from None
    except OSError as error:
        raise _refused(f"{path}: cannot read model file: {_reason(error)}") from None
    with open(descriptor, "rb", buffering=0) as file:
        status = os.fstat(descriptor)
        _require_regular_file(path, status)  # it may have been swapped since the stat
        if status.st_size > limit:
            raise _too_large(path, limit, f" ({status.st_size} bytes)")
        return _read_at_most(file, path, limit)


def write_atomically(path: str, data: bytes) -> None:
    """Replace the model file `path` with `data`, atomically (ModelFileError for a target
    that is not a regular file)."""
    write_file_atomically(path, data, what="the model", refused=_refused)


def _read_at_most(file, path: str, limit: int) -> bytearray:
    data = bytearray()
    while True:
        chunk = file.read(min(_READ_CHUNK, limit + 1 - len(data)))
        if not chunk:
            return data
        data += chunk
        if len(data) > limit:  # the file grew after the fstat
            raise _too_large(path, limit)


def _refused(message: str) -> ValueError:
    """nn.serialization's ModelFileError, imported here only when raised: serialization
    imports this module."""
    from nn.serialization import ModelFileError
    return ModelFileError(message)


def _too_large(path: str, limit: int, size: str = "") -> ValueError:
    return _refused(f"{path}: larger{size} than the {limit} bytes a model file may hold "
                    f"(nn.serialization.MAX_MODEL_BYTES); not a model file? If you trust it, "
                    f"raise that limit")


def _require_regular_file(path: str, status: os.stat_result) -> None:
    if not stat.S_ISREG(status.st_mode):
        raise _refused(f"{path}: is {file_kind(status.st_mode)}, not a model file; load "
                       f"a file written by model.save(path)")


def _reason(error: OSError) -> str:
    return error.strerror or str(error)
