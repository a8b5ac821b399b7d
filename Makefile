# The two set-up commands of the README, and the steps they are made of.
# Everything lands in .venv next to this file; nothing is installed system-wide
# except by .ci/run, which also installs the system libraries Qt needs.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEMO_DB ?= sqlite:///$(CURDIR)/.demo/guichet-demo.db

.PHONY: demo test lint install system-deps

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: system-deps $(VENV)/.installed

system-deps:
	@sh packaging/system-deps.sh --check 2>/dev/null || sh packaging/system-deps.sh --install

## Install, build the demo database (once) and start Guichet on it.
demo: system-deps install
	@mkdir -p .demo
	$(PY) main.py --database "$(DEMO_DB)" demo --profile dz --keep-existing
	$(PY) main.py --database "$(DEMO_DB)"

## Install and run the whole test suite (PostgreSQL tests need the server on 127.0.0.1:5432).
test: install
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -n auto --dist loadfile

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
