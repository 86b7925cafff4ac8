# Chorus: `make run` serves a demo site on http://127.0.0.1:8000; `make test` checks everything.
PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
export CHORUS_VAR_DIR ?= $(CURDIR)/var

.PHONY: run test lint types imports migrations-check unit test-sqlite test-postgres browser-deps \
        frontend frontend-check frontend-test bench lock clean

$(BIN)/.run-stamp: requirements/run.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.12 is needed (set PYTHON=/path/to/python3.12)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/run.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

$(BIN)/.dev-stamp: requirements/dev.txt $(BIN)/.run-stamp
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.txt
	touch $@

run: $(BIN)/.run-stamp
	$(BIN)/chorus migrate
	$(BIN)/chorus demo
	@echo "Chorus is at http://127.0.0.1:8000 (Ctrl-C stops it)"
	$(BIN)/chorus serve --host 127.0.0.1 --port 8000

lint: $(BIN)/.dev-stamp
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

types: $(BIN)/.dev-stamp
	CHORUS_ENV=test $(BIN)/mypy src tests bench

imports: $(BIN)/.dev-stamp
	$(BIN)/lint-imports

migrations-check: $(BIN)/.dev-stamp
	CHORUS_ENV=test $(BIN)/python manage.py makemigrations --check --dry-run

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	npm ci --prefix frontend --no-audit --no-fund
	touch $@

browser-deps: frontend/node_modules/.package-lock.json
	@test -x /usr/bin/chromium || { echo "Chromium is missing: apt-get install chromium (.ci/run does this)"; exit 1; }

test-sqlite: $(BIN)/.dev-stamp browser-deps
	CHORUS_ENV=test $(BIN)/pytest --cov --cov-report=term:skip-covered -q
	@echo "chorus.crypto must keep 100 % branch coverage:"
	$(BIN)/coverage report --include='src/chorus/crypto/*' --fail-under=100 --skip-covered

# Runs when a PostgreSQL server answers; CHORUS_REQUIRE_POSTGRES=1 (set by CI) makes its absence an error.
test-postgres: $(BIN)/.dev-stamp browser-deps
	@if $(BIN)/python -c "import psycopg; psycopg.connect('$(PG_TEST_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		CHORUS_ENV=test CHORUS_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q -m "not browser"; \
	elif [ "$$CHORUS_REQUIRE_POSTGRES" = "1" ]; then \
		echo "PostgreSQL is required but not reachable at $(PG_TEST_URL)"; exit 1; \
	else echo "PostgreSQL not reachable at $(PG_TEST_URL): skipping the PostgreSQL run"; fi

test: lint types imports migrations-check frontend-check frontend-test test-sqlite test-postgres

frontend: frontend/node_modules/.package-lock.json
	node frontend/build.mjs

# The committed bundle must be exactly what the committed sources and lock file build.
frontend-check: frontend/node_modules/.package-lock.json
	node frontend/build.mjs --check

bench: $(BIN)/.dev-stamp frontend/node_modules/.package-lock.json
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.crypto
	$(BIN)/python -m bench.escrow
	$(BIN)/python -m bench.keyserver

lock: $(BIN)/.dev-stamp
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --python-version 3.12 --universal --no-header --quiet --extra build -o requirements/run.txt
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --python-version 3.12 --universal --no-header --quiet --extra build --extra dev -o requirements/dev.txt

clean:
	rm -rf $(VENV) var frontend/node_modules

# Python's altcha and the widget's solver agree on the ALTCHA v2 wire format.
frontend-test: frontend/node_modules/.package-lock.json $(BIN)/.dev-stamp
	CHORUS_PYTHON=$(BIN)/python node --test frontend/test/
