# Two entry points for a fresh machine: `make demo` and `make test`.
# torch is installed first and pinned (a bare requirement would pull a multi-GB CUDA build).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.symxai-installed
TORCH := torch==2.13.0

.PHONY: install demo test lint bench clean

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet $(TORCH)
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/python -m pip install --quiet --no-deps schnetpack==2.1.1
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/symxai demo

test: install
	$(BIN)/ruff check symxai tests examples benchmarks
	$(BIN)/python -m pytest -m "not slow" -q

lint: install
	$(BIN)/ruff check symxai tests examples benchmarks
	$(BIN)/ruff format --check symxai tests examples benchmarks

bench: install
	$(BIN)/python benchmarks/core.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache symxai-output
