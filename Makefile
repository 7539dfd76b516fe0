# Entry points: `make report` builds the report, `make test` runs the tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
INSTALLED := $(VENV)/.installed
export PATH := $(BIN):$(PATH)

.PHONY: install report test lab sample clean

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

report: $(INSTALLED)
	$(BIN)/dvc repro

test: $(INSTALLED)
	$(BIN)/python -m pytest

lab: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/jupyter lab --notebook-dir=notebooks

clean:
	rm -rf outputs data/processed data/raw/sample
