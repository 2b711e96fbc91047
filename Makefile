# cjm-lab: the two commands that matter are `make demo` and `make test`.
# Both create .venv when missing and install cjm-lab with its dependencies
# (idempotent: a second run only checks a stamp file).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.cjm-lab-installed
CUSTOMERS ?= 5000
SEED   ?= 42
OUT    ?= data/generated
PYTEST_ARGS ?=
SHARED_DATA ?= ../shared/data/real
# the report notebooks: package data, and the files to edit in JupyterLab
NOTEBOOKS ?= cjm_lab/notebooks

export MPLBACKEND ?= Agg

.PHONY: setup demo test lab sample bench clean-venv real-data clean-notebooks

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,lab]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (cjm-lab)" >/dev/null
	@touch $(STAMP)

setup: $(STAMP)

## Run the report notebooks on the bundled sample data; prints the folder written.
demo: setup
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

## Run the whole test suite (unit, doctests, real data, notebooks, reports on the configs/).
test: setup real-data
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Open JupyterLab on the report notebooks (edit them there: they are the source).
lab: setup
	$(BIN)/jupyter lab $(NOTEBOOKS)/

## Strip outputs and execution counts from the report notebooks before committing (cells and tags stay).
clean-notebooks:
	$(BIN)/jupyter nbconvert --log-level=WARN --ClearOutputPreprocessor.enabled=True --ClearMetadataPreprocessor.enabled=False \
	  --to notebook --inplace $(wildcard $(NOTEBOOKS)/*.ipynb $(NOTEBOOKS)/templates/*.ipynb)

## Generate a bigger sample: make sample CUSTOMERS=100000 OUT=data/generated
sample: setup
	$(BIN)/cjm-lab sample --customers $(CUSTOMERS) --seed $(SEED) --out $(OUT)

## Benchmarks (not part of the tests).
bench: setup
	$(BIN)/python bench/run_all.py

clean-venv:
	rm -rf $(VENV)
