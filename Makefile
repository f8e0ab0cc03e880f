# Amtsweg: set-up and everyday commands.
#
#   make run    install everything, migrate, load demo data, serve on http://127.0.0.1:8000/
#   make test   install everything, lint, check migrations, run the tests (SQLite, then PostgreSQL)
#
# Needs only python3 (>= 3.11), node/npm and, for gettext, xmlsec1 and the PDF libraries (Pango,
# HarfBuzz, DejaVu fonts), root with apt. Each step runs only when its inputs changed (stamp
# files), so a second `make install` takes a second.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
AMTSWEG := $(CURDIR)/$(BIN)/amtsweg
HOST ?= 127.0.0.1
PORT ?= 8000

# Settings resolve a relative var directory against the working directory; pin it to the
# checkout so that commands run from src/amtsweg (compilemessages) use the same one.
AMTSWEG_VAR_DIR ?= $(CURDIR)/var
export AMTSWEG_VAR_DIR

PY_STAMP := $(VENV)/.amtsweg-installed
NPM_STAMP := frontend/node_modules/.amtsweg-installed
VENDOR_STAMP := src/amtsweg/static/vendor/.built
LINT_PATHS := $(wildcard src tests bench)

# The PostgreSQL test run: $TEST_DATABASE_URL, else this local default when it answers.
DEFAULT_TEST_DATABASE_URL := postgres://postgres@127.0.0.1:5432/amtsweg
TEST_VAR_DIR := $(CURDIR)/var/test

# Exit 0 when the PostgreSQL server behind the URL in argv[1] answers within 3 seconds. A missing
# database counts as answering: the tests create their own test_<name> database anyway.
define PG_PROBE
import sys
import psycopg
try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
except psycopg.OperationalError as error:
    message = str(error).strip()
    if not (message.startswith("connection") and 'database "' in message
            and "does not exist" in message):
        print(message.splitlines()[0] if message else type(error).__name__)
        sys.exit(1)
endef
export PG_PROBE

.PHONY: help venv install gettext xmlsec pdf frontend messages run lint format check-migrations \
	test test-fast test-sqlite test-postgres test-e2e chromium valgrind clean

help:
	@echo "make run         install, migrate, load demo data, serve on http://$(HOST):$(PORT)/"
	@echo "make test        install, lint, check migrations, pytest on SQLite and PostgreSQL,"
	@echo "                 and the benchmarks' smoke check (make bench-quick)"
	@echo "make test-fast   install, then pytest on SQLite only (no lint, no PostgreSQL)"
	@echo "make test-e2e    browser tests only (Playwright, Debian's Chromium, axe-core)"
	@echo "make install     Python venv, gettext, xmlsec1, PDF libraries, front-end assets, translations"
	@echo "make lint        ruff format --check and ruff check"
	@echo "make format      ruff format and ruff check --fix"
	@echo "make bench       submissions (SQLite, PostgreSQL), back office at 1,000,000 cases, documents,"
	@echo "                 journey pages (~14 min on a quiet machine); figures to docs/benchmarks.md"
	@echo "make bench-quick the same, small and short (~2 min): checks the suite runs"
	@echo "make clean       remove var/ (database, uploads, secret key) and .venv/"

# --- installation ---------------------------------------------------------------------------

