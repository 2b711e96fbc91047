# cjm-lab: the two commands that matter are `make demo` and `make test`.
# Both create .venv when missing and install cjm-lab with its dependencies at the versions in
# constraints.txt (the tested set). Idempotent: a second run only checks stamp files.
#
#   make demo        the report notebooks on the bundled sample (runtime + JupyterLab; no browser, no Java)
#   make test        everything: lint, then every test tier (installs chromium and Java first, see below)
#   make test-fast   the inner loop: unit tests and doctests, no kernels, no Spark, no browser (< 90 s)
#   make lint        ruff check, ruff format --check, mypy
#   make docs        the documentation site into site/ (mkdocs build --strict; offline)
#   make constraints refresh constraints.txt from the dev environment after changing dependencies
#   make system-deps install Debian's chromium and a Java 17 runtime when missing (tools/system-deps.sh)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
CONSTRAINTS ?= constraints.txt
RUNTIME_STAMP := $(VENV)/.cjm-lab-runtime
DEV_STAMP     := $(VENV)/.cjm-lab-dev
CUSTOMERS ?= 5000
SEED   ?= 42
OUT    ?= data/generated
PYTEST_ARGS ?=
SHARED_DATA ?= ../shared/data/real
# the report notebooks: package data, and the files to edit in JupyterLab
NOTEBOOKS ?= cjm_lab/notebooks
# the inner loop: no Jupyter kernels, no Spark session, no browser
FAST_MARKERS ?= not notebook and not spark and not browser and not real_data and not slow

export MPLBACKEND ?= Agg

.PHONY: setup setup-dev demo test test-fast lint lab docs sample bench clean-venv real-data system-deps constraints \
        pre-commit clean-notebooks

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Runtime + JupyterLab: what `make demo` and `make lab` need.
$(RUNTIME_STAMP): pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -c $(CONSTRAINTS) -e ".[lab]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (cjm-lab)" >/dev/null
	@touch $@

# The test suite and the linters on top (pyspark, playwright, pytest, ruff, mypy, pre-commit).
$(DEV_STAMP): $(RUNTIME_STAMP)
	$(PIP) install --quiet -c $(CONSTRAINTS) -e ".[dev]"
	@touch $@

setup: $(RUNTIME_STAMP)

setup-dev: $(DEV_STAMP)

## Run the report notebooks on the bundled sample data; ends with a table of the reports written.
demo: setup
	@echo "make demo needs no browser and no Java: PDF export and Spark are optional (make test installs them)."
	$(BIN)/cjm-lab report all --out reports --quiet

## Copy the real datasets from the shared folder into data/real/ (only files missing there; the
## sources are read, never modified). The repository already holds copies, so this is usually a no-op.
real-data:
	@mkdir -p data/real
	@if [ -d "$(SHARED_DATA)" ]; then \
	  for f in "$(SHARED_DATA)"/*; do \
	    test -e "data/real/$$(basename "$$f")" || cp -v "$$f" data/real/; \
	  done; \
	fi

## Debian's chromium (PDF export, browser test) and a Java 17 runtime (Spark tests), when missing.
## Without root it stops and prints the command to run.
system-deps:
	@tools/system-deps.sh

## ruff (lint + format, notebooks included) and mypy on the package.
lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## Everything: lint, then the whole test suite (unit, doctests, real data, notebooks, reports, Spark,
## browser); pytest prints the 15 slowest tests.
test: setup-dev system-deps real-data lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## The inner loop: unit tests and doctests only (no kernels, no Spark, no browser; under 90 s).
test-fast: setup-dev
	$(BIN)/python -m pytest -m "$(FAST_MARKERS)" $(PYTEST_ARGS)

## Install the git pre-commit hook (the same ruff and mypy as `make lint`, from .venv; nothing downloads).
pre-commit: setup-dev
	$(BIN)/pre-commit install

## Pin the tested set: the exact versions installed in .venv by `make setup-dev` (run it after changing
## a dependency in pyproject.toml and passing `make test`; commit constraints.txt with the change).
constraints: setup-dev
	$(BIN)/python tools/dependency_closure.py > $(CONSTRAINTS).new
	@mv $(CONSTRAINTS).new $(CONSTRAINTS)
	@echo "wrote $(CONSTRAINTS) ($$(grep -vc '^#' $(CONSTRAINTS)) packages)"

## Open JupyterLab on the report notebooks (edit them there: they are the source).
lab: setup
	$(BIN)/jupyter lab $(NOTEBOOKS)/

## Strip outputs and execution counts from the report notebooks before committing (cells and tags stay).
clean-notebooks:
	$(BIN)/jupyter nbconvert --log-level=WARN --ClearOutputPreprocessor.enabled=True --ClearMetadataPreprocessor.enabled=False \
	  --to notebook --inplace $(wildcard $(NOTEBOOKS)/*.ipynb $(NOTEBOOKS)/templates/*.ipynb)

## Build the documentation into site/ (offline; any warning fails the build). Open site/index.html.
docs: setup-dev
	$(BIN)/mkdocs build --strict --site-dir site

## Generate a bigger sample: make sample CUSTOMERS=100000 OUT=data/generated
sample: setup
	$(BIN)/cjm-lab sample --customers $(CUSTOMERS) --seed $(SEED) --out $(OUT)

## Benchmarks (not part of the tests).
bench: setup
	$(BIN)/python bench/run_all.py

clean-venv:
	rm -rf $(VENV)
