# Switchboard. `make run` starts everything on SQLite; `make test` runs the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
VPY       := $(VENV)/bin/python
STAMP     := $(VENV)/.installed
ASSETS    := static/vendor/.installed

# A Python >= 3.12: $(PYTHON) if given, else the first suitable one found (incl. pyenv's).
# pyenv's versions are also looked up where pyenv keeps them when it is not on PATH (CI shells).
PYTHON ?= $(shell for c in python3.13 python3.12 python3 \
	$$(command -v pyenv >/dev/null 2>&1 && ls -d $$(pyenv root)/versions/3.1[2-9]*/bin/python3 2>/dev/null) \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null); do \
	  p=$$(command -v $$c 2>/dev/null) || continue; \
	  $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; \
	done)

.PHONY: help install assets python run test contract lint format migrate seed worker beat web bench bench-list bench-health bench-dashboards backup restore clean

help:
	@echo "make run      install, migrate SQLite under var/, load demo data, start web + worker + beat"
	@echo "make test     install and run the test suite (SQLite, or DATABASE_URL/REDIS_URL if set)"
	@echo "make install  virtualenv in .venv and front-end assets (idempotent)"
	@echo "make contract Schemathesis fuzzing of every API operation as every role (minutes)"
	@echo "make backup / make restore FILE=…  pg_dump / pg_restore of DATABASE_URL (docs/operations.md)"
	@echo "make lint     ruff, the layer contract (lint-imports), no model change without migration"
	@echo "make bench    HTTP benchmark: gunicorn + wrk vs plain Django anchors, ~11 min; needs wrk"
	@echo "              (apt-get install wrk) and PostgreSQL; writes bench/results/http.json"
	@echo "make bench-list / bench-health  the partnership list (test client) / the health-check sweep"
	@echo "make bench-dashboards  the portfolio page and API (500 partnerships, 90 days) vs the anchors"

python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "Switchboard needs Python 3.12 or newer (Django 6.1). None was found on PATH or in pyenv." >&2; \
	  echo "Install one (e.g. 'pyenv install 3.12') or run: make PYTHON=/path/to/python3.12 ..." >&2; \
	  exit 1; fi

