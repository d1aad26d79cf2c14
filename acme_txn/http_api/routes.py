"""The HTTP API on Powertools' event handler: routes, who may call them, error mapping.

``HttpApi(app, metrics, auth)`` is callable with an API Gateway HTTP API (payload 2.0) or
Lambda function URL event (the same shape) and answers the proxy response dict. Its parts
come from the ``App`` the composition root built; nothing here reads the environment.

A Powertools resolver keeps per-request state on itself (the context) and, worse, the
current event on its base *class* (``BaseRouter.current_event``), shared by every resolver
of the process: two threads resolving at once read each other's request. ``Resolver`` keeps
the event on the instance, and each request borrows a resolver of its own from a pool
(``ResolverPool``) and gives it back.
"""

from __future__ import annotations

import functools
import json
import logging
import queue
import re
import sys
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
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
from acme_txn.http_api.access import (
    OPERATE,
    READ,
    TRANSACT,
    Forbidden,
    NotAuthenticated,
    Principal,
    check_commands,
    customer_sources,
    may_read,
    require,
    route_types,
)
from acme_txn.http_api.auth import Authenticator
from acme_txn.http_api.openapi import with_commands_body
from acme_txn.http_api.redact import failure_detail
from acme_txn.http_api.requests import (
    INTERNAL,
    UNAVAILABLE,
    TooLarge,
    UnsupportedMediaType,
    body_of,
    check_id,
    error_body,
    parse_submission,
    public_outcome,
    status_of,
)
from processor.domain.commands import LEDGER_TYPES
from processor.reads.queries import UnknownId
from processor.services.ordering import keys_of, ordered_map
from streams.handlers import MetricsLike

SERVICE = "acme-txn-api"
#: a batch's commands of different accounts run this many at a time (``submit --workers``)
BATCH_WORKERS = 8
JSON = "application/json"
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="acme-txn"'}
_LOG = Logger(service=SERVICE, logger_handler=logging.StreamHandler(sys.stderr))


@dataclass(frozen=True)
class Route:
    """A route: method, path (Powertools' ``<param>`` syntax) and the scope it needs
    (None: anyone)."""

    method: str
    path: str
    scope: str | None

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile("^" + re.sub(r"<[a-z_]+>", "[^/]+", self.path) + "$")


ROUTES = (
    Route("POST", "/commands", TRANSACT),
    Route("POST", "/admin/commands", OPERATE),
    Route("GET", "/accounts/<account_id>/balance", READ),
    Route("GET", "/accounts/<account_id>/events", READ),
    Route("GET", "/transactions/<txn_id>", READ),
    Route("GET", "/health", None),
)
_PATTERNS = [(route, route.pattern) for route in ROUTES]

#: the statuses every route may answer besides its own (documented in the OpenAPI)
COMMON_STATUSES = {
    401: "no valid bearer token",
    403: "the token's scopes or customer do not allow this",
    500: "internal error (the body carries a request id)",
}


class Resolver(APIGatewayHttpResolver):
    """``APIGatewayHttpResolver`` whose current event belongs to the instance."""

    _event: Any = None

    @property
    def current_event(self) -> Any:
        return self._event

    @current_event.setter
    def current_event(self, value: Any) -> None:
        self._event = value

    def resolve(self, event: Any, context: Any) -> dict[str, Any]:
        self._event = self._to_proxy_event(event)
        answer: dict[str, Any] = super().resolve(event, context)
        return answer


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(status_code=status, content_type=JSON, body=json.dumps(body), headers=headers)


def _principal(api: APIGatewayHttpResolver) -> Principal:
    principal = api.context.get("principal")
    if not isinstance(principal, Principal):
        raise NotAuthenticated("a valid bearer token is required")
    return principal


def _request_id(api: APIGatewayHttpResolver) -> str:
    return str(api.context.get("request_id") or "")


