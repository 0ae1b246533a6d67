# One command for the demo, one for the tests; each sets itself up on a fresh machine
# that has only Python 3.11, make and git.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench ui clean help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.8
	UV_COMPILE_BYTECODE=1 $(BIN)/uv pip install --quiet --python $(BIN)/python \
		-r requirements.lock -e '.[test,spark]'
	touch $(STAMP)

demo: $(STAMP)  ## generate sample exports, ingest them, build the FOCUS table, print totals
	$(BIN)/finops demo

test: $(STAMP)  ## run the full test suite (unit, SQL, conformance, end-to-end)
	scripts/setup_test_tools.sh
	$(BIN)/ruff check finops_pipeline tests benchmarks
	$(BIN)/python -m pytest -n 2 --dist loadfile

bench: $(STAMP)  ## run the ingest benchmark (writes a 500k-row CUR; several minutes)
	$(BIN)/python benchmarks/ingest_speed.py

ui: $(STAMP)  ## start the Dagster UI on 127.0.0.1:3000
	$(BIN)/finops ui

clean:  ## remove the virtualenv, local warehouse and the demo's finops.yaml (never yours)
	rm -rf $(VENV) finops.duckdb finops_sample_data .dagster_home build dist
	if head -1 finops.yaml 2>/dev/null | grep -q '^# finops.yaml written by `finops demo`'; then \
		rm -f finops.yaml; fi
