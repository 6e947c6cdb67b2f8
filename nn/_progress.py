"""fit's progress bar: tqdm's, in a terminal or a notebook, or none."""
from __future__ import annotations

import os
import sys
import warnings
from typing import Any


class NoBar:
    """Stands in for tqdm when the bar is off."""

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        pass

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def progress_bar(epochs: int, progress: bool | None) -> Any:
    """A tqdm bar over `epochs`, or a NoBar: `progress` None shows it only in a terminal or
    a notebook, True always, False never."""
    show = progress if progress is not None else _stderr_is_terminal() or _in_notebook()
    if not show:
        return NoBar()
    with warnings.catch_warnings():
        # Without ipywidgets tqdm.auto warns and falls back to the text bar, which
        # works in a notebook too.
        warnings.simplefilter("ignore")
        from tqdm.auto import tqdm
    return tqdm(total=epochs, desc="fit", unit="epoch", file=sys.stderr, **_fallback_size())


def _fallback_size() -> dict:
    """A fixed size when stderr is a terminal that reports 0 x 0 (some CI and container
    ptys): tqdm would otherwise draw an empty bar."""
    try:
        if os.get_terminal_size(sys.stderr.fileno()).columns == 0:
            return {"ncols": 80, "nrows": 24}
    except (OSError, ValueError, AttributeError):  # not a terminal: tqdm copes
        pass
    return {}


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stream
        return False


def _in_notebook() -> bool:
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})
