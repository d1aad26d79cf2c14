#!/usr/bin/env bash
# Stop the LocalStack that localstack/host/start.sh started (and its DynamoDB Local,
# kinesis-local and Lambda worker children, which share its process group).
set -euo pipefail
HOME_DIR="${ACME_LOCALSTACK_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/acme-txn}"
PIDFILE="$HOME_DIR/localstack-run/pid"
[ -f "$PIDFILE" ] || { echo "[localstack-host] not running" >&2; exit 0; }
pid="$(cat "$PIDFILE")"
if kill -0 "$pid" 2>/dev/null; then
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"; fi
fi
rm -f "$PIDFILE"
echo "[localstack-host] stopped" >&2
