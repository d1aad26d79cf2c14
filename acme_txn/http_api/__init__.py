"""The HTTP API Lambda: ``acme_txn.http_api.handler`` (API Gateway HTTP API payload 2.0 or a
function URL). Settings and options come from the function's environment on the first
invocation (as ``acme_txn.lambda_handlers``), the assembled API is kept for later ones.
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Metrics

from acme_base.settings import Settings
from acme_txn.bootstrap import Options, bootstrap
from acme_txn.http_api.routes import SERVICE, HttpApi
from streams.handlers import NAMESPACE

__all__ = ["SERVICE", "HttpApi", "handler", "reset"]

_API: HttpApi | None = None


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """API Gateway v2 / function URL event in, proxy response out."""
    global _API
    if _API is None:
        app = bootstrap(Settings.from_env(os.environ), Options.from_env(os.environ))
        _API = HttpApi(app, Metrics(namespace=NAMESPACE, service=SERVICE))
    return _API(event, context)


def reset() -> None:
    """Forget the assembled API (a new container; used by tests)."""
    global _API
    if _API is not None:
        _API.pool.shutdown(wait=False)
    _API = None
