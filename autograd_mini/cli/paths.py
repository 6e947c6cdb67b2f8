"""The command line's output paths, refused before any work with the path and the problem."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FORMAT_OF_SUFFIX = {".svg": "svg", ".png": "png", ".dot": "dot", ".gv": "dot"}


class UsageError(Exception):
    """An argument the command line refuses; the message names it and the problem."""


class WriteError(Exception):
    """A file could not be written; the message names the path and the problem."""


def output_format(output: str | None, format: str | None) -> str:
    """The graph's format: from FILE's suffix, which must be known and agree with --format."""
    suffix = Path(output).suffix.lower() if output else ""
    if not suffix:
        return format or "svg"
    if suffix not in FORMAT_OF_SUFFIX:
        raise UsageError(f"-o {output}: cannot write the {suffix} format; name the file "
                         ".svg, .png or .dot")
    if format is not None and format != FORMAT_OF_SUFFIX[suffix]:
        raise UsageError(f"-o {output} names a {suffix} file but --format is {format}; "
                         "make them agree")
    return FORMAT_OF_SUFFIX[suffix]


def check_output_file(text: str, option: str) -> Path:
    """The path to write a file to, refused if it is empty, a folder, special or unwritable."""
    path = _named(text, option, "file", "graph.svg")
    try:
        if path.is_dir():
            raise UsageError(f"{option} {text}: is a folder; give a file name such as "
                             f"{path / 'graph.svg'}")
        if path.exists():
            if not path.is_file():
                raise UsageError(f"{option} {text}: is not a regular file (a device, pipe or "
                                 "socket); give a file name")
            if not os.access(path, os.W_OK):
                raise UsageError(f"{option} {text}: the file is not writable (permission denied)")
        folder = path.parent
        if not folder.exists():  # a typo in a folder name should not become new folders
            raise UsageError(f"{option} {text}: the folder {folder} does not exist; create it "
                             f"first (mkdir -p {folder}) or write the file elsewhere")
        _check_can_create_in(folder, option, text)
    except OSError as error:  # e.g. a name too long or a folder that cannot be searched
        raise UsageError(f"{option} {text}: {error.strerror or error}") from None
    return path


def check_output_folder(text: str, option: str, example: str = "out") -> Path:
    """A folder to write files into (created if missing), refused if that cannot work."""
    path = _named(text, option, "folder", example)
    try:
        if path.exists():
            if not path.is_dir():
                raise UsageError(f"{option} {text}: exists and is not a folder; give a folder "
                                 "name (it is created if missing)")
            if not os.access(path, os.W_OK | os.X_OK):
                raise UsageError(f"{option} {text}: cannot create files in this folder "
                                 "(permission denied)")
        else:
            _check_can_create_in(path.parent, option, text)
    except OSError as error:
        raise UsageError(f"{option} {text}: {error.strerror or error}") from None
    return path


def _named(text: str, option: str, kind: str, example: str) -> Path:
    if not text.strip():
        raise UsageError(f"{option} {text!r}: the {kind} name is empty; give one such as "
                         f"{example}")
    return Path(text)


def _check_can_create_in(folder: Path, option: str, text: str) -> None:
    """Refuse when the nearest existing folder above `folder` is a file or not writable."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise UsageError(f"{option} {text}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {text}: cannot create files in {existing} "
                         "(permission denied)")


@contextmanager
def reporting_write_errors(target: Path) -> Iterator[None]:
    """Turn an OSError while writing `target` into WriteError naming the path and problem."""
    try:
        yield
    except OSError as error:
        where = error.filename if error.filename is not None else target
        raise WriteError(f"could not write {where}: {error.strerror or error}") from None
