# Two commands for a new user: `make docs` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Material 9.7+ prints a notice about MkDocs 2 on every build; we pin mkdocs<2.
export NO_MKDOCS_2_WARNING := 1

.PHONY: install docs docs-build test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the project's dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

docs: install
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

docs-build: install
	$(BIN)/mkdocs build --strict

test: install
	$(BIN)/python -m pytest

# Speed against the peers (scikit-learn, PyTorch), ~10 minutes; writes
# benchmarks/results/latest.json, which docs/performance.md renders.
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (set on some machines for old
# OpenBLAS builds) slow a current NumPy down: unset for the run.
# Options: make bench BENCH_ARGS='--reps 9' (see python -m benchmarks.run --help).
bench: install
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN)/python -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) site .pytest_cache .hypothesis test-artifacts
