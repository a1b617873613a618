# The MLA request intake portal. `make run` and `make test` work from a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYBABEL := $(VENV)/bin/pybabel
# This machine's pip configuration names local indexes that may be absent; hide that noise.
QUIET_PIP := 2>&1 | sed '/is ignored: it is neither a file nor a directory/d'
STATIC_VENDOR := portal/static/vendor
USWDS_VERSION := 3.14.0
AXE_VERSION := 4.11.0
export PORTAL_DATA_DIR ?= $(CURDIR)/instance

.PHONY: run test install install-test lock system-deps screenshots static catalogs extract update-catalogs i18n-check \
        lint typecheck test-sqlite test-postgres bench soak clean rules-quality openapi

# Dependencies come from the lock files, every file checked against its hash (`make lock`
# writes them from pyproject.toml); pip runs --isolated so that only PyPI is asked.
LOCKED_PIP := $(PIP) install --isolated --quiet --require-hashes --no-deps

$(VENV)/.installed: pyproject.toml requirements/runtime.txt
	$(PYTHON) -m venv $(VENV)
	set -o pipefail; $(PIP) install --isolated --quiet --upgrade pip $(QUIET_PIP)
	set -o pipefail; $(LOCKED_PIP) -r requirements/runtime.txt $(QUIET_PIP)
	set -o pipefail; $(PIP) install --isolated --quiet --no-deps -e . $(QUIET_PIP)
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements/test.txt
	set -o pipefail; $(LOCKED_PIP) -r requirements/test.txt $(QUIET_PIP)
	touch $@

# requirements/*.txt: every runtime and test dependency pinned with its hashes.
lock:
	$(PYTHON) -m pip install --isolated --quiet --user uv==0.13.9 || $(PYTHON) -m pip install --isolated --quiet uv==0.13.9
	$(PYTHON) -m uv pip compile --quiet pyproject.toml --generate-hashes --python-version 3.11 \
	  --index-url https://pypi.org/simple -o requirements/runtime.txt
	$(PYTHON) -m uv pip compile --quiet pyproject.toml --extra test --generate-hashes --python-version 3.11 \
	  --index-url https://pypi.org/simple -o requirements/test.txt

install: $(VENV)/.installed static catalogs system-deps
install-test: $(VENV)/.installed-test static catalogs system-deps

# Debian packages the portal needs at run time (Pango and fonts for the PDFs).
system-deps:
	bash scripts/ensure-pdf-deps.sh

static: $(STATIC_VENDOR)/uswds/.version-$(USWDS_VERSION)

# USWDS is served; axe-core (accessibility checks in the browser tests) stays in build/.
$(STATIC_VENDOR)/uswds/.version-$(USWDS_VERSION):
	rm -rf build/npm $(STATIC_VENDOR)/uswds
	mkdir -p build/npm $(STATIC_VENDOR)
	cd build/npm && npm install --silent --no-audit --no-fund --no-save \
	  @uswds/uswds@$(USWDS_VERSION) axe-core@$(AXE_VERSION)
	cp -r build/npm/node_modules/@uswds/uswds/dist $(STATIC_VENDOR)/uswds
	touch $@

catalogs: $(VENV)/.installed
	$(PYBABEL) compile -d translations -D messages

extract: $(VENV)/.installed
	$(PYBABEL) extract --no-location --sort-output -F babel.cfg -k N_ -k _l -k lazy_gettext \
	  --ignore-dirs=".* _* .venv build node_modules instance" -o translations/messages.pot .

update-catalogs: extract
	$(PYBABEL) update --no-fuzzy-matching --ignore-obsolete -w 100 -i translations/messages.pot -d translations -D messages
	$(PY) scripts/i18n_fill_english.py

run: install
	mkdir -p $(PORTAL_DATA_DIR)
	$(VENV)/bin/portal init-db
	$(VENV)/bin/portal demo
	@echo ""
	@echo "Serving on http://127.0.0.1:5000 with one background worker (Ctrl-C stops both)"
	$(VENV)/bin/portal worker --threads 2 & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(VENV)/bin/portal run --host 127.0.0.1 --port 5000

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check portal tests bench scripts examples

typecheck: $(VENV)/.installed-test
	$(VENV)/bin/mypy

# docs/openapi.json: the API's OpenAPI document, made from the code (a test checks it is current).
openapi: $(VENV)/.installed
	$(VENV)/bin/portal openapi --output docs/openapi.json

# docs/RULES_QUALITY.md: precision and recall of the text-reading rules on tests/rules/corpus/.
rules-quality: $(VENV)/.installed-test
	$(PY) -m tests.rules.corpus.quality

i18n-check: $(VENV)/.installed-test
	$(VENV)/bin/pytest -q tests/i18n

test: install-test
	bash scripts/ensure-chromium.sh
	bash scripts/ensure-oidc-provider.sh
	bash scripts/ensure-postgres.sh
	$(MAKE) --no-print-directory lint typecheck i18n-check
	$(MAKE) --no-print-directory test-sqlite test-postgres

test-sqlite: install-test
	$(VENV)/bin/pytest -q -n 2 --dist loadfile

test-postgres: install-test
	PORTAL_TEST_DATABASE_URL=$$(bash scripts/ensure-postgres.sh --url) \
	  $(VENV)/bin/pytest -q -n 2 --dist loadfile -m "not nodb and not once"

# docs/PERFORMANCE.md (loads both cores). BENCH_QUICK=1 make bench: a smoke run (HTTP steps
# of 2 s, less data) written to build/PERFORMANCE-quick.md instead.
bench: install-test
	bash scripts/ensure-postgres.sh
	bash scripts/ensure-wrk.sh
	$(PY) -m bench.run_all

screenshots: install-test
	bash scripts/ensure-chromium.sh
	$(PY) scripts/screenshots.py

# Long reliability runs (tests/reliability) on PostgreSQL: SOAK_SECONDS per test (default 600).
soak: install-test
	bash scripts/soak.sh

clean:
	rm -rf build $(STATIC_VENDOR) .pytest_cache .mypy_cache .ruff_cache
