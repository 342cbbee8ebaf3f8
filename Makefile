# The procurement portal's everyday commands. `make run` starts the demo,
# `make test` runs every test on SQLite and on PostgreSQL.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# Written once the requirements are installed; older than either file means reinstall.
INSTALLED := $(VENV)/.installed

HOST ?= 127.0.0.1
PORT ?= 8000
SANDBOX_PORT ?= 8001
# The businesses the demo's sandbox knows (Search Entity), written by seed_demo.
SANDBOX_DIRECTORY ?= sandbox-directory.json
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres
PYTEST_ARGS ?=

.PHONY: help install run web worker sandbox migrate seed test test-sqlite test-postgres check bench

help:
	@echo "make run      set up (venv, packages, database, demo data) and start the web"
	@echo "              server, the worker and the EnKash sandbox; Ctrl-C stops all three"
	@echo "              (options HOST=$(HOST) PORT=$(PORT) SANDBOX_PORT=$(SANDBOX_PORT))"
	@echo "make test     run every test on SQLite, then on PostgreSQL ($(TEST_POSTGRES_URL))"
	@echo "make install  create $(VENV) and install requirements-dev.txt into it"
	@echo "make check    ruff, system checks, missing migrations, and the deployment checklist"
	@echo "make web | worker | sandbox   start one process (DEBUG on)"
	@echo "make bench    benchmarks on PostgreSQL (\$$BENCH_DATABASE_URL, a bench_* database)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || echo "Purchase-order PDFs \
	need Debian's DejaVu fonts: apt-get install fonts-dejavu-core"
	touch $@

install: $(INSTALLED)

# The demo runs with DEBUG on: development secrets and the seed_demo command.
run web worker sandbox migrate seed: export DEBUG := true

migrate: $(INSTALLED)
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) seed_demo --sandbox-directory $(SANDBOX_DIRECTORY)

# The web server and the worker call the sandbox the demo starts, on
# SANDBOX_PORT, whatever ENKASH_BASE_URL says elsewhere.
run: export ENKASH_BASE_URL := http://127.0.0.1:$(SANDBOX_PORT)
# Links in e-mails lead to the web server as started here, unless
# PORTAL_BASE_URL is set in the environment.
run web worker: export PORTAL_BASE_URL ?= http://$(HOST):$(PORT)

# Each process runs in its own process group (set -m) so that stopping the
# demo also stops runserver's and the worker's auto-reloading children.
# Ctrl-C, SIGTERM and SIGHUP (a closed terminal) stop all three and end the
# recipe with status 0, a stop asked for, so make reports no error. When one
# process ends by itself (a crash, a port in use) the others are stopped and
# its status is the recipe's. While stopping, the shell ignores further
# signals (make passes its own SIGTERM on to this shell); a process still
# running 10 s after SIGTERM is killed.
run: seed
	@set -m; \
	stop() { \
		trap '' INT TERM HUP; trap - EXIT; \
		for pid in $$(jobs -p); do kill -TERM -- -$$pid 2>/dev/null; done; \
		for _ in $$(seq 100); do [ -z "$$(jobs -pr)" ] && break; sleep 0.1; done; \
		for pid in $$(jobs -pr); do kill -KILL -- -$$pid 2>/dev/null; done; \
		wait; \
	}; \
	trap 'stop; exit 0' INT TERM HUP; \
	trap stop EXIT; \
	$(MANAGE) runserver $(HOST):$(PORT) & \
	$(MANAGE) db_worker & \
	$(MANAGE) enkash_sandbox --port $(SANDBOX_PORT) --deliver-to http://$(HOST):$(PORT) --directory $(SANDBOX_DIRECTORY) & \
	echo "Demo at http://$(HOST):$(PORT)/ (users buyer, approver, supplier, admin; password demo-pass-123). Ctrl-C stops it."; \
	wait -n; status=$$?; \
	stop; \
	exit $$status

web: $(INSTALLED)
	$(MANAGE) runserver $(HOST):$(PORT)

worker: $(INSTALLED)
	$(MANAGE) db_worker

sandbox: $(INSTALLED)
	$(MANAGE) enkash_sandbox --port $(SANDBOX_PORT) --deliver-to http://$(HOST):$(PORT) $(if $(wildcard $(SANDBOX_DIRECTORY)),--directory $(SANDBOX_DIRECTORY))

# SQLite is named explicitly so that a DATABASE_URL in .env cannot redirect
# the run; Django tests on SQLite use an in-memory database.
test-sqlite: $(INSTALLED)
	DATABASE_URL=sqlite:///$(CURDIR)/db.sqlite3 $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: $(INSTALLED)
	DATABASE_URL=$(TEST_POSTGRES_URL) $(BIN)/pytest $(PYTEST_ARGS)

# Both runs always happen; the target fails if either failed.
test: $(INSTALLED)
	@status=0; \
	echo "== Tests on SQLite =="; \
	$(MAKE) --no-print-directory test-sqlite || status=1; \
	echo "== Tests on PostgreSQL ($(TEST_POSTGRES_URL)) =="; \
	$(MAKE) --no-print-directory test-postgres || status=1; \
	if [ $$status -ne 0 ]; then echo "Tests failed on at least one database."; fi; \
	exit $$status

# The regular expression finds each variable settings.py reads with env(...).
# The last command is the deployment checklist under production-like settings:
# each value it is given is one that check --deploy refuses to leave unset.
check: $(INSTALLED)
	$(BIN)/ruff check .
	@$(BIN)/python -c 'import re, sys; \
	read = set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", open("procurement/settings.py").read())); \
	listed = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", open(".env.example").read(), re.M)); \
	missing = sorted(read - listed); \
	sys.exit(".env.example does not document: " + ", ".join(missing) if missing else 0)'
	DEBUG=true $(MANAGE) check
	DEBUG=true $(MANAGE) makemigrations --check --dry-run
	DEBUG=false \
	SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	ALLOWED_HOSTS=procurement.example.in \
	PORTAL_BASE_URL=https://procurement.example.in \
	EMAIL_HOST=smtp.example.in \
	ENKASH_BASE_URL=https://enkash.example.in \
	ENKASH_CLIENT_ID=check-deploy-client \
	ENKASH_CLIENT_SECRET=check-deploy-client-secret \
	ENKASH_WEBHOOK_SECRET=whsec_Y2hlY2stZGVwbG95LXdlYmhvb2stc2VjcmV0 \
	$(MANAGE) check --deploy --fail-level WARNING

# Webhook ingest under gunicorn, several workers draining the outbox, a
# buyer's sends timed to their acknowledgement, a 1,000-line order, 200 open
# live pages polling their stamps, and the list queries' plans on 100,000
# orders; a few minutes.
# The database named by BENCH_DATABASE_URL (bench_procurement on the local
# PostgreSQL by default) is dropped and created afresh.
bench: $(INSTALLED)
	$(BIN)/python -m benchmarks
