"""Packaging: typed, versioned, and a second `make demo` does not reinstall."""
from __future__ import annotations

import os
import shutil
import subprocess
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

import pytest

import autograd_mini

ROOT = Path(__file__).resolve().parents[2]


def test_the_package_is_marked_typed() -> None:
    assert files("autograd_mini").joinpath("py.typed").is_file()


def test_version_is_the_installed_distributions() -> None:
    assert autograd_mini.__version__ == version("autograd-mini")


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_reinstalls_only_when_pyproject_changes(tmp_path: Path) -> None:
    shutil.copy(ROOT / "Makefile", tmp_path)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.touch()
    stamp = tmp_path / ".venv" / "installed-plot"
    stamp.touch()
    old = stamp.stat().st_mtime - 60
    os.utime(tmp_path / "pyproject.toml", (old, old))

    def planned() -> str:
        return subprocess.run(["make", "-n", "demo"], cwd=tmp_path, capture_output=True,
                              text=True, check=True).stdout

    assert "pip install" not in planned() and "autograd-mini demo" in planned()
    os.utime(tmp_path / "pyproject.toml", (old + 120, old + 120))
    assert 'pip install --quiet -e ".[plot]"' in planned()
