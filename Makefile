# Each target sets up what it needs itself: a fresh machine needs only Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-test
# pywb, for the replay tests, in a venv of its own: its pins (redis==2.10.6, brotlipy)
# clash with the project's dependencies
PYWB_VENV  := .venv-pywb
PYWB_STAMP := $(PYWB_VENV)/.installed
# the oldest Scrapy minor pyproject.toml allows, tested by `make test-oldest`
OLDEST_SCRAPY := scrapy==2.15.*
OLD_VENV      := .venv-oldest
OLD_STAMP     := $(OLD_VENV)/.installed

.PHONY: setup demo test test-oldest lint typecheck format bench bench-export bench-extract clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

$(PYWB_STAMP):
	$(PYTHON) -m venv $(PYWB_VENV)
	$(PYWB_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PYWB_VENV)/bin/python -m pip install --quiet "pywb>=2.8,<3"
	touch $(PYWB_STAMP)

$(OLD_STAMP): pyproject.toml
	$(PYTHON) -m venv $(OLD_VENV)
	$(OLD_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(OLD_VENV)/bin/python -m pip install --quiet -e ".[test]" "$(OLDEST_SCRAPY)"
	touch $(OLD_STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/newsarchive demo --out archives

test: setup $(PYWB_STAMP) lint typecheck
	$(BIN)/pytest

# the suite on the oldest Scrapy minor the dependency range allows (CI runs both)
test-oldest: $(OLD_STAMP) $(PYWB_STAMP)
	$(OLD_VENV)/bin/python -c "import scrapy; print('Scrapy', scrapy.__version__)"
	$(OLD_VENV)/bin/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy on the core (newsarchive/, [tool.mypy] in pyproject.toml); `make test` runs it
typecheck: setup
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python bench/crawl_bench.py
	$(BIN)/python bench/export_bench.py

# export time and peak memory alone: the demo archive and one ten times its size
bench-export: setup
	$(BIN)/python bench/export_bench.py

bench-extract: setup
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python bench/extract_bench.py

clean:
	rm -rf $(VENV) $(PYWB_VENV) $(OLD_VENV) .pytest_cache .ruff_cache .mypy_cache
