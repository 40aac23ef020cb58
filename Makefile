# qualcode: `make demo` builds and summarises the sample project; `make test` runs the tests.
# Both create .venv on first use and reuse it while pyproject.toml and constraints.txt are
# unchanged.

PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3.13 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SAMPLE := data/coded/sample.qualcode
AREAS  := $(notdir $(patsubst %/,%,$(wildcard data/raw/*/)))
PYTEST_ARGS ?=

CHROMIUM ?= /usr/bin/chromium

.PHONY: venv system demo test lint bench clean lock

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "qualcode needs Python 3.11 or newer; set PYTHON=/path/to/python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# The main job end to end: build the sample project, load two coders' sample coding, rebuild
# every area's report (areas whose inputs did not change since their last good run are skipped).
demo: venv
	rm -f $(SAMPLE) $(SAMPLE)-wal $(SAMPLE)-shm
	$(BIN)/qualcode init --project $(SAMPLE) --codebook data/raw/codebook.yaml
	@for area in $(AREAS); do \
		echo "== $$area"; \
		$(BIN)/qualcode ingest data/raw/$$area --area $$area --project $(SAMPLE) || exit 1; \
	done
	$(BIN)/qualcode import data/raw/sample-coding.tsv --project $(SAMPLE)
	$(BIN)/qualcode status --project $(SAMPLE)
	$(BIN)/qualcode pipeline run --project $(SAMPLE) --jobs 2
	@echo "Reports: open reports/<area>/latest/05_area_report.html ($(AREAS))"

# The browser tests drive Debian's chromium (no browser download), and the store tests run on
# a PostgreSQL server they start from Debian's postgresql binaries: install both when we can.
system:
	@test -x $(CHROMIUM) || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else \
			echo "The browser tests need Debian's chromium: sudo apt-get install chromium" >&2; \
			echo "(or skip them: make test PYTEST_ARGS='-m \"not browser\"')" >&2; exit 1; \
		fi; }
	@[ "$${QUALCODE_SKIP_POSTGRES:-0}" != 0 ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
		else \
			echo "The PostgreSQL tests need Debian's postgresql: sudo apt-get install postgresql" >&2; \
			echo "(or skip them: make test QUALCODE_SKIP_POSTGRES=1)" >&2; exit 1; \
		fi; }

# lint-imports checks the layers of the house (pyproject.toml [tool.importlinter],
# docs/architecture.md): a module imports only from the layers below it.
test: venv system lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports

bench: venv system
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# Re-pin every dependency after changing pyproject.toml (needs the network to the registry).
lock:
	rm -rf /tmp/qualcode-lock && $(PYTHON) -m venv /tmp/qualcode-lock
	/tmp/qualcode-lock/bin/python -m pip install --quiet --upgrade pip
	/tmp/qualcode-lock/bin/python -m pip install --quiet -e '.[dev]'
	/tmp/qualcode-lock/bin/python -m pip freeze --exclude-editable | sed 's/+cpu$$//' > constraints.txt

clean:
	rm -rf $(VENV) reports .pytest_cache .ruff_cache
