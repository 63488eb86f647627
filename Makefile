# Two commands set everything up: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FIRST_YEAR ?= 2021
# The current year (Asia/Jakarta, as the partitions): year to date (§8).
LAST_YEAR ?= $(shell TZ=Asia/Jakarta date +%Y)
SCALE ?= kota
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home

.PHONY: demo test dev sample-data templates bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(DAGSTER_HOME):
	mkdir -p $@

## Run 2021 to the current year on the sample extracts into SQLite as one run
## (single-run backfill), then print the kecamatan's values per year; the current year
## is year to date (its sample extracts run to 30 September 2026).
demo: $(VENV)/.installed | $(DAGSTER_HOME)
	$(BIN)/dagster asset materialize -m iku_pipeline.definitions --select '*' \
	  --partition-range $(FIRST_YEAR)...$(LAST_YEAR) > $(DAGSTER_HOME)/demo.log 2>&1 \
	  || { tail -n 60 $(DAGSTER_HOME)/demo.log; exit 1; }
	$(BIN)/python -m iku_pipeline.summary

## Every test (the PostgreSQL ones skip, saying why, when no server is reachable).
test: $(VENV)/.installed
	$(BIN)/python -m pytest

## The Dagster UI on http://127.0.0.1:3000
dev: $(VENV)/.installed | $(DAGSTER_HOME)
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

## Regenerate the sample extracts under data/raw (deterministic).
sample-data: $(VENV)/.installed
	$(BIN)/python scripts/generate_sample_data.py

## The Excel input templates, one per source, into templat/ under IKU_OUTPUT_DIR (default
## data/published/templat/), from the reference tables: after editing kelurahan.csv or
## jenis_layanan.csv.
templates: $(VENV)/.installed
	$(BIN)/python -m iku_pipeline.assets.templat

$(VENV)/.bench-installed: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $@

## Benchmark at SCALE=kecamatan|kota|provinsi (generated extracts cached in bench/.cache/):
## the core against DuckDB SQL on the same files, then end-to-end Dagster runs.
bench: $(VENV)/.bench-installed
	$(BIN)/python -m bench.run_bench --scale $(SCALE)

clean:
	rm -rf data/warehouse data/published $(DAGSTER_HOME)
