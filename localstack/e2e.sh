#!/usr/bin/env bash
# Opt-in end-to-end check on LocalStack without Docker (NOT part of ./run tests or CI):
# starts LocalStack on the host, deploys the projection Lambda + a probe, submits commands,
# waits for LocalStack's own stream ESM to invoke the handler, checks balances and reconcile,
# prints measurements as JSON, stops LocalStack. ~2 min (first run: +3 min to build its venv).
#   localstack/e2e.sh [--keep-running] [--json] [--burst N]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/acme-txn ] || ./run setup
exec .venv/bin/python localstack/e2e.py "$@"
