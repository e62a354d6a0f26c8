# Two commands: `make run` (set up, migrate, demo data, start) and `make test` (set up, lint, tests).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
# `make run` is the demo: demo accounts and banner. Set IHS_DEMO=0 and IHS_COOKIE_KEY for real use.
export IHS_DEMO ?= 1

.PHONY: run test install dev db demo lint format bench e2e clean axe

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
dev: $(VENV)/.dev-installed

db: install
	$(PY) -m ihs db upgrade

demo: db
	$(PY) -m ihs demo load --if-empty

run: demo
	@echo "IHS : http://localhost:$(PORT)"
	$(PY) -m streamlit run app.py --server.port $(PORT)

lint: dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

test: lint axe
	IHS_DEMO= $(PY) -m pytest

# axe-core for the browser tests' accessibility check (tests/e2e/test_accessibility.py), from npm at
# the version its lockfile pins. Without npm the check is skipped here, and fails in CI.
AXE := tests/e2e/node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE): tests/e2e/package.json tests/e2e/package-lock.json
	@if command -v npm >/dev/null; then cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/axe-core/axe.min.js; \
	else echo "npm is missing: the accessibility tests will not run (apt-get install -y npm)"; fi

bench: demo
	$(PY) -m ihs bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/e2e/node_modules
