"""Writing files so that a failure never destroys what was there: model files, pictures,
pages.

A write goes to a temporary file in the target's folder, which is synced and renamed
over the target, and then the folder is synced, so a crash or a full disk leaves the
old file or the new one, never half of one (and never no file). A symlink keeps
pointing at its target, which gets the new contents; an existing file keeps its
permission bits (and, where allowed, its owner), and one we may not write is refused as
open(path, "w") would refuse it; temporaries left behind by a write that was killed are
removed by the next write to the same file.
"""
from __future__ import annotations

import errno
import hashlib
import os
import secrets
import socket
import stat
import time
from typing import Callable

__all__ = ["write_atomically", "file_kind", "temporary_name", "remove_stale_temporaries",
           "TEMPORARY_SUFFIX", "STALE_AFTER_SECONDS"]

_CREATE_NEW = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
               | getattr(os, "O_CLOEXEC", 0))

# Temporary files are named `.<target>.<host>.<pid>.<random>.autograd-mini.tmp`, so that a
# later write can tell its own leftovers from anyone else's files and from writes under way.
TEMPORARY_SUFFIX = ".autograd-mini.tmp"
# A temporary this old is left over whichever process made it (its pid may be reused, or
# it may come from another machine sharing the folder): no write takes an hour.
STALE_AFTER_SECONDS = 3600.0
_HOST = (socket.gethostname().replace(os.sep, "_").replace("/", "_") or "localhost")[:40]
# A target's name as it stands in its temporaries' names: a long one is cut and given a
# hash, so that a legal name of 255 characters still has a legal temporary.
_NAME_KEPT = 100

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def write_atomically(path: str | os.PathLike, data: bytes, *, what: str = "the file",
                     refused: Callable[[str], Exception] = ValueError) -> None:
    """Replace the contents of `path` (of its target, for a symlink) with `data`, atomically.

    `what` names the contents in messages ("the model"); a target that is not a regular
    file raises `refused(message)`; an OSError names the path and keeps its kind.
    """
    path = os.fspath(path)
    target = os.path.realpath(path)
    try:
        existing = os.stat(target)
    except FileNotFoundError:
        existing = None
    except OSError as error:
        raise refused(f"cannot save {what} to {path}: {_reason(error)}") from None
    if existing is not None:
        _require_writable_file(path, target, existing, what, refused)
    folder, name = os.path.split(target)
    remove_stale_temporaries(folder, name)
    try:
        _replace(target, folder, name, data, existing)
    except OSError as error:
        raise _naming(error, f"cannot save {what} to {path}: {_reason(error)}") from None
    _sync_folder(folder, path, what)


def file_kind(mode: int) -> str:
    """What a file of this st_mode is, in words: "a folder", "a FIFO (named pipe)", ..."""
    if stat.S_ISREG(mode):
        return "a regular file"
    return next((kind for test, kind in _KINDS if test(mode)), "a special file")


def temporary_name(name: str) -> str:
    """A fresh temporary file name for the target file `name`, in the form the cleanup knows."""
    return f"{_prefix(name)}{_HOST}.{os.getpid()}.{secrets.token_hex(8)}{TEMPORARY_SUFFIX}"


def remove_stale_temporaries(folder: str, name: str) -> list[str]:
    """Delete the temporaries of writes to `name` that can no longer finish: from a process
    of this host that has exited, or older than STALE_AFTER_SECONDS. Returns their paths."""
    prefix, now, removed = _prefix(name), time.time(), []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed  # best effort: a folder we cannot list is no reason to fail the write
    for entry in entries:
        if entry.name.startswith(prefix) and entry.name.endswith(TEMPORARY_SUFFIX):
            owner = entry.name[len(prefix):-len(TEMPORARY_SUFFIX)].rsplit(".", 2)
            try:
                if _is_stale(entry, owner, now):
                    os.unlink(entry.path)
                    removed.append(entry.path)
            except OSError:
                pass
    return removed


def _prefix(name: str) -> str:
    if len(name) > _NAME_KEPT:
        digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:12]
        name = f"{name[:_NAME_KEPT - 13]}~{digest}"
    return f".{name}."


def _require_writable_file(path: str, target: str, status: os.stat_result, what: str,
                           refused: Callable[[str], Exception]) -> None:
    if not stat.S_ISREG(status.st_mode):
        raise refused(f"cannot save {what} to {path}: it is {file_kind(status.st_mode)}, not "
                      f"a regular file; choose a file path")
    if not os.access(target, os.W_OK):  # a rename would replace it where open() may not
        raise PermissionError(errno.EACCES, f"cannot save {what} to {path}: the file is "
                                            f"read-only for you; make it writable (chmod u+w) "
                                            f"or choose another path")


def _replace(target: str, folder: str, name: str, data: bytes, existing: os.stat_result | None
             ) -> None:
    # Created no more readable than the file it replaces (umask applies on top), so its
    # contents are never exposed more widely than the old file's, even while being written.
    mode = stat.S_IMODE(existing.st_mode) & 0o777 if existing is not None else 0o666
    temporary, descriptor = _create_temporary(folder, name, mode)
    try:
        with open(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if existing is not None:
            _keep_mode_and_owner(temporary, existing)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _create_temporary(folder: str, name: str, mode: int) -> tuple[str, int]:
    while True:
        temporary = os.path.join(folder, temporary_name(name))
        try:
            return temporary, os.open(temporary, _CREATE_NEW, mode)
        except FileExistsError:  # 64 random bits collided: draw again
            continue


def _keep_mode_and_owner(temporary: str, existing: os.stat_result) -> None:
    os.chmod(temporary, stat.S_IMODE(existing.st_mode))  # exactly, whatever the umask
    if hasattr(os, "chown"):
        mine = os.stat(temporary)
        if (mine.st_uid, mine.st_gid) != (existing.st_uid, existing.st_gid):
            try:
                os.chown(temporary, existing.st_uid, existing.st_gid)
            except PermissionError:
                pass  # only root may give a file away; the file is then ours, as with open()


def _sync_folder(folder: str, path: str, what: str) -> None:
    """fsync the folder, so that the rename itself survives a power cut."""
    if os.name == "nt":
        return  # Windows cannot open a folder, and NTFS journals the rename itself
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except PermissionError:
        return  # a folder we may write but not read: the rename stands, unsynced
    try:
        os.fsync(descriptor)
    except OSError as error:
        if error.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):  # cannot sync folders
            raise _naming(error, f"saved {what} to {path}, but syncing its folder "
                                 f"failed: {_reason(error)}") from None
    finally:
        os.close(descriptor)


def _is_stale(entry: os.DirEntry, owner: list[str], now: float) -> bool:
    if not entry.is_file(follow_symlinks=False):
        return False
    if now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_SECONDS:
        return True
    if len(owner) != 3 or owner[0] != _HOST or not owner[1].isdigit():
        return False  # another machine's write may still be under way
    return not _process_exists(int(owner[1]))


def _process_exists(pid: int) -> bool:
    if os.name == "nt":
        return True  # os.kill(pid, 0) would terminate it on Windows; the age rule applies
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # someone else's process, or a pid we cannot ask about: leave it
    return True


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def _naming(error: OSError, message: str) -> OSError:
    """An OSError of the same kind and errno as `error`, with `message` (which names the path)."""
    return type(error)(message) if error.errno is None else type(error)(error.errno, message)
