# The two quick-start commands are `make run` and `make test`; everything else
# is a step they take. A virtualenv in .venv keeps the machine's Python clean.

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
export FLASK_APP = wsgi

.PHONY: run test test-postgres install install-test system-packages chromium translations clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python system-packages
	$(BIN)/pip install --quiet -e .
	$(BIN)/pybabel -q compile -d tendering/translations

install-test: $(BIN)/python system-packages
	$(BIN)/pip install --quiet -e ".[test]"
	$(BIN)/pybabel -q compile -d tendering/translations

## Debian packages: Pango and fonts for PDF generation (WeasyPrint), Chromium for
## the browser tests. Installed when missing and we are root; otherwise we say what to install.
DEBIAN_PACKAGES = libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
system-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "Install these Debian packages for PDF generation: sudo apt-get install $$missing"; fi; fi

chromium:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } ; } \
	  || echo "Chromium is not installed: the browser tests will be skipped (sudo apt-get install chromium)."

## Install, create the SQLite database with demo data, serve on http://127.0.0.1:5000 with a job consumer
## (mail, deadlines) in the same process: Ctrl-C stops both
run: install
	$(BIN)/flask init-db
	$(BIN)/flask seed-demo
	SESSION_COOKIE_SECURE=$${SESSION_COOKIE_SECURE:-0} exec $(BIN)/flask serve --host 127.0.0.1 --port $${PORT:-5000}

## Install and run the whole suite (set TEST_DATABASE_URL for PostgreSQL), one worker per core (pytest-xdist);
## PYTEST_ARGS="-n 0 tests/test_seal.py" runs one file in this process
PYTEST_ARGS ?= -n auto
test: install-test chromium
	$(BIN)/ruff check tendering tests
	$(BIN)/ruff format --check tendering tests bench
	$(BIN)/pytest $(PYTEST_ARGS)

## The same suite on the local PostgreSQL server
test-postgres:
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/tendering_test} $(MAKE) test

## Re-extract messages after changing user-facing text, then translate nl.po
translations:
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _p:1c,2 --no-location -o /tmp/tendering-messages.pot .
	$(BIN)/pybabel update -i /tmp/tendering-messages.pot -d tendering/translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) instance .pytest_cache

## Benchmark both databases at scale 1 and 20 (generates the data once, under bench/data/); see README
bench: install-test
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/pip install --quiet -e ".[test,bench]"
	$(BIN)/python bench/run.py $(BENCH_ARGS)