def _submit(
    api: APIGatewayHttpResolver,
    app: App,
    metrics: MetricsLike,
    pool: ThreadPoolExecutor,
    scope: str,
) -> Response[Any]:
    """``POST /commands`` and ``POST /admin/commands``: parse, authorise, stamp, submit."""
    principal = _principal(api)
    event = api.current_event
    body = body_of(event.body, bool(event.is_base64_encoded))
    submission = parse_submission(body, event.headers or {})
    allowed = route_types(scope)
    for command in submission.commands:
        kind = command.get("type")
        if not isinstance(kind, str):
            raise InvalidInput('each command needs a "type" naming it, as a string')
        if kind not in allowed and kind in _KNOWN_TYPES:
            other = "/admin/commands" if scope == TRANSACT else "/commands"
            raise InvalidInput(f"{kind} is not taken here: send it to {other}")
    owners = {a: reads.owner_of(app, a) for a in customer_sources(submission.commands)}
    if principal.is_customer:
        check_commands(principal, submission.commands, owners)
    commands = [_stamped(c, principal) for c in submission.commands]
    # as `submit --workers`: one account's commands in input order, others concurrently
    submit = functools.partial(app.ledger.submit_raw, operator=caller_is_operator(principal))
    outcomes = list(ordered_map(pool, submit, commands, keys_of))
    request_id = _request_id(api)
    for outcome in outcomes:
        metrics.add_metric(f"Commands_{outcome.status}", MetricUnit.Count, 1)
        if outcome.status == "failed":
            _LOG.error(
                "command failed",
                extra={"request_id": request_id, "txn_id": outcome.txn_id, "error_class": "failed"},
            )
    status = status_of(outcomes, submission.batch)
    payloads = [public_outcome(o.to_json_dict(), request_id) for o in outcomes]
    if submission.batch:
        return _json(status, payloads)
    if status == 400:
        return _json(
            status, error_body("invalid_input", outcomes[0].error or "", outcome=payloads[0])
        )
    if status == 503:
        failure = error_body("backend_unavailable", UNAVAILABLE, request_id=request_id)
        return _json(status, {**failure, "outcome": payloads[0]})
    return _json(status, payloads[0])


_KNOWN_TYPES = route_types(TRANSACT) | route_types(OPERATE)


def _stamped(command: dict[str, Any], principal: Principal) -> dict[str, Any]:
    """The command (and a linked batch's legs) with who sent it: ledger commands record it
    on their events. A caller may not name it."""
    if "principal" in command:
        raise InvalidInput("principal is set by the server from the caller's credentials")
    kind = command.get("type")
    if not isinstance(kind, str) or kind not in LEDGER_TYPES:
        return command
    stamped = {**command, "principal": principal.id}
    legs = command.get("legs")
    if isinstance(legs, list):
        stamped["legs"] = [
            _stamped(leg, principal) if isinstance(leg, dict) else leg for leg in legs
        ]
    return stamped


def caller_is_operator(principal: Principal) -> bool:
    """Whether this request's caller acts as the ledger's operator (may backdate beyond the
    time policy's bound, ``processor.domain.time_policy``): only a caller granted operator rights
    (the ``ledger/operate`` scope) is; a customer never is."""
    return OPERATE in principal.scopes and not principal.is_customer


def build_resolver(
    app: App, metrics: MetricsLike, pool: ThreadPoolExecutor
) -> APIGatewayHttpResolver:
    """The routes over ``app``'s ledger and read side; a batch runs on ``pool``."""
    api = Resolver(enable_validation=True)
    responses: dict[int, Any] = {
        200: {"description": "processed (see each outcome's status)"},
        400: {"description": "bad input"},
        413: {"description": "body or batch too large"},
        415: {"description": "not application/json"},
        503: {"description": "backend unavailable: resending is safe"},
    }

    @api.post(
        "/commands",
        summary="Submit one money command, or a batch {commands: [...]} of up to 100",
        description="Credits, debits, transfers, pending posts and voids, linked batches: "
        "the JSON of a line of `acme-txn submit`; answers its outcome(s).",
        responses=responses,
    )
    def post_commands() -> Response[Any]:
        return _submit(api, app, metrics, pool, TRANSACT)

    @api.post(
        "/admin/commands",
        summary="Submit one operator command, or a batch {commands: [...]} of up to 100",
        description="Accounts (open, close, block, unblock, limits), customers and offers.",
        responses=responses,
    )
    def post_admin_commands() -> Response[Any]:
        return _submit(api, app, metrics, pool, OPERATE)

    read_responses: dict[int, Any] = {
        200: {"description": "found"},
        400: {"description": "bad input"},
        404: {"description": "unknown"},
        503: {"description": "backend unavailable: resending is safe"},
    }

    @api.get(
        "/accounts/<account_id>/balance", summary="An account's balance", responses=read_responses
    )
    def get_balance(account_id: str) -> Response[Any]:
        _may_read_account(api, app, account_id)
        return _json(200, reads.balance(app, account_id))

    @api.get(
        "/accounts/<account_id>/events",
        summary="An account's events, a page at a time",
        responses=read_responses,
    )
    def get_events(
        account_id: str,
        limit: Annotated[int, Query(ge=1, le=1000)] = reads.DEFAULT_EVENTS_LIMIT,
        next: Annotated[str | None, Query(max_length=32)] = None,
    ) -> Response[Any]:
        _may_read_account(api, app, account_id)
        return _json(200, reads.events_page(app, account_id, limit, next))

    @api.get(
        "/transactions/<txn_id>", summary="A transaction by its txn id", responses=read_responses
    )
    def get_txn(txn_id: str) -> Response[Any]:
        check_id("txn_id", txn_id)
        principal = _principal(api)
        try:
            details = reads.txn(app, txn_id)
        except UnknownId:
            may_read(principal, [])  # a customer learns nothing of ids it cannot read
            raise
        may_read(principal, reads.txn_owners(app, details) if principal.is_customer else [])
        return _json(200, details)

    @api.get(
        "/health",
        summary="The function is up (no backend call)",
        responses={200: {"description": "up"}},
    )
    def health() -> Response[Any]:
        return _json(200, {"status": "ok"})

    _error_handlers(api)
    return api


