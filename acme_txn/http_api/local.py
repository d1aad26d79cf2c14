"""``acme-txn api serve``: the same resolver over plain HTTP on 127.0.0.1, for curl.

Each request is translated into the API Gateway HTTP API (payload 2.0) event the Lambda
gets, so local runs exercise the handler's code path exactly (stdlib ``http.server``).

Bursts: connections wait in a listen backlog of ``BACKLOG`` (not the stdlib's 5, which
resets the sixth client of a burst) and are served by a fixed pool of ``WORKERS`` threads;
an idle keep-alive connection is closed after ``IDLE_S`` so it cannot hold a worker.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
#: the largest request body read (API Gateway's own limit is 10 MB; ours is far lower)
MAX_READ = 10 * 1024 * 1024
BACKLOG = 512
WORKERS = 32
IDLE_S = 15


class PooledServer(ThreadingHTTPServer):
    """``ThreadingHTTPServer`` with a deep listen backlog and a bounded pool of workers."""

    request_queue_size = BACKLOG
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: Any, workers: int = WORKERS) -> None:
        super().__init__(address, handler)
        self._workers = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="api-http")

    def process_request(self, request: Any, client_address: Any) -> None:
        self._workers.submit(self.process_request_thread, request, client_address)

    def server_close(self) -> None:
        super().server_close()
        self._workers.shutdown(wait=False, cancel_futures=True)


def http_event(
    method: str,
    path: str,
    body: str | bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway v2 (or function URL) event for ``method path[?query]``."""
    parts = urlsplit(path)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    raw = body.encode() if isinstance(body, str) else body
    text: str | None = None
    encoded = False
    if raw is not None:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text, encoded = base64.b64encode(raw).decode("ascii"), True
    request_id = str(uuid.uuid4())
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": parts.path,
        "rawQueryString": parts.query,
        "headers": {k.lower(): v for k, v in (headers or {}).items()},
        "queryStringParameters": query or None,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": "127.0.0.1",
            "http": {
                "method": method.upper(),
                "path": parts.path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": (headers or {}).get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
            "timeEpoch": int(time.time() * 1000),
        },
        "body": text,
        "isBase64Encoded": encoded,
    }


def _refusal(status: int, error: str, detail: str) -> dict[str, Any]:
    body = json.dumps({"error": error, "detail": detail})
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": body}


def make_server(
    handler: Handler, port: int, host: str = "127.0.0.1", workers: int = WORKERS
) -> PooledServer:
    """A server answering every request through ``handler`` (call ``serve_forever``)."""

    class Request(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = IDLE_S

        def _answer(self) -> None:
            declared = self.headers.get("Content-Length") or "0"
            if not declared.isdigit():
                self.close_connection = True
                self._send(_refusal(400, "invalid_request", "bad Content-Length"))
                return
            length = int(declared)
            if length > MAX_READ:
                self.close_connection = True
                self._send(_refusal(413, "too_large", "body too large"))
                return
            body = self.rfile.read(length) if length else None
            event = http_event(self.command, self.path, body, dict(self.headers.items()))
            self._send(handler(event, None))

        def _send(self, response: dict[str, Any]) -> None:
            payload = response.get("body") or ""
            data = (
                base64.b64decode(payload)
                if response.get("isBase64Encoded")
                else str(payload).encode()
            )
            self.send_response(int(response.get("statusCode", 500)))
            for name, value in (response.get("headers") or {}).items():
                self.send_header(name, str(value))
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = _answer

        def do_HEAD(self) -> None:
            self._answer()

        def __getattr__(self, name: str) -> Any:
            """Any other method (``QUERY``, ``FOO``) is the API's to answer (405), not
            ``http.server``'s 501."""
            if name.startswith("do_") and name[3:].isalpha() and name[3:].isupper():
                return self._answer
            raise AttributeError(name)

        def log_message(self, format: str, *args: Any) -> None:
            return None  # the handler logs each request (structured)

    return PooledServer((host, port), Request, workers)
