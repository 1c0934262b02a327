# Two commands for a newcomer: `make run` (demo on SQLite) and `make test` (whole suite on PostgreSQL).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tanpuhui
PYTEST_ARGS ?=

.PHONY: run test setup migrate demo messages worker lint types schema bench clean

$(VENV)/.installed: pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $@

setup: $(VENV)/.installed messages

messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || { apt-get update -qq && apt-get install -y -qq gettext >/dev/null; }
	$(PY) manage.py compilemessages --ignore '.venv' -v 0

migrate: setup
	mkdir -p var
	$(PY) manage.py migrate --noinput -v 0

demo: migrate
	$(PY) manage.py demo_load

# Serves the demo on SQLite with a background worker (filesystem queue, no broker needed).
run: demo
	mkdir -p var/queue var/queue-processed var/queue-control
	$(PY) manage.py collectstatic --noinput -v 0
	@echo "Tanpuhui on http://127.0.0.1:$(PORT)/  (logins: see README)"
	@trap 'kill 0' EXIT INT TERM; \
	$(VENV)/bin/celery -A tanpuhui worker -B --pool=solo --loglevel=WARNING -s var/celerybeat-schedule & \
	$(PY) manage.py runserver 127.0.0.1:$(PORT) --noreload

# The whole suite on PostgreSQL, with browser tests in Debian's Chromium.
test: setup
	bash scripts/ensure-services.sh
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .
	TANPUHUI_TESTING=1 $(PY) manage.py makemigrations --check --dry-run -v 0
	TANPUHUI_TESTING=1 $(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null
	TANPUHUI_TESTING=1 $(VENV)/bin/mypy tanpuhui
	DATABASE_URL=$(TEST_DATABASE_URL) TANPUHUI_TESTING=1 $(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

# mypy with django-stubs over tanpuhui/ (also a step of `make test`).
types: setup
	TANPUHUI_TESTING=1 $(VENV)/bin/mypy tanpuhui

worker: setup
	mkdir -p var/queue var/queue-processed var/queue-control
	$(VENV)/bin/celery -A tanpuhui worker -B --loglevel=INFO

clean:
	rm -rf var $(VENV)