venv: $(PY_STAMP)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "Amtsweg needs Python 3.11 or newer as '$(PYTHON)' (set PYTHON=... to choose)." >&2; \
		exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || $(MAKE) --no-print-directory \
		APT_PACKAGE=python3-venv APT_REASON="$(PYTHON) cannot create virtual environments" apt-install
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependencies in pyproject.toml changed.
$(PY_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

gettext:
	@command -v msgfmt >/dev/null 2>&1 || $(MAKE) --no-print-directory \
		APT_PACKAGE=gettext APT_REASON="msgfmt (GNU gettext) is needed to compile translations" \
		apt-install

# pysaml2 signs and checks SAML messages (BundID log-in) with the xmlsec1 program.
xmlsec:
	@command -v xmlsec1 >/dev/null 2>&1 || $(MAKE) --no-print-directory \
		APT_PACKAGE=xmlsec1 APT_REASON="xmlsec1 is needed to sign and check SAML messages" \
		apt-install

# WeasyPrint (receipts and decisions as PDF/A) loads Pango and HarfBuzz at run time, and the
# documents are set in DejaVu, whose fonts are embedded into every PDF. Checked by importing
# WeasyPrint (it fails without Pango), asking it for HarfBuzz's subsetter, 4.1 or newer (else
# WeasyPrint falls back to fontTools, and every receipt takes three times the CPU:
# docs/benchmarks.md, "receipts on a fresh machine"), and asking fontconfig for the font.
PDF_APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
pdf: $(PY_STAMP)
	@{ $(BIN)/python -c 'from weasyprint.text.ffi import harfbuzz, harfbuzz_subset; \
		raise SystemExit(not (harfbuzz_subset and harfbuzz.hb_version_atleast(4, 1, 0)))' \
		>/dev/null 2>&1 \
		&& fc-list 'DejaVu Sans' 2>/dev/null | grep -q .; } || $(MAKE) --no-print-directory \
		APT_PACKAGE="$(PDF_APT_PACKAGES)" \
		APT_REASON="WeasyPrint needs Pango, HarfBuzz and the DejaVu fonts to make PDF documents" \
		apt-install

# The browser tests (tests/e2e) drive Debian's Chromium through Playwright; Playwright's own
# browser downloads are not used.
chromium:
	@test -x /usr/bin/chromium || $(MAKE) --no-print-directory \
		APT_PACKAGE=chromium APT_REASON="The browser tests need Chromium (/usr/bin/chromium)" \
		apt-install

# `python -m bench instructions` counts each page's instructions with Valgrind's callgrind.
valgrind:
	@command -v valgrind >/dev/null 2>&1 || $(MAKE) --no-print-directory \
		APT_PACKAGE=valgrind APT_REASON="The benchmarks count instructions with Valgrind" \
		apt-install

.PHONY: apt-install
apt-install:
	@if [ "$$(id -u)" -ne 0 ]; then \
		echo "$(APT_REASON). Install it as root: apt-get install $(APT_PACKAGE)" >&2; exit 1; fi
	@command -v apt-get >/dev/null 2>&1 || { \
		echo "$(APT_REASON), and apt-get is not available: install $(APT_PACKAGE) yourself." >&2; \
		exit 1; }
	@echo "$(APT_REASON): installing $(APT_PACKAGE) with apt-get"
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(APT_PACKAGE)

# Front-end packages (KERN UX, htmx): `npm ci` when node_modules is missing or the lock changed,
# then copy the files the templates use into src/amtsweg/static/vendor/ (gitignored).
frontend: $(VENDOR_STAMP)

$(NPM_STAMP): frontend/package-lock.json frontend/package.json
	@command -v npm >/dev/null 2>&1 || { \
		echo "npm is missing: install Node.js 18 or newer (apt-get install nodejs npm)." >&2; \
		exit 1; }
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

$(VENDOR_STAMP): $(NPM_STAMP) frontend/build.mjs
	cd frontend && node build.mjs
	@touch $@

# .mo files are not committed; compilemessages skips those already newer than their .po file.
messages: $(PY_STAMP) gettext
	@if find src/amtsweg -name '*.po' -path '*/locale/*' | grep -q .; then \
		cd src/amtsweg && $(AMTSWEG) compilemessages --ignore=.venv --verbosity=0; \
	else echo "No translations (.po files) to compile yet."; fi

install: venv gettext xmlsec pdf frontend messages

# --- running --------------------------------------------------------------------------------

# The demo's citizens log in at the bundled test identity provider (README "Citizen log-in with
# BundID"); AMTSWEG_TEST_IDP=false in the environment switches it off.
run: install
	@mkdir -p "$(AMTSWEG_VAR_DIR)"
	$(AMTSWEG) migrate --noinput
	$(AMTSWEG) collectstatic --noinput --verbosity=0
	$(AMTSWEG) demo --if-empty
	AMTSWEG_TEST_IDP="$${AMTSWEG_TEST_IDP:-true}" $(AMTSWEG) serve --host $(HOST) --port $(PORT)

# --- quality --------------------------------------------------------------------------------

lint: $(PY_STAMP)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/ruff check $(LINT_PATHS)

format: $(PY_STAMP)
	$(BIN)/ruff format $(LINT_PATHS)
	$(BIN)/ruff check --fix $(LINT_PATHS)

check-migrations: $(PY_STAMP)
	$(AMTSWEG) makemigrations --check --dry-run

# Both database runs happen even when the first fails, so one `make test` shows everything.
test: install chromium valgrind lint check-migrations
	@status=0; \
	$(MAKE) --no-print-directory test-sqlite || status=1; \
	$(MAKE) --no-print-directory test-postgres || status=1; \
	$(MAKE) --no-print-directory bench-quick || status=1; \
	if [ $$status -ne 0 ]; then echo "make test: FAILED" >&2; else echo "make test: passed"; fi; \
	exit $$status

test-fast: install test-sqlite

# The browser tests alone; they also run within test-sqlite (`make test`), not on PostgreSQL.
test-e2e: install chromium
	@mkdir -p "$(TEST_VAR_DIR)"
	AMTSWEG_VAR_DIR="$(TEST_VAR_DIR)" DATABASE_URL="sqlite:///$(TEST_VAR_DIR)/test.sqlite3" \
		$(BIN)/pytest -q -m e2e tests/e2e

# Tests get their own var directory, so they never write mail or uploads into the one `make
# run` uses, and an explicit SQLite URL, so a DATABASE_URL in the shell cannot redirect them.
test-sqlite: $(PY_STAMP)
	@mkdir -p "$(TEST_VAR_DIR)"
	@echo "== pytest on SQLite"
	AMTSWEG_VAR_DIR="$(TEST_VAR_DIR)" DATABASE_URL="sqlite:///$(TEST_VAR_DIR)/test.sqlite3" \
		$(BIN)/pytest -q

# An explicitly set TEST_DATABASE_URL must answer; the local default is tried and else skipped.
test-postgres: $(PY_STAMP)
	@mkdir -p "$(TEST_VAR_DIR)"
	@url="$${TEST_DATABASE_URL:-$(DEFAULT_TEST_DATABASE_URL)}"; \
	if ! reason=$$($(BIN)/python -c "$$PG_PROBE" "$$url" 2>&1); then \
		if [ -n "$${TEST_DATABASE_URL:-}" ]; then \
			echo "TEST_DATABASE_URL does not answer: $$reason" >&2; exit 1; fi; \
		echo "== pytest on PostgreSQL: SKIPPED, no server answers at $$url ($$reason)."; \
		echo "   Set TEST_DATABASE_URL=postgres://user:password@host:5432/amtsweg to run it."; \
		exit 0; fi; \
	echo "== pytest on PostgreSQL at $${url##*@}"; \
	AMTSWEG_VAR_DIR="$(TEST_VAR_DIR)" DATABASE_URL="$$url" $(BIN)/pytest -q -m "not e2e"

# --- benchmarks -----------------------------------------------------------------------------

# The benchmarks (bench/, docs/benchmarks.md): submissions (loopback only, bounded in time), the
# back office at 1,000,000 cases (PostgreSQL), documents, the journey's pages in process
# (SQLite and PostgreSQL), and their instructions counted by Valgrind. The full run appends
# dated sections to docs/benchmarks.md; the quick one only checks the suite runs.
.PHONY: bench bench-quick
bench: install valgrind
	$(BIN)/python -m bench --profile
	$(BIN)/python -m bench backoffice
	$(BIN)/python -m bench documents
	$(BIN)/python -m bench pages
	$(BIN)/python -m bench pages --database postgres
	$(BIN)/python -m bench instructions

bench-quick: install valgrind
	$(BIN)/python -m bench --quick --profile
	$(BIN)/python -m bench backoffice --quick
	$(BIN)/python -m bench documents --quick
	$(BIN)/python -m bench pages --quick
	$(BIN)/python -m bench pages --quick --database postgres
	$(BIN)/python -m bench instructions --quick

# --- cleaning -------------------------------------------------------------------------------

clean:
	rm -rf var $(VENV)
