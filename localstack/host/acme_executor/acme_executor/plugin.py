"""A LocalStack Lambda runtime executor that runs each execution environment as a host process.

LocalStack ships only a Docker executor; this one lets its own Lambda service, and so its
event source mappings (DynamoDB Streams, SQS, ...), invoke Python handlers on a machine without
Docker. Select it with ``LAMBDA_RUNTIME_EXECUTOR=acme-subprocess``.

One environment = one long-lived ``worker.py`` process, started with the function's environment
by an interpreter of our choice (``ACME_LAMBDA_PYTHON``, e.g. the project's venv, so the handler
finds its dependencies there), ``PYTHONPATH`` = the unzipped function code, then
``ACME_LAMBDA_PYTHONPATH``. Invocations are JSON lines over pipes, served one at a time (as
Lambda does per environment); LocalStack starts more environments for concurrency.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin
from localstack.services.lambda_.invocation.runtime_executor import (
    LambdaRuntimeException,
    RuntimeExecutor,
)

from localstack import config

LOG = logging.getLogger(__name__)
WORKER = Path(__file__).with_name("worker.py")
PASS_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")


def _gateway_host() -> str:
    host = config.GATEWAY_LISTEN[0].host
    return "127.0.0.1" if host in ("0.0.0.0", "", "::") else host


class SubprocessRuntimeExecutor(RuntimeExecutor):
    def __init__(self, id: str, function_version: FunctionVersion) -> None:
        super().__init__(id, function_version)
        self.process: subprocess.Popen[str] | None = None
        self.replies: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.lock = threading.Lock()
        self._env: dict[str, str] = {}
        self._cwd: str | None = None
        log_dir = Path(os.environ.get("ACME_EXECUTOR_DIR") or f"{config.dirs.tmp}/acme-lambda")
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{function_version.id.function_name}-{id}.log"

    # lifecycle ----------------------------------------------------------------------------
    def start(self, env_vars: dict[str, str]) -> None:
        runtime = self.function_version.config.runtime or ""
        if not runtime.startswith("python"):
            raise LambdaRuntimeException(
                f"acme-subprocess executor runs Python functions only, not {runtime!r}"
            )
        code = self.function_version.config.code
        code_dir = str(code.get_unzipped_code_location()) if code else ""
        env = {k: os.environ[k] for k in PASS_THROUGH if k in os.environ}
        env.update({k: str(v) for k, v in env_vars.items()})
        extra = os.environ.get("ACME_LAMBDA_PYTHONPATH", "")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (code_dir, extra) if p)
        env["LAMBDA_TASK_ROOT"] = code_dir
        env["PYTHONUNBUFFERED"] = "1"
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["ACME_EXECUTOR_TRACE"] = str(self.log_path.parent / "invocations.jsonl")
        self._env, self._cwd = env, code_dir or None
        self._spawn()

    def _spawn(self) -> None:
        """Start the worker and wait for its init; also used to replace one after a timeout."""
        env, code_dir = self._env, self._cwd
        self.replies = queue.Queue()
        python = os.environ.get("ACME_LAMBDA_PYTHON") or sys.executable
        log = open(self.log_path, "a", encoding="utf-8")  # noqa: SIM115 - owned by the child
        LOG.debug(
            "acme-subprocess: starting %s for %s", python, self.function_version.qualified_arn
        )
        self.process = subprocess.Popen(
            [python, "-u", str(WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            cwd=code_dir,
            env=env,
            text=True,
            bufsize=1,
        )
        log.close()
        threading.Thread(
            target=self._read_replies,
            args=(self.process, self.replies),
            daemon=True,
            name=f"acme-executor-{self.id}",
        ).start()
        timeout = config.LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT
        try:
            first = self.replies.get(timeout=timeout)
        except queue.Empty:
            self.stop()
            raise LambdaRuntimeException(f"handler did not initialise within {timeout}s") from None
        if not first or not first.get("init"):
            self.stop()
            detail = (first or {}).get("payload") or self.get_logs()[-2000:]
            raise LambdaRuntimeException(f"handler init failed: {detail}")

    @staticmethod
    def _read_replies(
        process: subprocess.Popen[str], replies: queue.Queue[dict[str, Any] | None]
    ) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            try:
                replies.put(json.loads(line))
            except ValueError:
                LOG.warning("acme-subprocess: bad line from worker: %r", line[:200])
        replies.put(None)  # the worker exited

    def stop(self, grace: float = 2.0) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        try:
            if process.stdin:
                process.stdin.close()
            process.wait(timeout=grace)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait(timeout=5)

    # invocation ---------------------------------------------------------------------------
    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        request_id = payload["invoke-id"]
        timeout = float(self.function_version.config.timeout or 3)
        with self.lock:
            offset = self.log_path.stat().st_size if self.log_path.exists() else 0
            if self.process is None or self.process.poll() is not None:
                try:  # the previous worker timed out or died: a fresh one, as Lambda would
                    self._spawn()
                except LambdaRuntimeException as exc:
                    return self._failure(request_id, "Runtime.ExitError", str(exc), offset)
            process = self.process
            assert process is not None and process.stdin is not None
            request = {
                "request_id": request_id,
                "payload": payload.get("payload") or "",
                "invoked_function_arn": payload.get("invoked-function-arn", ""),
                "deadline_ms": int((time.time() + timeout) * 1000),
            }
            process.stdin.write(json.dumps(request) + "\n")
            process.stdin.flush()
            try:
                reply = self.replies.get(timeout=timeout + 0.25)
            except queue.Empty:
                self.stop(grace=0.01)
                return self._failure(
                    request_id,
                    "Sandbox.Timedout",
                    f"Task timed out after {timeout:.2f} seconds",
                    offset,
                )
            if reply is None:
                return self._failure(request_id, "Runtime.ExitError", "worker exited", offset)
            return InvocationResult(
                request_id=request_id,
                payload=reply["payload"].encode(),
                is_error=not reply["ok"],
                logs=self._logs_since(offset),
            )

    def _failure(self, request_id: str, kind: str, message: str, offset: int) -> InvocationResult:
        body = json.dumps({"errorType": kind, "errorMessage": message})
        return InvocationResult(
            request_id=request_id,
            payload=body.encode(),
            is_error=True,
            logs=self._logs_since(offset),
        )

    def _logs_since(self, offset: int) -> str:
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                f.seek(offset)
                return f.read()
        except OSError:
            return ""

    # addresses and logs -------------------------------------------------------------------
    def get_address(self) -> str:
        return "127.0.0.1"

    def get_endpoint_from_executor(self) -> str:
        return _gateway_host()

    def get_runtime_endpoint(self) -> str:
        port = config.GATEWAY_LISTEN[0].port
        return f"http://{_gateway_host()}:{port}/_localstack_lambda/{self.id}"

    def get_logs(self) -> str:
        return self._logs_since(0)

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        if function_version.config.code:
            function_version.config.code.prepare_for_execution()

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        pass

    @classmethod
    def validate_environment(cls) -> bool:
        return True


class SubprocessRuntimeExecutorPlugin(RuntimeExecutorPlugin):
    name = "acme-subprocess"

    def load(self, *args: Any, **kwargs: Any) -> type[RuntimeExecutor]:
        return SubprocessRuntimeExecutor
