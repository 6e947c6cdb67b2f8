"""Packaging: typed, versioned, a wheel that holds every package, and a second `make demo`
that does not reinstall."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
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


# Every public module and what it exports; the wheel test imports each name.
PUBLIC_MODULES = ("autograd_mini", "autograd_mini.compiler", "autograd_mini.viz",
                  "autograd_mini.cli", "autograd_mini.testing", "nn", "nn.datasets", "nn.plot")


def _source_packages() -> set[str]:
    """Every package folder of the tree (a folder with an __init__.py), dotted."""
    return {".".join(init.parent.relative_to(ROOT).parts)
            for top in ("autograd_mini", "nn") for init in (ROOT / top).rglob("__init__.py")}


@pytest.mark.slow
def test_a_wheel_built_from_the_tree_holds_every_package_and_every_public_name(
        tmp_path: Path) -> None:
    tree = tmp_path / "tree"  # a copy: building writes build/ and *.egg-info next to the code
    for part in ("autograd_mini", "nn"):
        shutil.copytree(ROOT / part, tree / part, ignore=shutil.ignore_patterns("__pycache__"))
    for part in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / part, tree / part)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--wheel-dir", str(tmp_path / "dist"), str(tree)], check=True)
    [wheel] = (tmp_path / "dist").glob("autograd_mini-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        packaged = {".".join(Path(name).parent.parts) for name in archive.namelist()
                    if name.endswith("/__init__.py")}
    assert packaged == _source_packages()

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--quiet", str(wheel)], check=True)
    check = ("import importlib\n"
             f"for name in {PUBLIC_MODULES!r}:\n"
             "    module = importlib.import_module(name)\n"
             "    for public in module.__all__:\n"
             "        getattr(module, public)\n"
             "print('imported', module.__file__)\n")
    # from an empty folder, so that only the installed wheel can be imported
    done = subprocess.run([python, "-c", check], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert str(venv) in done.stdout
