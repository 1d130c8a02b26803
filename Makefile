# The README's commands. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run serve test test-fast lint format bench bench-full clean

SERVE_STAMP := $(VENV)/.installed-serve-stamp

# The app's own needs (all `make serve` installs), then its test and benchmark tools.
$(SERVE_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --quiet --upgrade pip
	$(BIN)/pip install --quiet --quiet -e .
	touch $(SERVE_STAMP)

$(STAMP): $(SERVE_STAMP)
	$(BIN)/pip install --quiet --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/flask setup
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# Several worker processes, for a team; WORKERS and BIND can be changed on the command line.
# Only the schema is brought up to date: no demo admin, no seed articles in a team's database.
WORKERS ?= $(shell nproc)
BIND ?= 127.0.0.1:8000
serve: $(SERVE_STAMP)
	$(BIN)/flask db upgrade
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(BIND) --access-logfile - 'annotator:create_app()'

test: $(STAMP)
	$(BIN)/pytest

# The suite without the tests marked slow (load, servers, big databases, long browser
# scenarios), for the loop of editing and testing; `make test` and CI run them all.
test-fast: $(STAMP)
	$(BIN)/pytest -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python bench/run.py

bench-full: $(STAMP)
	$(BIN)/python bench/run.py --sentences 1000000

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
