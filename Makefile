# The one task runner. `make run` and `make test` install what is missing themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# ES_URL and its credentials come from the environment or .env, read by the settings and by
# scripts/es-local.sh alike (the local node at 127.0.0.1:9200 when neither sets it).
# A second local node that the outage tests stop and restart (tests/test_outage.py).
ES_OUTAGE_URL ?= http://127.0.0.1:9201
ES_OUTAGE_NODE_DIR ?= $(CURDIR)/.es/node-outage
export ES_OUTAGE_URL ES_OUTAGE_NODE_DIR
OUTAGE_NODE := ES_URL=$(ES_OUTAGE_URL) ES_NODE_DIR=$(ES_OUTAGE_NODE_DIR) ES_HEAP=512m
SHARED := ../shared
# With ../shared beside the checkout, `make run` indexes its seed corpus, real PDFs and the
# national PDFs. Without it, a synthetic demo generated once (bench/synth.py --demo: 216
# budgets of three cities over four years) into an index of its own, which the page marks as
# made-up data.
DEMO := .demo/budgets
ifneq ($(wildcard $(SHARED)/corpus),)
RUN_CORPUS := $(SHARED)/corpus $(wildcard $(SHARED)/realpdfs) $(wildcard $(SHARED)/national)
else
RUN_CORPUS := $(DEMO)
RUN_ENV := ES_INDEX_PREFIX=budget-demo SYNTHETIC_DEMO=true
CORPUS_READY := $(DEMO)/.generated
endif

.PHONY: bundle bundle-test cluster-up cluster-down cluster-test lock openapi install browser-deps ocr-deps bench-ingest bench-ocr screenshots run serve test test-unit bench eval soak es-up es-down es-status es-outage-up index lint clean

# Every package at the version and hash the lockfile names (`make lock` writes it), then the
# project itself, editable, without resolving anything again.
$(VENV)/.installed: pyproject.toml requirements-dev.lock
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) (3.11+) is needed"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

# The lockfiles, from pyproject.toml's pins: requirements.lock for the service (the image and the
# offline bundle install it), requirements-dev.lock with the test tools on the same versions.
# For every platform, Python 3.11 and later.
UV_COMPILE := uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" --quiet
lock: install
	$(PY) -m pip install --quiet uv==0.13.9
	$(VENV)/bin/$(UV_COMPILE) -o requirements.lock
	$(VENV)/bin/$(UV_COMPILE) --extra dev -c requirements.lock -o requirements-dev.lock

install: $(VENV)/.installed ocr-deps

ocr-deps:
	@scripts/ocr-deps.sh

es-up: install
	@scripts/es-local.sh up

es-down:
	@scripts/es-local.sh down
	@$(OUTAGE_NODE) scripts/es-local.sh down

es-outage-up: install
	@$(OUTAGE_NODE) scripts/es-local.sh up

es-status:
	@scripts/es-local.sh status

# Exit 1 (some files could not be read: the summary names them) still serves the rest;
# exit 2 (bad usage, Elasticsearch away) stops.
index: es-up $(CORPUS_READY)
	$(RUN_ENV) $(PY) -m indexer $(RUN_CORPUS) || [ $$? -eq 1 ]

# The page is served at once; the corpus is indexed behind it (the page shows how far), and the
# indexer is stopped with the server.
run: es-up $(CORPUS_READY)
	@$(RUN_ENV) $(PY) -m indexer $(RUN_CORPUS) & indexer=$$!; \
	trap 'kill $$indexer 2>/dev/null; wait $$indexer 2>/dev/null' EXIT; \
	$(RUN_ENV) $(PY) -m search_api

serve: install
	$(RUN_ENV) $(PY) -m search_api

$(DEMO)/.generated: bench/synth.py | $(VENV)/.installed
	@rm -rf $(DEMO)
	@echo "no ../shared beside the checkout: generating the synthetic demo budgets in $(DEMO)"
	$(PY) -m bench.synth --demo $(DEMO)
	@touch $@

browser-deps:
	@scripts/browser-deps.sh

test: es-up es-outage-up browser-deps
	$(PY) -m pytest $(PYTEST_ARGS)

