# Two commands matter: `make run` and `make test`. Both bootstrap .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test validate bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/mxus validate
	$(BIN)/mxus serve

validate: $(STAMP)
	$(BIN)/mxus validate

test: $(STAMP)
	$(BIN)/python -m pytest

# On demand, never in CI: compares mxus with Oxigraph server (and rdflib-endpoint when it installs).
bench: $(STAMP)
	$(BIN)/python tests/perf/bench.py

clean:
	rm -rf $(VENV) .pytest_cache
