# KeyProjects: `make demo` sets everything up and serves the demo district; `make test` runs all tests.
# Every step is stamped so that a second run only does what changed.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .stamps
VENDOR := static/vendor
HOST ?= 127.0.0.1
PORT ?= 8000
# The test suite's workers, one per core unless told (pytest-xdist; `PYTEST_WORKERS=0` runs it in
# one process).
PYTEST_WORKERS ?= auto
# setup, demo, test and bench run on this machine for development: a development SECRET_KEY is
# allowed there (keyprojects/settings.py); a production server sets DEBUG=0 and its own SECRET_KEY.
export KEYPROJECTS_DEVELOPMENT ?= 1

.PHONY: setup demo test lint serve system clean-demo bench

setup: $(STAMPS)/python $(STAMPS)/assets migrate

$(STAMPS)/python: requirements.txt requirements-dev.txt
	@mkdir -p $(STAMPS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

$(STAMPS)/assets: package.json package-lock.json
	@mkdir -p $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/tabler $(VENDOR)/tabler-icons $(VENDOR)/leaflet $(VENDOR)/markercluster
	cp node_modules/@tabler/core/dist/css/tabler.min.css node_modules/@tabler/core/dist/js/tabler.min.js $(VENDOR)/tabler/
	cp -r node_modules/@tabler/icons-webfont/dist/tabler-icons.min.css node_modules/@tabler/icons-webfont/dist/fonts $(VENDOR)/tabler-icons/
	cp node_modules/echarts/dist/echarts.min.js node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	cp node_modules/leaflet.markercluster/dist/*.css node_modules/leaflet.markercluster/dist/leaflet.markercluster.js $(VENDOR)/markercluster/
	@touch $@

migrate: $(STAMPS)/python
	$(PY) manage.py migrate --noinput -v 0

# Chinese fonts and LibreOffice for the bulletins: installed as root on Debian, else the command to run.
system:
	@deploy/check-system.sh

# The worker and the scheduler run in the background and stop when runserver does.
demo: system setup
	$(PY) manage.py seed_demo --if-empty
	@$(PY) manage.py demo_logins --url http://$(HOST):$(PORT)/
	@$(PY) manage.py run_worker & worker=$$!; \
	$(PY) manage.py run_scheduler & scheduler=$$!; \
	trap 'kill $$worker $$scheduler 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

# Production (README "生产部署 / Production"): DEBUG off, the server's own SECRET_KEY; migrates,
# collects the static files and runs gunicorn on HOST:PORT with the task worker and the scheduler
# (deploy/serve.sh), stopping all three together.
serve: export KEYPROJECTS_DEVELOPMENT = 0
serve: $(STAMPS)/python $(STAMPS)/assets
	@HOST=$(HOST) PORT=$(PORT) PY=$(PY) deploy/serve.sh

test: setup
	$(PY) manage.py makemigrations --check --dry-run -v 0
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/mypy bench/*.py
	$(VENV)/bin/pytest -q -n $(PYTEST_WORKERS) --dist loadfile

lint: $(STAMPS)/python
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/mypy bench/*.py

bench: setup
	$(PY) bench/registry.py

clean-demo:
	rm -f db.sqlite3 db.sqlite3-wal db.sqlite3-shm