def _may_read_account(api: APIGatewayHttpResolver, app: App, account_id: str) -> None:
    check_id("account_id", account_id)
    principal = _principal(api)
    if principal.is_customer:
        may_read(principal, [reads.owner_of(app, account_id)])


#: error class -> (status, error); Powertools picks the most specific class (its MRO)
_STATUS: dict[type[Exception], tuple[int, str]] = {
    TooLarge: (413, "too_large"),
    UnsupportedMediaType: (415, "unsupported_media_type"),
    UnknownAccount: (404, "not_found"),
    UnknownId: (404, "not_found"),
    InvalidInput: (400, "invalid_input"),
    NotAuthenticated: (401, "unauthenticated"),
    Forbidden: (403, "forbidden"),
    BackendError: (503, "backend_unavailable"),
    ContentionExhausted: (503, "backend_unavailable"),
    AcmeError: (500, "internal_error"),
    Exception: (500, "internal_error"),  # a bug: logged under the request id, never a crash
}


def error_response(status: int, error: str, exc: BaseException, request_id: str) -> Response[Any]:
    """The answer to a failure: 4xx say what was wrong with the request; 5xx only what the
    caller can do, with the request id (the detail goes to the log under it)."""
    if status >= 500:
        _LOG.error("request failed", extra={"request_id": request_id, **failure_detail(exc)})
        detail = UNAVAILABLE if status == 503 else INTERNAL
        return _json(status, error_body(error, detail, request_id=request_id))
    return _json(status, error_body(error, str(exc)), CHALLENGE if status == 401 else None)


def _error_handlers(api: APIGatewayHttpResolver) -> None:
    """Bad input is 4xx with ``{"error", "detail"}``; backend faults 503; never 500 for input."""

    def invalid_request(exc: RequestValidationError) -> Response[Any]:
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()
        )
        return _json(400, error_body("invalid_request", detail))

    api.exception_handler(RequestValidationError)(invalid_request)

    def responder(status: int, error: str) -> Callable[[Exception], Response[Any]]:
        return lambda exc: error_response(status, error, exc, _request_id(api))

    for exc_class, (status, error) in _STATUS.items():
        api.exception_handler(exc_class)(responder(status, error))
    api.exception_handler(RecursionError)(
        lambda exc: _json(400, error_body("invalid_input", "the input is nested too deeply"))
    )

    @api.not_found
    def not_found(exc: NotFoundError) -> Response[Any]:
        return _json(404, error_body("not_found", "no such route"))


class ResolverPool:
    """Resolvers lent one request at a time (a Powertools resolver is not thread-safe)."""

    def __init__(self, build: Callable[[], APIGatewayHttpResolver]) -> None:
        self._build = build
        self._idle: queue.SimpleQueue[APIGatewayHttpResolver] = queue.SimpleQueue()

    def resolve(self, event: dict[str, Any], context: Any, **extra: Any) -> dict[str, Any]:
        try:
            resolver = self._idle.get_nowait()
        except queue.Empty:
            resolver = self._build()
        try:
            resolver.append_context(**extra)  # type: ignore[no-untyped-call]
            answer: dict[str, Any] = resolver.resolve(event, context)
            return answer
        finally:
            resolver.clear_context()  # type: ignore[no-untyped-call]
            self._idle.put(resolver)


