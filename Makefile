# 掌上社区. `make help` lists the targets.
SHELL := /bin/bash
PY := .venv/bin/python
PORT ?= 8000
# pytest-xdist workers for the suites (each with a database of its own); 0 runs them in one process
WORKERS ?= auto
# options for bench/run.py, e.g. BENCH="--quick" or BENCH="--database postgres"
BENCH ?=
export PATH := $(CURDIR)/.venv/bin:$(PATH)

.PHONY: help run test lint typecheck unit test-sqlite test-postgres test-browser bench fonts messages clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

.venv/.run: requirements.lock pyproject.toml
	scripts/system-packages.sh run
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

.venv/.test: .venv/.run requirements-dev.lock
	scripts/system-packages.sh test
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.lock
	touch $@

fonts: .venv/.run ## prepare the CJK font embedded in PDF notices (var/fonts)
	civic fonts

run: .venv/.run fonts ## set up, load the demo district and serve http://127.0.0.1:$PORT
	civic migrate
	civic demo
	civic serve --port $(PORT)

lint: .venv/.test ## ruff check and format check
	ruff check site tests bench
	ruff format --check site tests bench

typecheck: .venv/.test ## mypy on site/civic and bench (configured in pyproject.toml)
	mypy

unit: .venv/.test fonts ## the suite on SQLite, without the browser
	pytest -q -n $(WORKERS) -m "not browser" tests

test-sqlite: unit

test-postgres: .venv/.test fonts ## the suite on a throwaway PostgreSQL cluster
	scripts/with-postgres.sh pytest -q -n $(WORKERS) -m "not browser" tests

test-browser: .venv/.test fonts ## the browser tests on the system Chromium
	pytest -q -m browser tests/browser

test: lint typecheck test-sqlite test-postgres test-browser ## everything CI runs: ruff, mypy, SQLite, PostgreSQL, Chromium

bench: .venv/.test fonts ## page bytes, SQL, requests per second, 10× and 100× data, writers, PDFs (BENCH="--quick --database postgres")
	$(PY) bench/run.py $(BENCH)

messages: .venv/.run ## extract the strings shown to people into site/civic/locale/messages.pot
	pybabel extract -F babel.cfg -o site/civic/locale/messages.pot site templates

clean: ## remove the virtualenv and local data
	rm -rf .venv var .pytest_cache .ruff_cache .mypy_cache
