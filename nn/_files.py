"""Reading and writing model files without surprises.

Reading accepts regular files only (a FIFO would block forever, /dev/zero never ends)
and never reads more than a limit. Writing goes to a temporary file in the target's
folder, which is synced and renamed over the target, and then the folder is synced,
so a crash leaves the old file or the new one, never half of one. A symlink keeps
pointing at its target, which gets the new contents; an existing file keeps its
permission bits (and, where allowed, its owner); temporaries left behind by a save
that was killed are removed by the next save to the same file.
"""
from __future__ import annotations

import errno
import os
import secrets
import socket
import stat
import time

_READ_CHUNK = 1 << 20
_OPEN_FOR_READING = (os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
                     # a FIFO or terminal swapped in after the stat must not block or attach
                     | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
_CREATE_NEW = (os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
               | getattr(os, "O_CLOEXEC", 0))

# Temporary files are named `.<target>.<host>.<pid>.<random>.autograd-mini.tmp`, so that a
# later save can tell its own leftovers from anyone else's files and from saves under way.
TEMPORARY_SUFFIX = ".autograd-mini.tmp"
# A temporary this old is left over whichever process made it (its pid may be reused, or
# it may come from another machine sharing the folder): no save takes an hour.
STALE_AFTER_SECONDS = 3600.0
_HOST = socket.gethostname().replace(os.sep, "_").replace("/", "_") or "localhost"


def read_regular_file(path: str, limit: int) -> bytearray:
    """The bytes of the regular file `path`; ModelFileError if it is anything else (a folder,
    FIFO, device, socket) or holds more than `limit` bytes."""
    try:
        # stat before opening: opening a FIFO blocks, opening some devices does things
        _require_regular_file(path, os.stat(path), "read")
        descriptor = os.open(path, _OPEN_FOR_READING)
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no such model file; write one with "
                                f"model.save(path)") from None
    except OSError as error:
        raise _refused(f"{path}: cannot read model file: {_reason(error)}") from None
    with open(descriptor, "rb", buffering=0) as file:
        status = os.fstat(descriptor)
        _require_regular_file(path, status, "read")  # it may have been swapped since the stat
        if status.st_size > limit:
            raise _too_large(path, limit, f" ({status.st_size} bytes)")
        return _read_at_most(file, path, limit)


def write_atomically(path: str, data: bytes) -> None:
    """Replace the contents of `path` (of its target, for a symlink) with `data`, atomically."""
    target = os.path.realpath(path)
    try:
        existing = os.stat(target)
    except FileNotFoundError:
        existing = None
    except OSError as error:
        raise _refused(f"cannot save the model to {path}: {_reason(error)}") from None
    if existing is not None:
        _require_regular_file(path, existing, "write")
    folder, name = os.path.split(target)
    remove_stale_temporaries(folder, name)
    try:
        _replace(target, folder, name, data, existing)
    except OSError as error:
        raise _naming(error, f"cannot save the model to {path}: {_reason(error)}") from None
    _sync_folder(folder, path)


def temporary_name(name: str) -> str:
    """A fresh temporary file name for the target file `name`, in the form the cleanup knows."""
    return f".{name}.{_HOST}.{os.getpid()}.{secrets.token_hex(8)}{TEMPORARY_SUFFIX}"


def remove_stale_temporaries(folder: str, name: str) -> list[str]:
    """Delete the temporaries of saves to `name` that can no longer finish: from a process of
    this host that has exited, or older than STALE_AFTER_SECONDS. Returns their paths."""
    prefix, now, removed = f".{name}.", time.time(), []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed  # best effort: a folder we cannot list is no reason to fail the save
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


def _sync_folder(folder: str, path: str) -> None:
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
            raise _naming(error, f"saved the model to {path}, but syncing its folder "
                                 f"failed: {_reason(error)}") from None
    finally:
        os.close(descriptor)


def _is_stale(entry: os.DirEntry, owner: list[str], now: float) -> bool:
    if not entry.is_file(follow_symlinks=False):
        return False
    if now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_SECONDS:
        return True
    if len(owner) != 3 or owner[0] != _HOST or not owner[1].isdigit():
        return False  # another machine's save may still be under way
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


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def _require_regular_file(path: str, status: os.stat_result, action: str) -> None:
    if stat.S_ISREG(status.st_mode):
        return
    kind = next((kind for test, kind in _KINDS if test(status.st_mode)), "a special file")
    if action == "read":
        raise _refused(f"{path}: is {kind}, not a model file; load a file written by "
                       f"model.save(path)")
    raise _refused(f"cannot save the model to {path}: it is {kind}, not a regular file; "
                   f"choose a file path")


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def _naming(error: OSError, message: str) -> OSError:
    """An OSError of the same kind and errno as `error`, with `message` (which names the path)."""
    return type(error)(message) if error.errno is None else type(error)(error.errno, message)