class HttpApi:
    """One request in, one response out: method and route checked (404, 405), the caller
    authenticated (401) and its scope checked (403) before the route runs; every answer
    carries its request id."""

    def __init__(
        self,
        app: App,
        metrics: MetricsLike,
        auth: Authenticator | None = None,
        workers: int = BATCH_WORKERS,
    ) -> None:
        self.metrics = metrics
        self.auth = auth or Authenticator()
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="api-batch")
        self.resolvers = ResolverPool(lambda: build_resolver(app, metrics, self.pool))
        self._document = build_resolver(app, metrics, self.pool)

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        request = event.get("requestContext") or {}
        request_id = str(request.get("requestId") or uuid.uuid4())
        who: list[str] = []  # the caller's principal id, once known
        try:
            try:
                response = self._answer(event, context, request_id, who)
            except Exception as exc:  # a bug outside the routes: logged, never a crash
                answer = error_response(500, "internal_error", exc, request_id)
                response = _proxy(500, json.loads(str(answer.body)))
            response["headers"] = {**(response.get("headers") or {}), "X-Request-Id": request_id}
            self._record(event, request_id, int(response.get("statusCode", 500)), who)
            return response
        finally:
            self.metrics.flush_metrics(raise_on_empty_metrics=False)

    def _record(self, event: dict[str, Any], request_id: str, status: int, who: list[str]) -> None:
        """The request's metrics and its log line (the route template, never the path)."""
        self.metrics.add_metric("Requests", MetricUnit.Count, 1)
        if status >= 500:
            self.metrics.add_metric("Api5xx", MetricUnit.Count, 1)
        elif status >= 400:
            self.metrics.add_metric("Api4xx", MetricUnit.Count, 1)
        line = {"request_id": request_id, "method": _method(event), "route": _route_of(event)}
        _LOG.info("request", extra={**line, "status": status, "principal": who[0] if who else None})

    def _answer(
        self, event: dict[str, Any], context: Any, request_id: str, who: list[str]
    ) -> dict[str, Any]:
        method, path = _method(event) or "", _path_of(event)
        matching = [route for route, pattern in _PATTERNS if pattern.match(path)]
        if not matching:
            return _proxy(404, error_body("not_found", "no such route"))
        route = next((r for r in matching if r.method == method), None)
        if route is None:
            allowed = ", ".join(sorted({r.method for r in matching}))
            body = error_body("method_not_allowed", f"{method} is not allowed here")
            return _proxy(405, body, {"Allow": allowed})
        try:
            caller = None if route.scope is None else self.auth.principal(event)
            who.extend([caller.id] if caller else [])
            principal = require(caller, route.scope)
        except NotAuthenticated as exc:
            return _proxy(401, error_body("unauthenticated", str(exc)), CHALLENGE)
        except Forbidden as exc:
            return _proxy(403, error_body("forbidden", str(exc)))
        return self.resolvers.resolve(event, context, principal=principal, request_id=request_id)

    def openapi_json(self) -> str:
        document = self._document.get_openapi_json_schema(
            title="acme-txn HTTP API",
            version="1.0.0",
            description="Commands in (as `acme-txn submit`), outcomes and reads out; "
            'errors are {"error", "detail"}.',
        )
        return with_commands_body(document, ROUTES, COMMON_STATUSES)


def _proxy(status: int, body: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": JSON, **(headers or {})},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


def _path_of(event: dict[str, Any]) -> str:
    """The request's path without a named stage's prefix (as Powertools strips it)."""
    path = str(event.get("rawPath") or "")
    stage = str((event.get("requestContext") or {}).get("stage") or "$default")
    if stage != "$default" and path.startswith(f"/{stage}/"):
        return path[len(stage) + 1 :]
    return path


def _route_of(event: dict[str, Any]) -> str | None:
    """The route template (never the path: it holds account and txn ids)."""
    path = _path_of(event)
    return next((r.path for r, p in _PATTERNS if p.match(path)), None)


def _method(event: dict[str, Any]) -> str | None:
    http = (event.get("requestContext") or {}).get("http") or {}
    method = http.get("method")
    return str(method) if method is not None else None
