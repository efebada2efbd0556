# hitonagare — the two commands: `make serve` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: setup serve dev test test-fast lint format bench clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

## setup: virtualenv, dependencies, database, reference data, static files (safe to repeat)
setup: $(VENV)/.installed
	mkdir -p var
	$(BIN)/hitonagare migrate --noinput -v0
	$(BIN)/hitonagare regions load --commit
	$(BIN)/hitonagare collectstatic --noinput -v0

## serve: setup, demo data if there are no openings yet, then the production server
## (granian, 2 workers x 4 threads) on SQLite
serve: setup
	$(BIN)/hitonagare demo-data --if-empty --openings 400 --applicants 60 --members 300 --print-credentials
	@echo "http://$(HOST):$(PORT)/ を開いてください（Ctrl+C で停止）"
	$(BIN)/granian --interface wsgi --host $(HOST) --port $(PORT) \
		--workers 2 --blocking-threads 4 --no-ws hitonagare.config.wsgi:application

## dev: Django's development server
dev: setup
	$(BIN)/hitonagare demo-data --if-empty --openings 400 --applicants 60 --members 300 --print-credentials
	$(BIN)/hitonagare runserver $(HOST):$(PORT)

## test: lint, types, then the whole suite (unit, API, CLI, views, browser)
test: $(VENV)/.installed
	$(MAKE) --no-print-directory lint
	DJANGO_SETTINGS_MODULE=hitonagare.config.settings.test $(BIN)/python -m pytest

test-fast: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=hitonagare.config.settings.test $(BIN)/python -m pytest -m "not browser"

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy

format: $(VENV)/.installed
	$(BIN)/ruff check --fix src tests bench scripts
	$(BIN)/ruff format src tests bench scripts

## messages: refresh the English catalogue after changing UI text
messages: $(VENV)/.installed
	cd src/hitonagare && ../../$(BIN)/hitonagare makemessages -l en --no-obsolete
	cd src/hitonagare && ../../$(BIN)/hitonagare compilemessages -v0

## bench: one JSON object per line (name, median_s, ...); asserts nothing about time
bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
