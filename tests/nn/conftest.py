"""Fixtures shared by the nn tests."""
from __future__ import annotations

import pytest

import nn.prediction


@pytest.fixture
def predict_compiles(monkeypatch) -> list[int]:
    """The number of outputs of each program predict compiles."""
    sizes: list[int] = []
    compile_batched = nn.prediction.compile_batched

    def counting(outputs, *args, **options):
        sizes.append(len(outputs))
        return compile_batched(outputs, *args, **options)
    monkeypatch.setattr(nn.prediction, "compile_batched", counting)
    return sizes
