"""AWS Lambda entry points: thin, their parts from the composition root.

``projection_handler`` is what the ledger stream's event source mapping invokes (on AWS and
on LocalStack). Settings and options come from the function's environment on the first
invocation (``Settings.from_env``, ``Options.from_env``: ``ACME_PROJECTOR_WORKERS``, ...), and
the assembled handler is kept for the container's later invocations.
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Metrics

from acme_base.settings import Settings
from acme_txn.bootstrap import Options, bootstrap
from streams.handlers import NAMESPACE, SERVICE, StreamHandler

_PROJECTION: StreamHandler | None = None


def projection_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """DynamoDB Streams batch in, ``{"batchItemFailures": [...]}`` out."""
    global _PROJECTION
    if _PROJECTION is None:
        app = bootstrap(Settings.from_env(os.environ), Options.from_env(os.environ))
        _PROJECTION = app.stream_handler(Metrics(namespace=NAMESPACE, service=SERVICE))
    return _PROJECTION(event, context)


def reset() -> None:
    """Forget the assembled handler (a new container; used by tests)."""
    global _PROJECTION
    _PROJECTION = None
