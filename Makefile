# Naloxone Partnership Platform: one machine, real PostgreSQL and Kafka, no Docker.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON ?= python3
# uv from PATH, else as a module of the python that pip installed it into (no PATH games on fresh machines)
UV ?= $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
GATEWAY := http://127.0.0.1:8080

.PHONY: help deps servers up down status test test-unit bench faults lint proto dashboard

help:
	@echo "make up      bring the whole platform up locally with demo data (gateway on 127.0.0.1:8080)"
	@echo "make test    run the whole test suite against real PostgreSQL and Kafka"
	@echo "make down    stop everything"
	@echo "make bench   print throughput and latency figures"
	@echo "make faults  kill processes and restart Kafka and PostgreSQL (private ones) under load; print the counts"
	@echo "make lint    buf lint the contracts, and buf breaking against main's"
	@echo "make dashboard  build the dashboard's chart library (npm ci from the lock file; make up and make test run it)"

deps:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet

servers: deps
	@bash deploy/local/servers.sh up

up: servers dashboard
	@$(UV) run naloxctl keys init
	@$(UV) run naloxctl migrate
	@$(UV) run naloxctl topics ensure
	@echo "starting services..." >&2
	@$(UV) run naloxctl stack up
	@echo "loading demo data through the gateway..." >&2
	@$(UV) run naloxctl demo load --gateway $(GATEWAY)
	@echo ""
	@echo "The platform is up."
	@$(UV) run naloxctl stack urls
	@echo "  dashboard       $(GATEWAY)/dashboard  (sign in with its development identity picker, or paste a token)"
	@echo "  logs            $${NALOX_STATE_DIR:-/var/tmp/naloxone-local}/run/*.log"
	@echo "  get a token     TOKEN=\$$(uv run naloxctl token --force west-midlands --role trainer)"
	@echo "  try             curl -H \"Authorization: Bearer \$$TOKEN\" $(GATEWAY)/v1/forces/west-midlands/training/summary"
	@echo "                  curl -H \"Authorization: Bearer \$$TOKEN\" $(GATEWAY)/v1/forces/west-midlands/inventory/summary"
	@echo "  stop            make down"

down:
	@[ -d .venv ] && $(UV) run naloxctl stack down || true
	@bash deploy/local/servers.sh down

status:
	@bash deploy/local/servers.sh status || true
	@$(UV) run naloxctl stack status || true

test: deps dashboard
	@bash deploy/local/test-tools.sh
	$(UV) run pytest -q

test-unit: deps
	$(UV) run pytest -q tests/unit

bench: servers
	$(UV) run python -m bench

# Kafka and PostgreSQL restarts happen on a private pair of servers (tests/faults/conftest.py), never
# the shared ones; -s shows the checker's counts (acknowledged, retried, lost, duplicated effects).
faults: servers
	$(UV) run pytest -q -s -m faults tests/faults

# The dashboard's chart library (ECharts, from gateway/dashboard-web's npm lock file) into the
# gateway's static files; npm ci only when the lock file changed.
dashboard:
	@bash deploy/local/dashboard.sh

lint:
	@bash scripts/buf.sh lint
	@bash scripts/buf.sh breaking

proto:
	@bash scripts/gen_proto.sh
