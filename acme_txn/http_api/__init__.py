"""The HTTP API Lambda: ``acme_txn.http_api.handler`` (API Gateway HTTP API payload 2.0 or a
function URL). Settings and options come from the function's environment on the first
invocation (as ``acme_txn.lambda_handlers``), the assembled API is kept for later ones.

Behind API Gateway the caller is the one its JWT authoriser or ``AWS_IAM`` route verified.
Where nothing verified it (a function URL on LocalStack) the function checks the bearer token
itself, against ``ACME_AUTH_JWKS`` (the JWKS JSON), ``ACME_AUTH_ISSUER`` and
``ACME_AUTH_AUDIENCE``; without them every such request is unauthenticated (401).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools import Metrics

from acme_base.settings import Settings
from acme_txn.bootstrap import Options, bootstrap
from acme_txn.http_api.auth import Authenticator, JwtRules
from acme_txn.http_api.routes import SERVICE, HttpApi
from streams.handlers import NAMESPACE

__all__ = ["SERVICE", "HttpApi", "handler", "reset"]

_API: HttpApi | None = None


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """API Gateway v2 / function URL event in, proxy response out."""
    global _API
    if _API is None:
        app = bootstrap(Settings.from_env(os.environ), Options.from_env(os.environ))
        metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
        _API = HttpApi(app, metrics, authenticator_from_env(os.environ))
    return _API(event, context)


def authenticator_from_env(env: Mapping[str, str]) -> Authenticator:
    """Tokens checked by the function itself when ``ACME_AUTH_JWKS`` is set."""
    jwks = env.get("ACME_AUTH_JWKS", "")
    if not jwks:
        return Authenticator()
    issuer, audience = env.get("ACME_AUTH_ISSUER", ""), env.get("ACME_AUTH_AUDIENCE", "")
    return Authenticator(JwtRules.from_jwks(jwks, issuer, audience))


def reset() -> None:
    """Forget the assembled API (a new container; used by tests)."""
    global _API
    if _API is not None:
        _API.pool.shutdown(wait=False)
    _API = None
