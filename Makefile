# cyberdiscourse: run `make` or `make help` to list the targets.
# Every target creates the virtual environment it needs (.venv) on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help install build check report test test-browser lint format fuzz bench bench-longline bench-lines \
	bench-extract bench-laws bench-topics-gwr bench-corpora bench-limits clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed (hashlib.file_digest) (found: $$($(PYTHON) --version))"; exit 1; }
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

test: $(STAMP) ## Lint and run the tests (the notebooks are executed too; the browser test needs Chromium)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest

test-browser: $(STAMP) ## JupyterLab in headless Chromium: notebook 04, the explorer, a report offline
	$(BIN)/python -m pytest -m browser tests/test_browser.py

FUZZ_MINUTES ?= 10
FUZZ_EXAMPLES ?= 1000
fuzz: $(STAMP) ## Fuzz the input side: rounds of new random examples for FUZZ_MINUTES minutes
	@end=$$(( $$(date +%s) + $(FUZZ_MINUTES) * 60 )); round=0; \
	while [ $$(date +%s) -lt $$end ]; do \
		round=$$((round + 1)); echo "fuzz round $$round"; \
		HYPOTHESIS_PROFILE=fuzz FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) \
			$(BIN)/python -m pytest tests/test_fuzz.py -q -p no:cacheprovider || exit 1; \
	done; \
	echo "fuzz: $$round round(s) of $(FUZZ_EXAMPLES) examples per property, no failure"

SIZE_MB ?= 100
STAGES ?= build,segment,warm,naive,percore,topics,formulations,reuse,report
bench: $(STAMP) ## Scale benchmark on a synthetic corpus (SIZE_MB, STAGES), then the long-line stage
	$(BIN)/python benchmarks/scale.py --size-mb $(SIZE_MB) --stages $(STAGES)
	$(BIN)/python benchmarks/long_lines.py

bench-longline: $(STAMP) ## Build time per MB of one-line captures, 128 KB to 16 MB (must be flat)
	$(BIN)/python benchmarks/long_lines.py

bench-extract: $(STAMP) ## Real captures in: add + build scored on gold, beside trafilatura and GNE
	$(BIN)/python benchmarks/extract.py

bench-corpora: $(STAMP) ## The three real corpora: add, build, full report; times, memory, MB/s vs targets
	$(BIN)/python benchmarks/corpora.py

bench-laws: $(STAMP) ## The 1,563 national laws in: each work's date against its catalogue's version date
	$(BIN)/python benchmarks/laws.py

bench-limits: $(STAMP) ## Hostile captures at real size (bombs, huge and deep pages): refused or read in 30 s, 1 GiB
	$(BIN)/python benchmarks/limits.py

bench-lines: $(STAMP) ## Each discard reason on the real captures: main text it wrongly removes
	$(BIN)/python benchmarks/line_reasons.py

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
