# iom-suite: two commands do all set-up on a fresh machine.
#   make report   create .venv, install, register the kernel, produce the reports (default data)
#   make test     the same set-up, then run the tests
#   make lab      open JupyterLab with the project kernel
#   make lint     ruff (pyflakes, pycodestyle, isort, bugbear) over the library, tests and tools
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
KERNEL := iom-suite
REPORT_ARGS ?=
PYTEST_ARGS ?=

.PHONY: setup report test lint lab clean benchmark

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test,dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (iom-suite)" >/dev/null
	@touch $(STAMP)

setup: $(STAMP)

report: setup
	$(BIN)/iom report $(REPORT_ARGS)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check iomlib tests benchmarks tools notebooks

lab: setup
	$(BIN)/jupyter lab --notebook-dir=notebooks

benchmark: setup
	$(BIN)/python benchmarks/report_speed.py

clean:
	rm -rf $(VENV) reports/runs reports/latest
