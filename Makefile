# Entry points: `make report` builds the report, `make test` runs the tests.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
INSTALLED := $(VENV)/.installed
export PATH := $(BIN):$(PATH)

.PHONY: install report test quick lab sample clean bench

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# params.yaml is checked first: DVC reads it too, and would name only the first missing key.
report: $(INSTALLED)
	$(BIN)/python -m pipeline.core.params
	$(BIN)/dvc repro

# Two pytest-xdist workers (the machine's two cores). --dist loadfile: each test module runs on
# one worker, so its module-scoped build is made once; the modules with the longest builds are
# handed out first (tests/conftest.py). `make test TEST_WORKERS=0` runs in one process.
TEST_WORKERS ?= 2

test: $(INSTALLED)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

# The fast loop while editing: unit, contract and render tests, no `dvc repro` builds.
quick: $(INSTALLED)
	$(BIN)/python -m pytest -m "not e2e" -q -n $(TEST_WORKERS)

# Benchmark on fresh clones of HEAD (several minutes); writes docs/performance.md.
bench: $(INSTALLED)
	$(BIN)/python -m bench --repeats 3

lab: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/jupyter lab --notebook-dir=notebooks $$([ "$$(id -u)" = 0 ] && echo --allow-root)

clean:
	rm -rf outputs data/processed data/raw/sample
