# Two commands for a new user: `make docs` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Material 9.7+ prints a notice about MkDocs 2 on every build; we pin mkdocs<2.
export NO_MKDOCS_2_WARNING := 1

.PHONY: install install-bench docs docs-build test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Each set of extras has its own stamp, remade when the project's dependencies change:
# `make docs` installs only what the site needs, `make test` adds the test tools,
# `make bench` the peers (PyTorch, scikit-learn).
$(VENV)/.installed-%: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[$*]"
	touch $@

install: $(VENV)/.installed-test

install-bench: $(VENV)/.installed-bench

docs: $(VENV)/.installed-docs
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

docs-build: $(VENV)/.installed-docs
	$(BIN)/mkdocs build --strict

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

# Speed against the peers (scikit-learn, PyTorch): about 3 minutes on an idle 2-CPU machine
# (measured 2 min 41 s with the default 7 repetitions; 3.9 min with --reps 11); writes
# benchmarks/results/latest.json, which docs/performance.md renders.
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (set on some machines for old
# OpenBLAS builds) slow a current NumPy down: unset for the run.
# Options: make bench BENCH_ARGS='--reps 9' (see python -m benchmarks.run --help).
bench: $(VENV)/.installed-test $(VENV)/.installed-bench
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(BIN)/python -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) site .pytest_cache .hypothesis test-artifacts
