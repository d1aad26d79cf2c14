"""Fault injection through botocore's event hooks: real clients, real backend, injected errors.

Two places to inject, with different meanings:

- ``before-send``: the HTTP request is answered with a 400 throttling error *inside* botocore's
  retry loop, so the client's retry policy sees it (transient throttling, usually absorbed).
- ``before-call``: the whole API call fails with the error, after botocore's retries (persistent
  throttling: the caller sees ``ProvisionedThroughputExceededException``).

Either way the request never reaches DynamoDB, so nothing is written.

On the in-memory twins (no client, no retry loop) ``failing`` makes a store's write methods
raise ``Throttled`` before they touch anything: the persistent case only.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from botocore.awsrequest import AWSResponse

from acme_base.errors import Throttled

THROTTLE_CODE = "ProvisionedThroughputExceededException"


class _Body:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


@dataclass
class Injector:
    """Lets the first ``after`` calls through, then fails the next ``times`` calls (None:
    every call) while installed."""

    times: int | None
    code: str = THROTTLE_CODE
    after: int = 0
    injected: int = 0
    passed: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _take(self) -> bool:
        with self._lock:
            if self.passed < self.after:
                self.passed += 1
                return False
            if self.times is not None and self.injected >= self.times:
                return False
            self.injected += 1
            return True

    def before_send(self, request: Any = None, **_: Any) -> AWSResponse | None:
        if not self._take():
            return None
        body = json.dumps(
            {
                "__type": f"com.amazonaws.dynamodb.v20120810#{self.code}",
                "message": "injected by the property suite",
            }
        ).encode()
        url = getattr(request, "url", "http://injected")
        return AWSResponse(url, 400, {"Content-Type": "application/x-amz-json-1.0"}, _Body(body))

    def before_call(self, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        if not self._take():
            return None
        parsed = {
            "Error": {"Code": self.code, "Message": "injected by the property suite"},
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }
        return AWSResponse("http://injected", 400, {}, _Body(b"")), parsed


@contextlib.contextmanager
def injected(
    client: Any,
    operation: str,
    times: int | None,
    *,
    transient: bool,
    code: str = THROTTLE_CODE,
    after: int = 0,
) -> Iterator[Injector]:
    """Inject ``code`` into ``operation`` calls of ``client`` (e.g. 'TransactWriteItems'),
    after letting ``after`` calls through."""
    injector = Injector(times, code, after)
    stage = "before-send" if transient else "before-call"
    handler = injector.before_send if transient else injector.before_call
    event = f"{stage}.dynamodb.{operation}"
    unique_id = f"property-suite-{id(injector)}"
    client.meta.events.register(event, handler, unique_id=unique_id)
    try:
        yield injector
    finally:
        client.meta.events.unregister(event, handler, unique_id=unique_id)


@contextlib.contextmanager
def failing(
    store: Any, methods: tuple[str, ...], times: int | None, *, after: int = 0
) -> Iterator[Injector]:
    """Make ``store``'s ``methods`` (a twin's writes) raise ``Throttled`` as DynamoDB's
    persistent throttling reaches the caller, after letting ``after`` calls through; the
    failing call writes nothing (it never reaches the store)."""
    injector = Injector(times, after=after)
    real = {name: getattr(store, name) for name in methods}

    def wrap(name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            if injector._take():
                raise Throttled(f"{name}: throttled by DynamoDB ({THROTTLE_CODE}, injected)")
            return real[name](*args, **kwargs)

        return call

    with contextlib.ExitStack() as stack:
        for name in methods:
            stack.enter_context(mock.patch.object(store, name, wrap(name)))
        yield injector
