# firstcontact: `make run` to try it, `make test` to check it. See README.md.
#
# Every target is safe to repeat: `install` re-runs pip only when pyproject.toml changes, npm
# only when the lock changes, and sass only when the stylesheet sources change.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed-pyproject
NPM_STAMP := node_modules/.installed-lock
STATIC := src/firstcontact/web/static
BUILD := $(STATIC)/build
SCSS := $(wildcard $(STATIC)/src/*.scss)
ASSETS := $(BUILD)/app.css $(BUILD)/govuk-frontend.min.js $(BUILD)/htmx.min.js \
          $(BUILD)/swagger-ui-bundle.js $(BUILD)/swagger-ui.css

.PHONY: help install run test lint bench eval-harm eval-people clean

help:
	@echo "make run    install, migrate, seed the demo force, serve http://$(HOST):$(PORT)"
	@echo "make test   install, then pytest (PYTEST_ARGS='-k intake' to narrow)"
	@echo "make lint   ruff, mypy --strict, import-linter"
	@echo "make bench  run the benchmarks (QUICK=1: a few minutes); figures in bench/results/"
	@echo "make eval-harm  precision, recall and F1 of the hidden-harm scanner per harm type"
	@echo "make eval-people  precision, recall and F1 of people linking on the FEBRL data sets"

install: $(PY_STAMP) $(ASSETS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): pyproject.toml setup.py src/firstcontact/harm/evidence_spans.pyx | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --omit=optional
	touch $@

$(BUILD)/app.css: $(SCSS) $(NPM_STAMP)
	mkdir -p $(BUILD)
	node_modules/.bin/sass --pkg-importer=node --no-source-map --style=compressed \
	  --quiet-deps $(STATIC)/src/app.scss $@

$(BUILD)/govuk-frontend.min.js: $(NPM_STAMP)
	mkdir -p $(BUILD)
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $@

$(BUILD)/htmx.min.js: $(NPM_STAMP)
	mkdir -p $(BUILD)
	cp node_modules/htmx.org/dist/htmx.min.js $@

$(BUILD)/swagger-ui-bundle.js $(BUILD)/swagger-ui.css: $(NPM_STAMP)
	mkdir -p $(BUILD)
	cp node_modules/swagger-ui-dist/$(notdir $@) $@

run: install
	$(BIN)/firstcontact db upgrade
	$(BIN)/firstcontact demo
	FIRSTCONTACT_LOG_JSON=$${FIRSTCONTACT_LOG_JSON:-false} \
	  $(BIN)/firstcontact serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install
	$(BIN)/firstcontact bench $(if $(QUICK),--quick)

eval-harm: install
	$(BIN)/python -m firstcontact.harm.evaluate
eval-people: install
	$(BIN)/python bench/people_eval.py

clean:
	rm -rf $(BUILD) node_modules $(PY_STAMP)