$(STAMP): pyproject.toml | python
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(ASSETS): package.json package-lock.json
	@command -v npm >/dev/null || { echo "Switchboard needs Node.js and npm for its front-end assets." >&2; exit 1; }
	npm ci --no-audit --no-fund --silent
	rm -rf static/vendor && mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/
	cp node_modules/@picocss/pico/css/pico.min.css static/vendor/
	cp node_modules/chart.js/dist/chart.umd.min.js static/vendor/
	cp node_modules/cytoscape/dist/cytoscape.min.js static/vendor/
	cp node_modules/cytoscape-dagre/dist/cytoscape-dagre.min.js static/vendor/
	cp node_modules/frappe-gantt/dist/frappe-gantt.umd.js node_modules/frappe-gantt/dist/frappe-gantt.css static/vendor/
	@# The source maps are not shipped: drop the comments naming them, which the production
	@# (manifest) static storage would otherwise try to resolve and fail on.
	sed -i '/^\/[/*]# sourceMappingURL=/d' static/vendor/*.js static/vendor/*.css
	@touch $(ASSETS)

install: $(STAMP) $(ASSETS)

# The front-end assets alone (the Dockerfile's build stage uses it without a virtualenv).
assets: $(ASSETS)

# Without REDIS_URL, Celery's filesystem broker keeps its messages under var/celery/.
VARDIRS := var/celery/queue var/celery/processed var/celery/control

migrate: install
	@mkdir -p $(VARDIRS)
	$(VPY) manage.py migrate --noinput

seed: migrate
	$(VPY) manage.py seed_demo

run: seed
	@echo
	@echo "  Switchboard: http://127.0.0.1:8000/   (API docs: http://127.0.0.1:8000/api/docs/)"
	@echo "  Demo logins, password 'switchboard-demo':"
	@echo "    admin@northstar.example  (admin)            am@northstar.example  (account manager)"
	@echo "    pm@northstar.example     (implementation PM) exec@university.example (client executive)"
	@echo "    admin@harbor.example     (admin of a second organization)"
	@echo "  Ctrl-C stops the web server, the Celery worker and beat."
	@echo
	$(VENV)/bin/honcho start -f Procfile

web: install
	@mkdir -p $(VARDIRS)
	$(VPY) manage.py runserver 127.0.0.1:8000
worker: install
	@mkdir -p $(VARDIRS)
	$(VENV)/bin/celery -A config worker --loglevel=info --concurrency=1
beat: install
	@mkdir -p $(VARDIRS)
	$(VENV)/bin/celery -A config beat --loglevel=info --schedule=var/celerybeat-schedule

# In parallel (pytest-xdist), a worker per core; PYTEST_WORKERS=0 runs in one process, and
# PYTEST_ARGS come last (e.g. PYTEST_ARGS='-m "not subprocess"' or a test path).
PYTEST_WORKERS ?= auto
test: install
	$(VPY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Contract fuzzing of every API operation as every role (Schemathesis; a few minutes).
# CONTRACT_EXAMPLES=N generated cases per operation and role (default 4).
contract: install
	CONTRACT=1 $(VPY) -m pytest -n $(PYTEST_WORKERS) -m contract tests/test_contract.py $(PYTEST_ARGS)

# Not part of `make test`: they take minutes and their figures depend on the machine.
# bench and bench-health need PostgreSQL (DATABASE_URL's server, else postgres@127.0.0.1:5432);
# bench needs wrk too. `python -P`: bench/http.py would otherwise stand in for the standard
# library's `http` package in the scripts of its folder.
bench: install
	$(VPY) -P bench/http.py $(BENCH_ARGS)

bench-list: install
	$(VPY) -P bench/partnership_list.py $(BENCH_LIST_ARGS)

bench-health: install
	$(VPY) -P bench/health_sweep.py $(BENCH_HEALTH_ARGS)

bench-dashboards: install
	$(VPY) -P bench/http.py --suite dashboards $(BENCH_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	env -u DATABASE_URL -u REDIS_URL $(VPY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Backups of a PostgreSQL deployment (docs/operations.md has the restore drill):
#   make backup                      -> var/backups/switchboard-<UTC time>.dump (+ -media.tar.gz)
#   make restore FILE=var/backups/switchboard-<time>.dump DATABASE_URL=postgres://.../fresh
# pg_dump's custom format, without owners or privileges (the restoring role owns what it
# restores); the uploaded files (MEDIA_ROOT) go into a tar archive beside it. Both run as the
# tables' owner (MIGRATION_DATABASE_URL when set): the application's role sees no row outside
# a tenant scope (tenancy/rls.py). After a restore, `manage.py migrate` grants the
# application's role its rights again.
BACKUP_DIR ?= var/backups
OWNER_DATABASE_URL = $(or $(MIGRATION_DATABASE_URL),$(DATABASE_URL))
MEDIA_DIR  ?= $(or $(MEDIA_ROOT),var/media)
backup:
	@case "$(OWNER_DATABASE_URL)" in postgres://*|postgresql://*) ;; \
	  *) echo "make backup needs DATABASE_URL=postgres://… (SQLite: copy var/switchboard.sqlite3)" >&2; exit 2;; esac
	@mkdir -p $(BACKUP_DIR)
	@stamp=$$(date -u +%Y%m%dT%H%M%SZ); \
	  pg_dump --format=custom --no-owner --no-privileges --file="$(BACKUP_DIR)/switchboard-$$stamp.dump" "$(OWNER_DATABASE_URL)" && \
	  if [ -d "$(MEDIA_DIR)" ]; then tar -czf "$(BACKUP_DIR)/switchboard-$$stamp-media.tar.gz" -C "$(MEDIA_DIR)" .; fi && \
	  echo "$(BACKUP_DIR)/switchboard-$$stamp.dump"

restore:
	@test -n "$(FILE)" || { echo "make restore FILE=<backup .dump> DATABASE_URL=<an empty database>" >&2; exit 2; }
	@case "$(OWNER_DATABASE_URL)" in postgres://*|postgresql://*) ;; \
	  *) echo "make restore needs DATABASE_URL=postgres://… of an empty database" >&2; exit 2;; esac
	pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$(OWNER_DATABASE_URL)" "$(FILE)"
	@media="$(basename $(FILE))-media.tar.gz"; \
	  if [ -f "$$media" ]; then mkdir -p "$(MEDIA_DIR)" && tar -xzf "$$media" -C "$(MEDIA_DIR)" && echo "files restored into $(MEDIA_DIR)"; fi

clean:
	rm -rf $(VENV) node_modules static/vendor var/*.sqlite3 var/celery var/static
