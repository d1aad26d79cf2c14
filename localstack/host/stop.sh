#!/usr/bin/env bash
# Stop the LocalStack that localstack/host/start.sh started, and its children (DynamoDB Local,
# kinesis-local, Lambda workers): SIGTERM to its process group and to each of its descendants
# (DynamoDB Local runs in a process group of its own), SIGKILL to whatever is left after 10 s.
set -euo pipefail
HOME_DIR="${ACME_LOCALSTACK_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/acme-txn}"
PIDFILE="$HOME_DIR/localstack-run/pid"
[ -f "$PIDFILE" ] || { echo "[localstack-host] not running" >&2; exit 0; }
pid="$(cat "$PIDFILE")"

descendants() {  # all descendants of $1, by parent pid
  local kids child
  kids="$(ps -o pid= --ppid "$1" 2>/dev/null || true)"
  for child in $kids; do echo "$child"; descendants "$child"; done
}

if kill -0 "$pid" 2>/dev/null; then
  family="$pid $(descendants "$pid" | tr '\n' ' ')"
  kill -TERM -- "-$pid" 2>/dev/null || true
  # shellcheck disable=SC2086
  kill -TERM $family 2>/dev/null || true
  for _ in $(seq 1 40); do
    alive=""
    for p in $family; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
    [ -z "$alive" ] && break
    sleep 0.25
  done
  # shellcheck disable=SC2086
  [ -z "$alive" ] || kill -KILL $alive 2>/dev/null || true
fi
rm -f "$PIDFILE"
echo "[localstack-host] stopped" >&2
