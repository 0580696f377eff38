# Qudao: `make run` sets everything up and serves on http://127.0.0.1:5000; `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
STAMP := $(VENV)/.installed

.PHONY: run setup test test-fast bench translations clean-db demo-big serve-prod worker

$(STAMP): requirements.txt requirements-data.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -r requirements-data.txt
	touch $(STAMP)

setup: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/python tools/i18n.py build

run: setup
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	@echo "Serving Qudao on http://127.0.0.1:5000 (demo logins above, password qudao-demo)"
	$(FLASK) run --host 127.0.0.1 --port 5000

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: setup
	$(BIN)/python -m pytest -m "not browser" -x -q $(PYTEST_ARGS)

# make bench AGENTS=100000 ORDERS=1000000  (defaults are small and quick)
AGENTS ?= 10000
ORDERS ?= 100000
bench: setup
	$(BIN)/python tools/bench.py --agents $(AGENTS) --orders $(ORDERS)

# Production: gunicorn on QUDAO_BIND (default 127.0.0.1:8000), JSON logs on stdout, settings from
# the environment only (SECRET_KEY and DATABASE_URL required; REDIS_URL for background workers).
# See docs/production.md.
serve-prod: setup
	QUDAO_ENV=production $(FLASK) db upgrade
	QUDAO_ENV=production $(FLASK) jobs recover
	QUDAO_ENV=production $(BIN)/gunicorn -c python:channel.ops.gunicorn_conf "app:create_app()"

# A background worker (RQ) for jobs, when REDIS_URL is set: run one or more beside serve-prod.
worker: setup
	QUDAO_ENV=production $(FLASK) jobs worker

clean-db:
	rm -f instance/qudao.sqlite3 instance/qudao.sqlite3-wal instance/qudao.sqlite3-shm
