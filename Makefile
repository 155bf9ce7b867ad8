# SILAKSO — one entry point for people and CI. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ADDR ?= 127.0.0.1:8000
PIP := $(BIN)/pip install -qq --disable-pip-version-check
export PIP_NO_INPUT := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help run test lint format check messages bench services browser compose proxy wrk worker beat lock clean-demo

help:
	@echo "make run       zero-configuration demo on http://$(ADDR) (SQLite, tasks inline)"
	@echo "make test      lint + types + migrations check + the whole suite on PostgreSQL, Redis, Chromium"
	@echo "make lint      ruff, djlint and mypy (services, selectors, workflows)"
	@echo "make check     makemigrations --check and check --deploy with production settings"
	@echo "make messages  refresh and compile the Indonesian translation catalogue"
	@echo "make bench     registry benchmarks (see benchmarks/README.md)"
	@echo "make worker    a Celery worker (needs REDIS_URL);  make beat: the periodic scheduler"

$(VENV)/.runtime: requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PIP) -r requirements-dev.txt
	@touch $@

# ------------------------------------------------------------------------------ demo
run: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput -v0
	SILAKSO_PUBLIC_URL=$${SILAKSO_PUBLIC_URL:-http://$(ADDR)} $(BIN)/python manage.py seed_demo
	@echo "SILAKSO demo: open http://$(ADDR)/ and sign in with one of the accounts above."
	SILAKSO_PUBLIC_URL=$${SILAKSO_PUBLIC_URL:-http://$(ADDR)} $(BIN)/python manage.py runserver $(ADDR)

clean-demo:
	rm -f var/demo.sqlite3

worker: $(VENV)/.runtime
	$(BIN)/celery -A silakso worker --loglevel=INFO --concurrency=2 --without-gossip --without-mingle --without-heartbeat

beat: $(VENV)/.runtime
	$(BIN)/celery -A silakso beat --loglevel=INFO --schedule=var/celerybeat-schedule

# ------------------------------------------------------------------------------ quality
# The whole suite against real PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379),
# plus lint, the migrations check and headless-Chromium journeys.
test: $(VENV)/.dev services browser compose proxy wrk
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --lint
	$(BIN)/mypy
	DJANGO_SETTINGS_MODULE=silakso.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -q $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --lint
	$(BIN)/mypy

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: $(VENV)/.dev services
	DJANGO_SETTINGS_MODULE=silakso.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=silakso.settings.production DJANGO_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))') \
	  DJANGO_ALLOWED_HOSTS=silakso.example.go.id DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
	  REDIS_URL=redis://127.0.0.1:6379/0 $(BIN)/python manage.py check --deploy --fail-level WARNING

messages: $(VENV)/.dev
	$(BIN)/python manage.py makemessages -l id --no-obsolete --ignore=.venv --ignore=staticfiles
	$(BIN)/python manage.py compilemessages -l id --ignore=.venv

bench: $(VENV)/.dev services wrk
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

# ------------------------------------------------------------------------------ machine
# Start the local PostgreSQL and Redis when they are not running (CI machines start them
# before the session; this only repairs a stopped service).
services:
	@if [ -z "$$DATABASE_URL" ] && ! pg_isready -q -h 127.0.0.1 -p 5432; then \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start || true; \
	  for i in 1 2 3 4 5 6 7 8 9 10; do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	  pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not running on 127.0.0.1:5432"; exit 1; }; \
	fi
	@if [ -z "$$DATABASE_URL" ]; then \
	  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='silakso'" | grep -q 1 \
	  || createdb -h 127.0.0.1 -U postgres silakso; \
	fi
	@if [ -z "$$TEST_REDIS_URL" ] && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then \
	  mkdir -p /var/lib/redis /var/log/redis; \
	  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
	    --dir /var/lib/redis --logfile /var/log/redis/ci.log; \
	  for i in 1 2 3 4 5; do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done; \
	  redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || { echo "Redis is not running on 127.0.0.1:6379"; exit 1; }; \
	fi

# Headless Chromium from Debian for the browser journeys (Playwright's own download fails here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Chromium from Debian…"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || { echo "Could not install chromium (run as root: apt-get install -y chromium)"; exit 1; }; }

# Debian's nginx for the test of the production proxy (slow uploads reach gunicorn in one piece).
proxy:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
	  echo "Installing nginx-light from Debian (the reverse-proxy test)…"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null) \
	  || { echo "Could not install nginx (run as root: apt-get install -y nginx-light)"; exit 1; }; }

# Debian's wrk: the benchmark's load section (and the suite's run of the benchmark harness).
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "Installing wrk from Debian (HTTP load for the benchmark)…"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null) \
	  || { echo "Could not install wrk (run as root: apt-get install -y wrk)"; exit 1; }; }

# `docker compose config` validates docker-compose.yml in the suite; no Docker engine is needed.
compose:
	@docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1 || { \
	  echo "Installing docker-compose from Debian (to validate docker-compose.yml)…"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null) \
	  || { echo "Could not install docker-compose (run as root: apt-get install -y docker-compose)"; exit 1; }; }

# Re-resolve the pinned set after editing pyproject.toml dependencies.
lock:
	rm -rf /tmp/silakso-lock && $(PYTHON) -m venv /tmp/silakso-lock
	/tmp/silakso-lock/bin/pip install -qq .
	/tmp/silakso-lock/bin/pip freeze --exclude silakso | sort -f > requirements.txt.new
	@echo "Review requirements.txt.new and move it over requirements.txt"
