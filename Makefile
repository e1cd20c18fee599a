# Two entry points, as the README's quick start shows:
#   make run   installs and opens the console on the built-in sandbox
#   make test  installs and runs lint, types and the tests
# Installs are pinned by constraints.txt (what the tests ran with: upgrades are a
# deliberate edit of it) and done once: a stamp file in the venv is remade only when
# pyproject.toml or constraints.txt changes, so later runs start offline.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIN := -c constraints.txt

.PHONY: run test install install-test bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet $(PIN) -e .
	touch $@

# The test install includes everything `run` needs, so it also marks that one done.
$(VENV)/.installed-test: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet $(PIN) -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	$(BIN)/switchboard --sandbox

# Four test workers on two cores: Pilot tests spend most of their time waiting for the
# app to go idle (about 40 ms a key), so twice the cores keeps both busy.
test: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -q -n 4

# Every benchmark runs, each in its own process, even when one misses; the run ends with
# one results table and fails if any target was missed (tests/bench/__main__.py).
bench: install-test
	$(BIN)/python -m tests.bench
