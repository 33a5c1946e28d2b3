# cyberdiscourse: run `make` or `make help` to list the targets.
# Every target creates the virtual environment it needs (.venv) on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help install build check report test lint format bench bench-topics-gwr clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
		{ echo "Python 3.10 or newer is needed (found: $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (cyberdiscourse)" >/dev/null
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the package with its tools

build: $(STAMP) ## Build data/processed from data/raw
	$(BIN)/cyberdiscourse build

check: $(STAMP) ## Validate data/raw and its metadata without building
	$(BIN)/cyberdiscourse check

report: build ## The main job: build the corpus, run the notebooks, write figures/ and reports/*.html
	$(BIN)/cyberdiscourse report

test: $(STAMP) ## Lint and run the tests (the notebooks are executed too)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest

SIZE_MB ?= 100
STAGES ?= build,segment,warm,naive,topics
bench: $(STAMP) ## Scale benchmark vs the naive pipeline on a synthetic corpus (SIZE_MB, STAGES)
	$(BIN)/python benchmarks/scale.py --size-mb $(SIZE_MB) --stages $(STAGES)

bench-topics-gwr: $(STAMP) ## Topic engines on the real Government Work Reports
	$(BIN)/python benchmarks/topics_gwr.py

lint: $(STAMP) ## Lint only
	$(BIN)/ruff check src tests

format: $(STAMP) ## Format the code with ruff
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

clean: ## Remove built data, figures and reports (never data/raw)
	rm -rf data/processed/* figures/* reports/*
	touch data/processed/.gitkeep figures/.gitkeep reports/.gitkeep
