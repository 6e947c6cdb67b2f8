"""The `autograd-mini` command line.

    commands.py  the parser and the `graph` and `demo` commands; main()
    paths.py     output paths, checked before any work
    formula.py   the safe formula parser (Python's ast with a whitelist, never eval)
"""
from autograd_mini.cli.commands import main

__all__ = ["main"]
