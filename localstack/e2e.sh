#!/usr/bin/env bash
# The full end-to-end check on LocalStack without Docker (`./run localstack-e2e`; the smoke
# version runs in ./run tests as tests/e2e/test_smoke.py): starts LocalStack on the host if
# needed, `acme-txn deploy`s the template, drives a concurrent workload through the HTTP API
# (function URL) with duplicates and bad input, waits for LocalStack's own stream mapping,
# reconciles, measures write-to-projection lag, sends a poison record to the on-failure queue,
# checks the alarms, undeploys; prints JSON. ~3-4 min (first run: +2.5 min for its venv).
#   localstack/e2e.sh [--accounts N] [--commands N] [--workers N] [--lag-samples N] [--keep]
# The older API-call deploy's check (probe function, ordering measurements):
#   .venv/bin/python localstack/e2e.py [--keep-running] [--json] [--burst N]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/acme-txn ] || ./run setup
exec .venv/bin/python localstack/stack_e2e.py "$@"
