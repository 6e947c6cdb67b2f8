"""nn's public exceptions live in the public modules users associate them with, are
exported from nn, and are ValueErrors, so `except ValueError` keeps catching them."""
from __future__ import annotations

import importlib
import pkgutil

import pytest

import nn

PUBLIC_EXCEPTIONS = [
    ("NonFiniteUpdate", "nn.optim"), ("LearningRateError", "nn.optim"),
    ("ModelFileError", "nn.serialization"),
    ("TrainingStopped", "nn.training"), ("TrainingDiverged", "nn.training"),
    ("CompileMismatch", "nn.training"),
]


@pytest.mark.parametrize("name, module", PUBLIC_EXCEPTIONS)
def test_each_exception_is_defined_in_its_public_module_and_exported_from_nn(name, module):
    error = getattr(nn, name)
    assert (error.__module__, name in nn.__all__) == (module, True)
    assert issubclass(error, ValueError)


def test_every_exception_nn_exports_is_defined_in_a_public_module():
    exported = [getattr(nn, name) for name in nn.__all__]
    modules = {error.__module__ for error in exported
               if isinstance(error, type) and issubclass(error, BaseException)}
    assert modules and not [m for m in modules if any(p.startswith("_") for p in m.split("."))]


def test_private_modules_define_no_public_exceptions():
    found = []
    for info in pkgutil.iter_modules(nn.__path__):
        if info.name.startswith("_"):
            module = importlib.import_module(f"nn.{info.name}")
            found += [f"{module.__name__}.{name}" for name, value in vars(module).items()
                      if isinstance(value, type) and issubclass(value, BaseException)
                      and value.__module__ == module.__name__ and not name.startswith("_")]
    assert found == []