# The README's screenshots (docs/screenshots/), taken by the browser tests that show those pages.
screenshots: es-up browser-deps
	README_SCREENSHOTS=1 $(PY) -m pytest -q tests/test_browser.py \
		-k "test_search_facet_and_timeline_in_the_page or test_a_hit_opens_its_page_with_the_row_marked"

# Not part of `make test`: many minutes (generates 10,000 synthetic documents once, in .bench/).
bench: es-up browser-deps
	$(PY) -m bench.ingest
	$(PY) -m bench.run $(BENCH_ARGS)

# The ingest part of `make bench` alone (BENCHMARKS.md, "Issue 14"): three paired rounds and
# the readers once, about five minutes.
bench-ingest: es-up
	$(PY) -m bench.ingest $(BENCH_INGEST_ARGS)

# Not part of `make test`: the OCR engines compared on scans made from ../shared's PDFs
# (BENCHMARKS.md, "OCR"); installs Tesseract (Debian) and RapidOCR on onnxruntime beside the
# default engine. Ten minutes or so.
bench-ocr: install
	@tesseract --list-langs 2>/dev/null | grep chi_sim >/dev/null || scripts/apt-install.sh \
		bench-ocr "Tesseract is left out of the comparison" tesseract-ocr tesseract-ocr-chi-sim
	$(PY) -m pip install --quiet -e '.[ocr-bench]'
	$(PY) -m bench.ocr $(BENCH_OCR_ARGS)

# Not part of `make test`: the parser alone over every document in ../shared, measured against
# the goldens read by eye; writes EXTRACTION.md (a few minutes; no Elasticsearch needed).
eval: install
	$(PY) -m bench.eval $(EVAL_ARGS)

# Not part of `make test`: the long versions of the load test (32 clients for 60 s over the
# real PDFs) and of the fuzzing (thousands of cases), the cluster tests and the offline bundle's
# install test; many minutes.
soak: es-up
	$(PY) -m bench.load --clients 32 --seconds 60
	HYPOTHESIS_PROFILE=soak $(PY) -m pytest -p no:cacheprovider tests/test_fuzz.py $(PYTEST_ARGS)
	$(MAKE) cluster-test
	$(MAKE) bundle-test

# The offline install bundle (scripts/bundle.sh; README, "Offline install"): the wheels of the
# project and of every dependency, Elasticsearch, a JDK, the lockfile and install.sh.
bundle: install
	@scripts/bundle.sh

# Builds the bundle, installs it into a temporary folder with pip's index on a closed port and
# no Maven, starts its node and API and searches (tests/test_bundle.py). Several minutes.
bundle-test: bundle
	BUDGET_BUNDLE=$(CURDIR)/dist/budget-search-bundle.tar.gz $(PY) -m pytest -p no:cacheprovider \
		tests/test_bundle.py $(PYTEST_ARGS)

# Three local nodes as one cluster (scripts/es-cluster.sh): HTTP on 127.0.0.1:9250-9252,
# transport on 9350-9352, data under .es/cluster/.
cluster-up: install
	@scripts/es-cluster.sh up

cluster-down:
	@scripts/es-cluster.sh down

# Nodes killed mid-ingest and under search load, and a rolling restart (tests/test_cluster.py);
# the cluster is stopped afterwards. Several minutes.
cluster-test: cluster-up
	ES_CLUSTER_URLS=$$(scripts/es-cluster.sh urls) $(PY) -m pytest -p no:cacheprovider \
		-m cluster tests/test_cluster.py $(PYTEST_ARGS); \
	status=$$?; scripts/es-cluster.sh down; exit $$status

test-unit: install
	$(PY) -m pytest -m "not es" $(PYTEST_ARGS)

# The API's contract as served, checked in: tests/test_api.py fails when it changes unawares.
openapi: install
	$(PY) -c "import json; from search_api.app import create_app; print(json.dumps(create_app().openapi(), ensure_ascii=False, indent=1, sort_keys=True))" > tests/openapi.json

lint: install
	$(VENV)/bin/ruff check indexer search_api tests
	$(VENV)/bin/ruff format --check indexer search_api tests
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
