"""Atomic writes: a failed write of a picture, page or model leaves the earlier file
whole; a read-only file is refused as open() refuses it; long names still work."""
from __future__ import annotations

import errno
import os

import pytest

from autograd_mini import StepPlayer, Value, draw_dot, files
from autograd_mini.cli import main
from autograd_mini.viz import write_dot
from nn import MLP


class FullDisk:
    """A file object whose write fails half way, as on a full disk."""

    def __init__(self, descriptor: int, mode: str) -> None:
        self.file = open(descriptor, mode)

    def __enter__(self) -> FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def write(self, data: bytes) -> None:
        self.file.write(data[:len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture
def full_disk(monkeypatch):
    monkeypatch.setattr(files, "open", FullDisk, raising=False)


def _graph():
    x = Value(2.0, label="x")
    return draw_dot((x * x).tanh())


@pytest.mark.parametrize("write", [
    lambda path: write_dot(_graph(), path),
    lambda path: StepPlayer((Value(2.0) * 3).tanh()).save(path.parent),
    lambda path: MLP(2, [2, 1], seed=0).save(path),
], ids=["write_dot", "StepPlayer.save", "model.save"])
def test_a_write_that_fails_leaves_the_earlier_file_whole(tmp_path, full_disk, write):
    path = tmp_path / "index.html"
    path.write_text("the user's earlier file")
    with pytest.raises(OSError, match="No space left"):
        write(path)
    assert path.read_text() == "the user's earlier file"
    assert os.listdir(tmp_path) == ["index.html"]


def test_the_graph_command_keeps_the_earlier_picture_when_the_disk_is_full(tmp_path, full_disk,
                                                                            capsys):
    path = tmp_path / "g.dot"
    path.write_text("earlier")
    assert main(["graph", "a*b", "a=2", "b=3", "-o", str(path)]) != 0
    assert path.read_text() == "earlier" and os.listdir(tmp_path) == ["g.dot"]


@pytest.mark.parametrize("length", [200, 255])
def test_a_legal_long_file_name_is_written(tmp_path, length):
    path = tmp_path / ("m" * (length - len(".json")) + ".json")
    MLP(2, [1], seed=0).save(path)
    write_dot(_graph(), tmp_path / ("g" * (length - 4) + ".dot"))
    assert MLP.load(path).state_dict() == MLP(2, [1], seed=0).state_dict()
    assert sorted(len(name) for name in os.listdir(tmp_path)) == [length, length]


def test_a_read_only_model_file_is_refused_as_open_refuses_it(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    MLP(2, [1], seed=0).save(path)
    os.chmod(path, 0o444)
    before = path.read_bytes()
    if os.getuid() == 0:  # root may write anything; as an ordinary user, access() says no
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda target, mode: (
            False if mode == os.W_OK and os.path.samefile(target, path) else
            real_access(target, mode)))
    with pytest.raises(PermissionError, match="read-only"):
        MLP(2, [1], seed=1).save(path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["model.json"]


def test_root_may_replace_a_read_only_file_as_open_would(tmp_path):
    if os.getuid() != 0:
        pytest.skip("only root may write a read-only file")
    path = tmp_path / "model.json"
    MLP(2, [1], seed=0).save(path)
    os.chmod(path, 0o444)
    MLP(2, [1], seed=1).save(path)
    assert MLP.load(path).state_dict() == MLP(2, [1], seed=1).state_dict()
