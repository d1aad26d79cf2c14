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
from streams.windowed import WindowedStreamHandler

_PROJECTION: StreamHandler | None = None
_FRAUD: WindowedStreamHandler | None = None
_APPS: StreamHandler | None = None


def projection_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """DynamoDB Streams batch in, ``{"batchItemFailures": [...]}`` out."""
    global _PROJECTION
    if _PROJECTION is None:
        app = bootstrap(Settings.from_env(os.environ), Options.from_env(os.environ))
        _PROJECTION = app.stream_handler(Metrics(namespace=NAMESPACE, service=SERVICE))
    return _PROJECTION(event, context)


def fraud_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The fraud rules on the ledger stream: works with ``TumblingWindowInSeconds`` (the
    response carries ``state``) and without (LocalStack): ``projections/fraud/engine.py``."""
    global _FRAUD
    if _FRAUD is None:
        app = bootstrap(Settings.from_env(os.environ), Options.from_env(os.environ))
        _FRAUD = app.fraud_handler
    response: dict[str, Any] = _FRAUD(event, context)
    return response


def apps_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The loyalty and budget views and the budget notifications on the ledger stream (its
    own event source mapping; ``App.apps_sink``: idempotent under redelivery)."""
    global _APPS
    if _APPS is None:
        app = bootstrap(Settings.from_env(os.environ), Options.from_env(os.environ))
        _APPS = app.stream_handler(sink=app.apps_sink())
    return _APPS(event, context)


def expire_pending_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The pending sweeper on a schedule (EventBridge rule): ``Ledger.expire_pending``."""
    app = bootstrap(Settings.from_env(os.environ), Options.from_env(os.environ))
    outcomes = app.ledger.expire_pending()
    return {"expired": [o.pending_txn_id for o in outcomes]}


def reset() -> None:
    """Forget the assembled handlers (a new container; used by tests)."""
    global _PROJECTION, _FRAUD, _APPS
    _PROJECTION = None
    _FRAUD = None
    _APPS = None
