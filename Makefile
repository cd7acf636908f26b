# Set-up on a fresh machine: `make serve` or `make test`; both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB := binational.db
INSPECT := inspect-data.json
HOST := 127.0.0.1
PORT := 8001
SOURCES := $(shell find sources -type f | sort)
CODE := build.py database.py schema.py sourcefiles.py report.py
# Serving settings live in settings.json, shared by `make serve` and the tests.
SETTINGS = $(shell $(PYTHON) -c 'import json; print(" ".join(f"--setting {k} {str(v).lower() if isinstance(v, bool) else v}" for k, v in json.load(open("settings.json")).items()))')

.PHONY: bench bench-load install install-system lock audit build check lint format serve test release publish-files clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Every package, direct or not, is pinned with its hashes (requirements*.txt, compiled by `make lock`).
$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.txt -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# Re-pin after editing requirements.in or requirements-dev.in.
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet pip-tools==7.5.3
	.venv-lock/bin/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in
	.venv-lock/bin/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links -o requirements-dev.txt requirements-dev.in

# Known vulnerabilities in the installed packages (PyPI's advisory data). Run weekly and before a release.
audit: install
	$(BIN)/pip-audit --strict --progress-spinner off

# Browser tests drive Debian's Chromium; the proxy-cache test runs Debian's nginx. Install them when missing.
install-system:
	@{ command -v chromium >/dev/null && command -v nginx >/dev/null; } || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium nginx-light >/dev/null; }
	@chromium --version
	@nginx -v

$(DB): $(SOURCES) $(CODE) $(VENV)/.installed
	$(BIN)/python build.py --output $(DB)

$(INSPECT): $(DB)
	$(BIN)/datasette inspect $(DB) --inspect-file $(INSPECT)

build: $(DB) $(INSPECT)

check: install
	$(BIN)/python build.py --check

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python build.py lint

format: install
	$(BIN)/ruff format .
	$(BIN)/python build.py lint --fix

serve: build
	$(BIN)/datasette serve -i $(DB) --inspect-file $(INSPECT) \
	  --template-dir templates $(SETTINGS) \
	  --metadata metadata.yml --plugins-dir plugins \
	  --version-note "$$($(BIN)/python -c 'import yaml; print(yaml.safe_load(open("sources/dataset.yml"))["version"])')" \
	  --host $(HOST) --port $(PORT)

test: install install-system
	$(BIN)/python -m pytest

# dist/: the database, CSV and JSON per table, datapackage.json, CITATION.cff, SHA256SUMS.
# Its only date comes from the last commit, so two releases of one commit are identical.
release: install
	SOURCE_DATE_EPOCH=$$(git log -1 --format=%ct 2>/dev/null || echo 0) $(BIN)/python release.py --output dist

# publish/Dockerfile: what a published container runs, generated for review in a diff.
publish-files: install
	$(BIN)/python release.py publish-files --output publish

# Every benchmark, then BENCHMARKS.md (about 20 minutes; synthetic data in /tmp/binational-bench).
bench: build install-system
	$(BIN)/python -m bench.build_bench --sizes 1000 10000 100000 1000000
	$(BIN)/python -m bench.serve_bench --sizes 0 1000 100000 1000000 --requests 30
	$(BIN)/python -m bench.proxy_bench
	$(BIN)/python -m bench.load --seconds 60 --concurrency 1 10 50
	$(BIN)/python -m bench.compose

# Load benchmark of the real server (not a test; writes bench/results-load.md, copied into BENCHMARKS.md).
bench-load: build
	$(BIN)/python -m bench.load --seconds 60 --concurrency 1 10 50
	$(BIN)/python -m bench.compose

clean:
	rm -rf $(DB) $(DB).tmp $(INSPECT) dist test-artifacts .pytest_cache
