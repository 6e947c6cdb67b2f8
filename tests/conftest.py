"""Shared fixtures, and the `slow` marker.

This folder is on sys.path for every test (pytest puts a root conftest's folder there),
so tests import the shared helpers by name: strategies (hypothesis strategies), graphs
(example graphs), published (numbers from publications), chromium (a headless browser),
op_cases (where the op tests of core/ops/ apply each op), primitive_examples (primitives
defined at the top level, so that pickle finds them).
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from chromium import Chromium, chromium_or_skip


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slow: a million-node graph, a benchmark, a browser or a notebook "
                   "(make test runs them; pytest -m 'not slow' is the quick inner loop)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:  # every test that opens a browser is slow
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def browser() -> Iterator[Chromium]:
    """A headless Chromium for this test, closed after it."""
    chromium = Chromium(chromium_or_skip())
    yield chromium
    chromium.close()
