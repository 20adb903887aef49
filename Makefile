# The README's two commands (`make run`, `make test`) and a few helpers. Each target builds the
# virtual environment it needs first, pinned by requirements.lock; nothing is to be done by hand.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CORES ?= all
CONFIG ?= config.yaml
SNAKEMAKE_ARGS ?=
SNAKEMAKE := $(BIN)/snakemake --configfile $(CONFIG) $(SNAKEMAKE_ARGS)

.PHONY: run report figures budget test system-packages lint format lock clean help

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

run: $(VENV)/.installed  ## run the whole pipeline (writes results/), then the HTML report
	$(SNAKEMAKE) --cores $(CORES)
	$(SNAKEMAKE) --report results/report.html

report: $(VENV)/.installed  ## rebuild results/report.html from what results/ holds
	$(SNAKEMAKE) --report results/report.html

# Every rule that draws a figure, from the registry of experiments (landscape/pipeline/sections.py).
FIGURE_RULES = $(shell $(BIN)/python -m landscape.pipeline.sections figure-rules)

figures: $(VENV)/.installed  ## redraw every figure from the tables in results/ (no training), then the report
	$(SNAKEMAKE) --cores $(CORES) --forcerun $(FIGURE_RULES) --allowed-rules $(FIGURE_RULES) run_statistics all
	$(SNAKEMAKE) --report results/report.html

budget: $(VENV)/.installed  ## check a finished run's jobs against the CPU budget (landscape/pipeline/budget.py)
	$(BIN)/python -m landscape.pipeline.budget results/report

test: lint system-packages  ## lint, then the tests (a real smoke run, SLURM cluster, the report)
	$(BIN)/pytest

system-packages:  ## install the Debian packages the tests need (as root; else say what is skipped)
	bash tests/system_packages.sh

lint: $(VENV)/.installed  ## ruff (with docstring rules), snakefmt and snakemake --lint
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/snakefmt --check Snakefile workflow
	$(BIN)/snakemake --lint

format: $(VENV)/.installed  ## reformat Python and Snakemake files in place
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/snakefmt Snakefile workflow

lock: $(VENV)/.installed  ## rewrite requirements.lock from the current environment
	{ echo "# Exact versions of the whole environment, used as pip constraints by the Makefile."; \
	  echo "# Regenerate with: make lock"; \
	  $(BIN)/pip freeze --exclude-editable | sed 's/^torch==\([0-9.]*\)+cpu/torch==\1/'; \
	} > requirements.lock

clean:  ## remove results/ (keeping its README) and Snakemake's metadata
	find results -mindepth 1 -not -name README.md -delete
	rm -rf .snakemake

$(VENV)/.installed: pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else \
	  "landscape needs Python >= 3.11; set PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
	  --constraint requirements.lock --editable '.[dev]'
	touch $@
