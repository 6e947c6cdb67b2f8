"""Saving a model changes the model file and nothing else: a symlink keeps pointing at its
target, the file keeps its mode and owner, special files are refused, a failed save
leaves the old file whole, and the temporaries of killed saves get cleaned up."""
from __future__ import annotations

import errno
import io
import os
import stat
import subprocess
import sys
import time

import pytest

from autograd_mini import files
import nn.serialization
from nn import MLP
from autograd_mini.files import TEMPORARY_SUFFIX, temporary_name
from nn.serialization import ModelFileError

OLD, NEW = MLP(2, [3, 1], seed=1), MLP(2, [3, 1], seed=2)


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "model.json"
    OLD.save(path)
    return path


def holds(path, model) -> bool:
    return MLP.load(path).state_dict() == model.state_dict()


def test_saving_through_a_symlink_writes_its_target_and_keeps_the_link(path):
    link = path.parent / "link.json"
    link.symlink_to(path.name)
    NEW.save(link)
    assert link.is_symlink() and os.readlink(link) == path.name
    assert holds(path, NEW)


def test_saving_through_a_chain_of_symlinks_and_a_linked_folder(path, tmp_path):
    (tmp_path / "folder-link").symlink_to(tmp_path)
    (tmp_path / "one.json").symlink_to(tmp_path / "folder-link" / "two.json")
    (tmp_path / "two.json").symlink_to(path)
    NEW.save(tmp_path / "one.json")
    assert (tmp_path / "one.json").is_symlink() and (tmp_path / "two.json").is_symlink()
    assert holds(path, NEW)


def test_saving_through_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to("target.json")
    NEW.save(link)
    assert link.is_symlink() and holds(tmp_path / "target.json", NEW)


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o444, 0o664])
def test_an_existing_file_keeps_its_mode(path, mode):
    path.chmod(mode)
    NEW.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert holds(path, NEW)


def test_a_private_file_is_never_more_readable_while_being_replaced(path, monkeypatch):
    path.chmod(0o600)
    modes, real_replace = [], os.replace

    def replace(source, target):
        modes.append(stat.S_IMODE(os.stat(source).st_mode))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    NEW.save(path)
    assert modes == [0o600]


def test_a_new_file_gets_the_usual_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        NEW.save(tmp_path / "new.json")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o644


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="only root can hand a file to another owner")
def test_an_existing_file_keeps_its_owner(path):
    os.chown(path, 12345, 23456)
    NEW.save(path)
    assert (path.stat().st_uid, path.stat().st_gid) == (12345, 23456)


def test_a_fifo_is_refused_and_left_in_place(tmp_path):
    fifo = tmp_path / "model.json"
    os.mkfifo(fifo)
    with pytest.raises(ModelFileError, match=f"cannot save the model to {fifo}: it is a FIFO"):
        NEW.save(fifo)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert os.listdir(tmp_path) == ["model.json"]


def test_a_symlink_to_a_fifo_is_refused(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "link.json").symlink_to("fifo")
    with pytest.raises(ModelFileError, match="link.json: it is a FIFO"):
        NEW.save(tmp_path / "link.json")
    assert stat.S_ISFIFO(os.stat(tmp_path / "fifo").st_mode)


def test_a_folder_is_refused_and_left_in_place(tmp_path):
    (tmp_path / "model.json").mkdir()
    with pytest.raises(ModelFileError, match="model.json: it is a folder, not a regular file"):
        NEW.save(tmp_path / "model.json")
    assert (tmp_path / "model.json").is_dir()


def test_a_missing_folder_is_reported_with_the_path(tmp_path):
    target = tmp_path / "nowhere" / "model.json"
    with pytest.raises(FileNotFoundError, match=f"cannot save the model to {target}"):
        NEW.save(target)


def test_a_path_that_is_not_a_path_is_a_type_error():
    with pytest.raises(TypeError, match="save: the path must be a str or os.PathLike, got int 5"):
        NEW.save(5)


class HalfWriter(io.FileIO):
    """A file whose disk fills up halfway through the write."""

    def write(self, data):
        super().write(data[:len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("failing", ["write", "fsync", "replace"])
def test_a_failed_save_leaves_the_old_file_whole_and_no_temporary(path, monkeypatch, failing):
    before = path.read_bytes()

    def fail(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    if failing == "write":
        monkeypatch.setattr(files, "open", lambda fd, mode: HalfWriter(fd, mode),
                            raising=False)
    else:
        monkeypatch.setattr(os, failing, fail)
    with pytest.raises(OSError, match=f"cannot save the model to {path}: No space left"):
        NEW.save(path)
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == ["model.json"]


def test_the_folder_is_synced_after_the_rename(path, monkeypatch):
    events, real_fsync, real_replace = [], os.fsync, os.replace

    def fsync(descriptor):
        folder = stat.S_ISDIR(os.fstat(descriptor).st_mode)
        events.append("fsync folder" if folder else "fsync file")
        real_fsync(descriptor)

    def replace(source, target):
        events.append("rename")
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    NEW.save(path)
    assert events == ["fsync file", "rename", "fsync folder"]


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def leftover(path, pid=None, age=0.0, host=None) -> str:
    """Create a temporary as a save to `path` by process `pid` on `host` would, `age` s old."""
    name = temporary_name(path.name).replace(f".{os.getpid()}.", f".{pid or os.getpid()}.", 1)
    if host is not None:
        name = name.replace(f".{files._HOST}.", f".{host}.", 1)
    (path.parent / name).write_text('{"half": ')
    then = time.time() - age
    os.utime(path.parent / name, (then, then))
    return name


def test_temporaries_of_killed_saves_are_removed_by_the_next_save(path):
    dead = [leftover(path, pid=dead_pid()), leftover(path, host="elsewhere", age=7200)]
    NEW.save(path)
    assert not set(dead) & set(os.listdir(path.parent))
    assert holds(path, NEW)


def test_temporaries_of_saves_that_may_be_running_are_kept(path):
    running = [leftover(path), leftover(path, host="elsewhere", age=60)]
    NEW.save(path)
    assert set(running) <= set(os.listdir(path.parent))


def test_files_that_are_not_our_temporaries_are_kept(path):
    others = [".model.json.abc123.tmp", ".model.json.note", "model.json.bak",
              ".other.json.host.1.0011223344556677" + TEMPORARY_SUFFIX]
    for name in others:
        (path.parent / name).write_text("keep me")
    old = time.time() - 7200
    for name in others:
        os.utime(path.parent / name, (old, old))
    NEW.save(path)
    assert set(others) <= set(os.listdir(path.parent))


def test_a_model_too_large_to_load_back_is_not_saved(tmp_path, monkeypatch):
    monkeypatch.setattr(nn.serialization, "MAX_MODEL_BYTES", 100)
    with pytest.raises(ModelFileError, match="over the 100 that load accepts"):
        NEW.save(tmp_path / "model.json")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("action", ["save", "load"])
def test_a_path_with_a_nul_byte_is_named_not_a_bare_embedded_null_byte(tmp_path, action):
    path = str(tmp_path / "a\x00b.json")
    with pytest.raises(ValueError, match=r"holds a NUL character .* remove it"):
        NEW.save(path) if action == "save" else MLP.load(path)
