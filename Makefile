# Two commands matter: `make demo` (install, migrate, seed, serve on 127.0.0.1:5000)
# and `make test` (install everything the tests need, then run every test).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install lint typecheck test-python test-js browser-deps js-deps postgres clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/annotator db upgrade
	$(BIN)/annotator seed
	$(BIN)/annotator serve --host 127.0.0.1 --port 5000

# Debian's Chromium drives the browser tests (never `playwright install`).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

# axe-core for the accessibility checks in the browser tests (package-lock.json).
js-deps: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch node_modules/.installed

# Starts the local PostgreSQL cluster when the tests are pointed at it.
postgres:
	@if [ -n "$$ANNOTATOR_TEST_DATABASE_URL" ]; then bash scripts/ensure-postgres; fi

# Tests run in PYTEST_WORKERS processes (pytest-xdist), whole files to a
# worker so that a file's module fixtures are built once; each worker has its
# own PostgreSQL database (<name>_gw0, ...). PYTEST_WORKERS=0 runs in one.
PYTEST_WORKERS ?= 2

test-python: install browser-deps js-deps postgres
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile

test-js:
	node --test tests/js/

test: test-python test-js

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
