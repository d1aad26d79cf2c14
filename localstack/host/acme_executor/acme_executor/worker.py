"""The process that hosts one Lambda execution environment (stdlib only, Python >= 3.9).

Started by the executor with the function's environment (``_HANDLER``, ``AWS_*``, ...), it
imports the handler once (the "init" phase), then serves invocations: one JSON line in on stdin
(``{"request_id", "payload", "invoked_function_arn", "deadline_ms"}``), one JSON line out on the
protocol pipe (``{"request_id", "ok", "payload"}``). Whatever the handler prints goes to stderr,
which the executor keeps as the function's log.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import sys
import time
import traceback
from typing import Any


class LambdaContext:
    """The attributes of AWS's context object that handlers and powertools read."""

    def __init__(self, request: dict[str, Any]) -> None:
        env = os.environ
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = request.get("invoked_function_arn", "")
        self.memory_limit_in_mb = int(env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE") or 128)
        self.aws_request_id = request["request_id"]
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline_ms = int(request.get("deadline_ms") or 0)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def _error(exc: BaseException) -> dict[str, Any]:
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "stackTrace": traceback.format_exception(type(exc), exc, exc.__traceback__),
    }


def _load_handler(spec: str) -> Any:
    module_name, _, func_name = spec.rpartition(".")
    module = importlib.import_module(module_name.replace("/", "."))
    return getattr(module, func_name)


def _keys(record: dict[str, Any]) -> list[Any]:
    ddb = record.get("dynamodb") or {}
    keys = ddb.get("Keys") or {}
    flat = [next(iter(v.values()), None) if isinstance(v, dict) else v for v in keys.values()]
    return [record.get("eventName"), *flat, ddb.get("SequenceNumber")]


def _trace(
    path: str, request: dict[str, Any], event: Any, reply: dict[str, Any], started: float
) -> None:
    """One JSON line per invocation: when, which stream records (in order), what failed."""
    records = event.get("Records") if isinstance(event, dict) else None
    failures = None
    if reply["ok"]:
        with contextlib.suppress(ValueError, AttributeError, TypeError):
            result = json.loads(reply["payload"]) or {}
            failures = [f.get("itemIdentifier") for f in result.get("batchItemFailures", [])]
    line = {
        "t_start": started,
        "t_end": time.time(),
        "request_id": request["request_id"],
        "function": os.environ.get("AWS_LAMBDA_FUNCTION_NAME"),
        "ok": reply["ok"],
        "records": [_keys(r) for r in records or []],
        "batch_item_failures": failures,
    }
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(line) + "\n")


def main() -> int:
    # Keep fd 1 for the protocol; the handler's prints and logging go to stderr.
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    here = os.path.dirname(os.path.abspath(__file__))  # don't shadow the handler's modules
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    task_root = os.environ.get("LAMBDA_TASK_ROOT")
    if task_root and task_root not in sys.path:
        sys.path.insert(0, task_root)
    try:
        handler = _load_handler(os.environ["_HANDLER"])
    except Exception as exc:
        print(f"[acme-executor] init failed: {exc!r}", file=sys.stderr, flush=True)
        proto.write(json.dumps({"init": False, "payload": _error(exc)}) + "\n")
        return 1
    trace = os.environ.get("ACME_EXECUTOR_TRACE")
    proto.write(json.dumps({"init": True}) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        print(
            f"START RequestId: {request['request_id']} At: {time.time():.3f}",
            file=sys.stderr,
            flush=True,
        )
        started, wall = time.monotonic(), time.time()
        event: Any = {}
        try:
            event = json.loads(request["payload"]) if request.get("payload") else {}
            result = handler(event, LambdaContext(request))
            reply = {"ok": True, "payload": json.dumps(result, default=str)}
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            reply = {"ok": False, "payload": json.dumps(_error(exc))}
        took = (time.monotonic() - started) * 1000
        print(
            f"END RequestId: {request['request_id']} Duration: {took:.2f} ms",
            file=sys.stderr,
            flush=True,
        )
        sys.stderr.flush()
        reply["request_id"] = request["request_id"]
        if trace:
            _trace(trace, request, event, reply, wall)
        proto.write(json.dumps(reply) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
