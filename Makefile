# Two commands matter: `make run` and `make test`. Both bootstrap .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test validate bench clean translations screenshots yasgui

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

# The package's bytecode first: where PYTHONDONTWRITEBYTECODE is set (as on the machines this runs on),
# each of the ~150 processes the suite starts (servers, query workers, commands) compiled it again.
test: $(STAMP)
	$(BIN)/python -m compileall -q server
	$(BIN)/python -m pytest

# On demand, never in CI: the cost curve of mxus (the README's production command) against Oxigraph server,
# rdflib-endpoint (in a venv of its own) and nginx serving static files (apt-get when missing).
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python tests/perf/bench.py --sizes 1k,10k,100k,1m,10m --plot tests/perf/cost-curve.svg --fronts 100k

# After changing an interface string: extract them all, merge into the Spanish catalogue (translate
# the new msgstr by hand in server/translations/es/LC_MESSAGES/messages.po), then compile the .mo
# (committed; tests/test_translations.py checks it is the compiled .po).
translations: $(STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k N_ --no-location --sort-output -o .venv/messages.pot .
	$(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete -i .venv/messages.pot -d server/translations
	$(BIN)/pybabel -q compile -d server/translations

# On demand: the README's screenshots (docs/screenshots/), from a server on a spare port.
screenshots: $(STAMP)
	tmp=$$(mktemp -d); $(BIN)/mxus serve --port 8765 --instance $$tmp/instance & pid=$$!; \
	for i in $$(seq 60); do curl -sf http://127.0.0.1:8765/ >/dev/null && break; sleep 1; done; \
	$(BIN)/python docs/screenshots/take.py http://127.0.0.1:8765/; status=$$?; kill $$pid; rm -rf $$tmp; exit $$status

# On demand, needs npm: rebuild the committed browser files from the exact versions in
# web-build/package-lock.json (YASGUI into server/static/yasgui/, axe-core into tests/e2e/vendor/).
yasgui:
	cd web-build && npm ci --ignore-scripts --no-audit --no-fund
	node web-build/copy.mjs

clean:
	rm -rf $(VENV) .pytest_cache
