# Two entry points, each creating its own virtual environment so that no root and
# no system pip (PEP 668) is needed: `make demo` and `make test`. Each extra is
# installed once and again only when pyproject.toml changes (a stamp file per extra),
# so a second `make demo` starts at once.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/installed-%: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[$*]"
	touch $@

demo: $(VENV)/installed-plot
	$(BIN)/autograd-mini demo

test: $(VENV)/installed-dev
	$(BIN)/python -m pytest -n 2 tests

bench: $(VENV)/installed-bench
	$(BIN)/python benchmarks/run.py

# The documentation site into site/, strict: a broken link, a missing reference or a
# public name without a docstring fails the build.
docs: $(VENV)/installed-docs
	$(BIN)/python -m mkdocs build --strict

clean:
	rm -rf $(VENV) build *.egg-info autograd-mini-demo
