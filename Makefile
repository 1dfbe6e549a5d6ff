# Two commands for a new user: `make docs` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Material 9.7+ prints a notice about MkDocs 2 on every build; we pin mkdocs<2.
export NO_MKDOCS_2_WARNING := 1

.PHONY: install docs docs-build test clean

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

clean:
	rm -rf $(VENV) site .pytest_cache .hypothesis test-artifacts
