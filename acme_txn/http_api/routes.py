"""The HTTP API on Powertools' event handler: routes, error mapping, metrics per request.

``HttpApi(app, metrics)`` is callable with an API Gateway HTTP API (payload 2.0) or Lambda
function URL event (the same shape) and answers the proxy response dict. Its parts come from
the ``App`` the composition root built; nothing here reads the environment.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.metrics import MetricUnit

from acme_base.errors import (
    AcmeError,
    BackendError,
    ContentionExhausted,
    InvalidInput,
    UnknownAccount,
)
from acme_txn.bootstrap import App
from acme_txn.http_api import reads
from acme_txn.http_api.openapi import with_commands_body
from acme_txn.http_api.requests import (
    MAX_BATCH,
    TooLarge,
    UnsupportedMediaType,
    body_of,
    error_body,
    parse_submission,
    status_of,
)
from processor.ordering import keys_of, ordered_map
from processor.queries import UnknownId
from streams.handlers import MetricsLike

SERVICE = "acme-txn-api"
#: a batch's commands of different accounts run this many at a time (``submit --workers``)
BATCH_WORKERS = 8
JSON = "application/json"
_LOG = Logger(service=SERVICE, logger_handler=logging.StreamHandler(sys.stderr))


def _json(status: int, body: Any) -> Response[Any]:
    return Response(status_code=status, content_type=JSON, body=json.dumps(body))


def _error(status: int, error: str, exc: Exception) -> Response[Any]:
    return _json(status, error_body(error, str(exc)))


def caller_is_operator(event: Any) -> bool:
    """Whether this request's caller acts as the ledger's operator (may backdate beyond the
    time policy's bound, ``processor.time_policy``): only a caller granted operator rights
    (the ``ledger/operate`` scope) is; the default for every API caller is not."""
    return False


def build_resolver(
    app: App, metrics: MetricsLike, pool: ThreadPoolExecutor
) -> APIGatewayHttpResolver:
    """The routes over ``app``'s ledger and read side; a batch runs on ``pool``."""
    api = APIGatewayHttpResolver(enable_validation=True)

    @api.post(
        "/commands",
        summary="Submit one command, or a batch {commands: [...]} of up to 100",
        description="The JSON of a line of `acme-txn submit`; answers its outcome(s). "
        "Idempotency-Key is the txn_id when the body has none.",
        responses={
            200: {"description": "processed (see each outcome's status)"},
            400: {"description": "bad input: {error, detail}"},
            413: {"description": f"body or batch too large (over {MAX_BATCH} commands)"},
            415: {"description": "not application/json"},
            503: {"description": "backend unavailable: resending is safe"},
        },
    )
    def post_commands() -> Response[Any]:
        event = api.current_event
        body = body_of(event.body, bool(event.is_base64_encoded))
        submission = parse_submission(body, event.headers or {})
        submit = functools.partial(app.ledger.submit_raw, operator=caller_is_operator(event))
        # as `submit --workers`: one account's commands in input order, others concurrently
        outcomes = list(ordered_map(pool, submit, submission.commands, keys_of))
        for outcome in outcomes:
            metrics.add_metric(f"Commands_{outcome.status}", MetricUnit.Count, 1)
        status = status_of(outcomes, submission.batch)
        payloads = [o.to_json_dict() for o in outcomes]
        if submission.batch:
            return _json(status, payloads)
        if status == 400:
            return _json(
                status, error_body("invalid_input", outcomes[0].error or "", outcome=payloads[0])
            )
        return _json(status, payloads[0])

    @api.get("/accounts/<account_id>/balance", summary="An account's balance")
    def get_balance(account_id: str) -> Response[Any]:
        return _json(200, reads.balance(app, account_id))

    @api.get("/accounts/<account_id>/events", summary="An account's events, a page at a time")
    def get_events(
        account_id: str,
        limit: Annotated[int, Query(ge=1, le=1000)] = reads.DEFAULT_EVENTS_LIMIT,
        next: Annotated[str | None, Query(max_length=32)] = None,
    ) -> Response[Any]:
        return _json(200, reads.events_page(app, account_id, limit, next))

    @api.get("/transactions/<txn_id>", summary="A transaction by its txn id")
    def get_txn(txn_id: str) -> Response[Any]:
        return _json(200, reads.txn(app, txn_id))

    @api.get("/health", summary="The function is up (no backend call)")
    def health() -> Response[Any]:
        return _json(200, {"status": "ok"})

    _error_handlers(api)
    return api


#: error class -> (status, error); Powertools picks the most specific class (its MRO)
_STATUS: dict[type[Exception], tuple[int, str]] = {
    TooLarge: (413, "too_large"),
    UnsupportedMediaType: (415, "unsupported_media_type"),
    UnknownAccount: (404, "not_found"),
    UnknownId: (404, "not_found"),
    InvalidInput: (400, "invalid_input"),
    BackendError: (503, "backend_unavailable"),
    ContentionExhausted: (503, "backend_unavailable"),
    AcmeError: (500, "internal_error"),
    Exception: (500, "internal_error"),  # a bug: logged with its traceback, never a crash
}


def _responder(status: int, error: str) -> Any:
    def respond(exc: Exception) -> Response[Any]:
        if status >= 500:
            _LOG.exception("request failed")
        return _error(status, error, exc)

    return respond


def _error_handlers(api: APIGatewayHttpResolver) -> None:
    """Bad input is 4xx with ``{"error", "detail"}``; backend faults 503; never 500 for input."""

    def invalid_request(exc: RequestValidationError) -> Response[Any]:
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()
        )
        return _json(400, error_body("invalid_request", detail))

    api.exception_handler(RequestValidationError)(invalid_request)

    for exc_class, (status, error) in _STATUS.items():
        api.exception_handler(exc_class)(_responder(status, error))

    @api.not_found
    def not_found(exc: NotFoundError) -> Response[Any]:
        return _json(404, error_body("not_found", f"no route {api.current_event.path}"))


class HttpApi:
    """One request in, one response out: the correlation id logged, status codes counted."""

    def __init__(self, app: App, metrics: MetricsLike, workers: int = BATCH_WORKERS) -> None:
        self.metrics = metrics
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="api-batch")
        self.resolver = build_resolver(app, metrics, self.pool)

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        request = event.get("requestContext") or {}
        headers = event.get("headers") or {}
        _LOG.set_correlation_id(headers.get("x-request-id") or request.get("requestId"))
        try:
            response: dict[str, Any] = self.resolver.resolve(event, context)
            status = int(response.get("statusCode", 500))
            self.metrics.add_metric("Requests", MetricUnit.Count, 1)
            if status >= 500:
                self.metrics.add_metric("Api5xx", MetricUnit.Count, 1)
            elif status >= 400:
                self.metrics.add_metric("Api4xx", MetricUnit.Count, 1)
            _LOG.info(
                "request",
                extra={"method": _method(event), "path": event.get("rawPath"), "status": status},
            )
            return response
        finally:
            self.metrics.flush_metrics(raise_on_empty_metrics=False)

    def openapi_json(self) -> str:
        document = self.resolver.get_openapi_json_schema(
            title="acme-txn HTTP API",
            version="1.0.0",
            description="Commands in (as `acme-txn submit`), outcomes and reads out; "
            'errors are {"error", "detail"}.',
        )
        return with_commands_body(document)


def _method(event: dict[str, Any]) -> str | None:
    http = (event.get("requestContext") or {}).get("http") or {}
    method = http.get("method")
    return str(method) if method is not None else None
