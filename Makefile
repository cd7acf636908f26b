# Set-up on a fresh machine: `make serve` or `make test`; both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# frictionless and pip-audit bring `rich`, which changes Datasette's error handling: they live apart.
TOOLS_VENV := .venv-tools
TOOLS := $(TOOLS_VENV)/bin
DB := binational.db
INSPECT := inspect-data.json
HOST := 127.0.0.1
PORT := 8001
SOURCES := $(shell find sources -type f | sort)
CODE := build.py checks.py convert.py database.py schema.py sourcefiles.py sourcetree.py values.py report.py

.PHONY: bench bench-load bench-hostile install install-system lock audit build check docs lint format serve test release publish-files clean

# Every package, direct or not, is pinned with its hashes (requirements*.txt, compiled by `make lock`).
# Each environment is made anew when its requirements change, so it holds exactly what they pin.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.txt -r requirements-dev.txt
	touch $@

$(TOOLS_VENV)/.installed: requirements-tools.txt
	$(PYTHON) -m venv --clear $(TOOLS_VENV)
	$(TOOLS)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-tools.txt
	touch $@

# Browser libraries and map data, served by the site itself: pinned with integrity hashes in
# assets/package-lock.json, installed from the npm registry, copied into static/vendor/.
VENDOR := static/vendor
VENDOR_FILES := leaflet/dist/leaflet.js leaflet/dist/leaflet.css topojson-client/dist/topojson-client.min.js \
  world-atlas/countries-50m.json us-atlas/states-10m.json \
  vega/build/vega.min.js vega-lite/build/vega-lite.min.js vega-embed/build/vega-embed.min.js
$(VENDOR)/.installed: assets/package.json assets/package-lock.json
	@command -v npm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
	cd assets && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)
	cd assets/node_modules && cp $(VENDOR_FILES) ../../$(VENDOR)/
	touch $@

install: $(VENV)/.installed $(TOOLS_VENV)/.installed $(VENDOR)/.installed

# Re-pin after editing requirements.in or requirements-dev.in.
lock:
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet pip-tools==7.5.3
	.venv-lock/bin/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in
	.venv-lock/bin/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links -o requirements-dev.txt requirements-dev.in
	.venv-lock/bin/pip-compile -q --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links -o requirements-tools.txt requirements-tools.in

# Known vulnerabilities in the installed packages (PyPI's advisory data). Run weekly and before a release.
audit: install
	$(TOOLS)/pip-audit --strict --progress-spinner off --require-hashes --disable-pip -r requirements.txt -r requirements-dev.txt -r requirements-tools.txt

# Browser tests drive Debian's Chromium; the proxy-cache test runs Debian's nginx. Install them when missing.
install-system:
	@{ command -v chromium >/dev/null && command -v nginx >/dev/null; } || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium nginx-light >/dev/null; }
	@chromium --version
	@nginx -v

$(DB): $(SOURCES) $(CODE) $(VENV)/.installed
	$(BIN)/python build.py build --output $(DB)

$(INSPECT): $(DB)
	$(BIN)/datasette inspect $(DB) --inspect-file $(INSPECT)

build: $(DB) $(INSPECT)

check: install
	$(BIN)/python build.py check

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python build.py lint

# Files derived from the table declarations in schema.py: metadata.yml, the data dictionaries
# in README.md and sources/README.md, publish/Dockerfile. A test fails when one is stale.
docs: install
	$(BIN)/python docs.py
	$(BIN)/python release.py publish-files --output publish

format: install
	$(BIN)/ruff format .
	$(BIN)/python build.py lint --fix

# server.py holds the one server configuration (also used by the tests and publish/Dockerfile).
serve: build
	$(BIN)/python server.py serve --database $(DB) --inspect-file $(INSPECT) --host $(HOST) --port $(PORT)

test: install install-system
	$(BIN)/python -m pytest

# dist/: the database, CSV and JSON per table, datapackage.json, CITATION.cff, SHA256SUMS.
# Its only date comes from the last commit, so two releases of one commit are identical.
release: install
	SOURCE_DATE_EPOCH=$$(git log -1 --format=%ct 2>/dev/null || echo 0) $(BIN)/python release.py --output dist

# publish/Dockerfile: what a published container runs, generated for review in a diff.
publish-files: install
	$(BIN)/python release.py publish-files --output publish

# Every benchmark, then BENCHMARKS.md (about 90 minutes, half of it the sqlite-utils peer at 10^6; synthetic data in /tmp/binational-bench).
bench: build install-system
	$(BIN)/python -m bench.build_bench --sizes 1000 10000 100000 1000000
	$(TOOLS)/python -m bench.plot
	$(BIN)/python -m bench.serve_bench --sizes 0 1000 100000 1000000 --requests 30
	$(BIN)/python -m bench.proxy_bench
	$(BIN)/python -m bench.load --seconds 60 --concurrency 1 10 50
	$(BIN)/python -m bench.hostile
	$(BIN)/python -m bench.compose

# Load benchmark of the real server (not a test; writes bench/results-load.md, copied into BENCHMARKS.md).
bench-load: build
	$(BIN)/python -m bench.load --seconds 60 --concurrency 1 10 50
	$(BIN)/python -m bench.compose

# Hostile requests against the real server, one at a time: status, time, peak memory, CPU (about a minute; Linux).
bench-hostile: build
	$(BIN)/python -m bench.hostile
	$(BIN)/python -m bench.compose

clean:
	rm -rf $(DB) $(DB).tmp $(DB).tmp.summaries $(DB).lock static/vendor assets/node_modules $(INSPECT) dist test-artifacts .pytest_cache
