# Every target does its own set-up: a fresh machine needs only Python 3.10+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PARAMS ?= params/sample.yaml

.PHONY: all report test lab sample lint clean bench

all: test

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,postgres]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (salesnb)" >/dev/null
	@touch $(STAMP)

venv: $(STAMP)

data/sample/sales.csv: $(STAMP)
	$(BIN)/salesnb sample data/sample

sample: data/sample/sales.csv

report: $(STAMP) data/sample/sales.csv
	$(BIN)/salesnb run $(PARAMS)

# two workers (pytest-xdist), a file per worker (a notebook's cells share one kernel);
# they share the session's sample pack (tests/conftest.py)
test: $(STAMP) data/sample/sales.csv
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check salesnb tests benchmarks

lab: $(STAMP) data/sample/sales.csv
	$(BIN)/python -m pip install --quiet -e '.[test,postgres,lab]'
	$(BIN)/jupyter lab salesnb/notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,postgres,bench]'
	$(BIN)/python benchmarks/forecast_accuracy.py
	$(BIN)/python benchmarks/report_pack.py

clean:
	rm -rf $(VENV) data reports/*/ .pytest_cache
