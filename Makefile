# The two commands of the README: `make demo` (the main job) and `make test` (every test).
# Both set everything up on a fresh machine: the virtualenv, and the Pulumi CLI (built once into
# ~/.cache/tcr-provider, then reused).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
# Test files run in parallel, each file on one worker (its module fixtures, its own emulator per worker).
TEST_WORKERS ?= 2

.PHONY: venv cli demo demo-down test lint docs bench bench-scale acceptance clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@
	@echo "virtualenv ready: $(VENV)"

cli:
	@scripts/ensure-pulumi.sh >/dev/null

demo: venv
	@$(PY) scripts/demo.py up

demo-down: venv
	@$(PY) scripts/demo.py down

# The README's tables, the package's public names and the resources' constructor signatures, generated from the
# declarations (tcr_provider/reference.py); a test fails while they are stale.
docs: venv
	@$(PY) -m tcr_provider.reference
	@$(VENV)/bin/ruff format --quiet tcr_provider

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: venv
	@bin="$$(scripts/ensure-pulumi.sh)" && export TCR_PULUMI_BIN="$$bin" && \
	$(MAKE) --no-print-directory lint && \
	$(VENV)/bin/pytest -q -n $(TEST_WORKERS) --dist loadfile

# Benchmarks against the emulator with the real CLI (docs/benchmarks.md); e.g. `make bench BENCH_ARGS=--quick`.
bench: venv
	@$(PY) -c 'import matplotlib' 2>/dev/null || $(PY) -m pip install --quiet -e '.[bench]'
	@bin="$$(scripts/ensure-pulumi.sh)" && export TCR_PULUMI_BIN="$$bin" && $(PY) bench/run.py $(BENCH_ARGS)

# 20 stacks x 50 registries and tcr-drift over all of them (docs/benchmarks.md, "Scale"); options in SCALE_ARGS.
bench-scale: venv
	@bin="$$(scripts/ensure-pulumi.sh)" && export TCR_PULUMI_BIN="$$bin" && $(PY) bench/scale.py $(SCALE_ARGS)

# The Instance lifecycle against a real Tencent Cloud account (README, "Acceptance against a real account").
# It buys an instance, so it runs only when TCR_ACCEPTANCE=1 and the credentials are set.
acceptance:
	@$(PYTHON) scripts/acceptance.py
	@$(MAKE) --no-print-directory venv
	@bin="$$(scripts/ensure-pulumi.sh)" && export TCR_PULUMI_BIN="$$bin" && \
	TCR_ACCEPTANCE=1 $(VENV)/bin/pytest -q -s tests/acceptance

clean:
	rm -rf $(VENV) .demo .pytest_cache .mypy_cache .ruff_cache
