"""The HTTP API's request rules (pure) and the resolver over the in-memory app: body and
header rules, the Idempotency-Key mapping, and the status every kind of answer gets."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from acme_base.errors import InvalidInput
from acme_txn.bootstrap import App
from acme_txn.http_api import HttpApi, reads
from acme_txn.http_api.local import http_event
from acme_txn.http_api.requests import (
    MAX_BATCH,
    TooLarge,
    UnsupportedMediaType,
    parse_submission,
    status_of,
    with_key,
)
from acme_txn.http_api.routes import ROUTES
from processor.domain.commands import MAX_LINE_BYTES
from processor.domain.outcomes import Outcome
from streams.handlers import CountingMetrics
from tests.auth_support import authenticator, bearer, token
from tests.customer_support import register

JSON_HEADERS = {"content-type": "application/json"}
CREDIT = {"type": "credit", "account_id": "A1", "amount": "10.00"}
OPERATOR = bearer(token("ops-1"))


# --- pure request rules --------------------------------------------------------------------


def test_given_one_object_when_parsed_then_a_single_submission() -> None:
    sub = parse_submission(json.dumps({**CREDIT, "txn_id": "T1"}), JSON_HEADERS)
    assert sub.batch is False and sub.commands == [{**CREDIT, "txn_id": "T1"}]


def test_given_a_commands_list_when_parsed_then_a_batch_in_input_order() -> None:
    body = json.dumps({"commands": [{"txn_id": "a"}, {"txn_id": "b"}]})
    sub = parse_submission(body, JSON_HEADERS)
    assert sub.batch is True and [c["txn_id"] for c in sub.commands] == ["a", "b"]


def test_given_the_header_and_no_txn_id_then_the_key_becomes_the_txn_id() -> None:
    sub = parse_submission(json.dumps(CREDIT), {**JSON_HEADERS, "Idempotency-Key": "K1"})
    assert sub.commands == [{**CREDIT, "txn_id": "K1"}]


def test_given_the_header_and_an_agreeing_txn_id_then_it_is_kept() -> None:
    assert with_key({"txn_id": "K1"}, "K1") == {"txn_id": "K1"}


def test_given_the_header_and_a_different_txn_id_then_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="disagrees"):
        with_key({"txn_id": "T1"}, "K1")


def test_given_the_header_on_a_batch_then_invalid_input() -> None:
    body = json.dumps({"commands": [CREDIT]})
    with pytest.raises(InvalidInput, match="single command"):
        parse_submission(body, {"idempotency-key": "K1"})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{bad", "malformed JSON"),
        ('{"amount": 1.5}', "not a float"),
        ("", "empty"),
        ("[1, 2]", "must be a JSON object"),
        ('{"commands": []}', "non-empty list"),
        ('{"commands": [3]}', r"commands\[0\] must be a JSON object"),
    ],
)
def test_given_a_bad_body_then_invalid_input_saying_why(body: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_submission(body, JSON_HEADERS)


def test_given_too_many_commands_then_too_large() -> None:
    body = json.dumps({"commands": [CREDIT] * (MAX_BATCH + 1)})
    with pytest.raises(TooLarge, match=f"over the {MAX_BATCH} limit"):
        parse_submission(body, JSON_HEADERS)


def test_given_one_command_over_the_line_limit_then_too_large() -> None:
    body = json.dumps({**CREDIT, "txn_id": "x" * MAX_LINE_BYTES})
    with pytest.raises(TooLarge):
        parse_submission(body, JSON_HEADERS)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_given_a_non_json_content_type_then_unsupported(content_type: str) -> None:
    with pytest.raises(UnsupportedMediaType):
        parse_submission(json.dumps(CREDIT), {"Content-Type": content_type})


def test_given_json_with_a_charset_then_accepted() -> None:
    headers = {"content-type": "application/json; charset=utf-8"}
    assert parse_submission(json.dumps(CREDIT), headers).commands == [CREDIT]


@pytest.mark.parametrize(
    ("statuses", "batch", "code"),
    [
        (["approved"], False, 200),
        (["declined"], False, 200),
        (["duplicate"], False, 200),
        (["rejected"], False, 400),
        (["failed"], False, 503),
        (["approved", "rejected"], True, 200),
        (["approved", "failed"], True, 503),
    ],
)
def test_given_outcomes_then_the_status_code(statuses: list[str], batch: bool, code: int) -> None:
    outcomes = [Outcome.model_validate({"status": s}) for s in statuses]
    assert status_of(outcomes, batch) == code


# --- the resolver over the in-memory app ----------------------------------------------------


@pytest.fixture
def api(memory_app: App) -> HttpApi:
    register(memory_app.ledger, "C1")
    opened = memory_app.ledger.submit_raw(
        {"type": "open_account", "account_id": "A1", "customer_id": "C1"}
    )
    assert opened.status == "opened"
    return HttpApi(memory_app, CountingMetrics(), authenticator())


def call(api: HttpApi, method: str, path: str, body: Any = None, **headers: str) -> tuple[int, Any]:
    text = body if body is None or isinstance(body, str) else json.dumps(body)
    sent = {**JSON_HEADERS, **OPERATOR, **headers}
    response = api(http_event(method, path, text, sent), None)
    return response["statusCode"], json.loads(response["body"])


def test_given_a_credit_when_posted_then_200_and_the_submit_outcome(api: HttpApi) -> None:
    code, body = call(api, "POST", "/commands", {**CREDIT, "txn_id": "T1"})
    assert code == 200
    assert body == {
        "txn_id": "T1",
        "status": "approved",
        "account_id": "A1",
        "seq": 1,
        "balance_after": "10.00",
    }


def test_given_a_key_replayed_then_duplicate_and_one_write(api: HttpApi, memory_app: App) -> None:
    first = call(api, "POST", "/commands", CREDIT, **{"Idempotency-Key": "K1"})
    second = call(api, "POST", "/commands", CREDIT, **{"Idempotency-Key": "K1"})
    assert first[1]["status"] == "approved" and first[1]["txn_id"] == "K1"
    assert second == (200, {**first[1], "status": "duplicate", "original_status": "approved"})
    assert len(list(memory_app.event_store.events("A1"))) == 2  # open + one credit


def test_given_an_overdraft_then_200_declined(api: HttpApi) -> None:
    code, body = call(api, "POST", "/commands", {**CREDIT, "type": "debit", "txn_id": "D1"})
    assert (code, body["status"]) == (200, "declined")


@pytest.mark.parametrize(
    "command",
    [
        {**CREDIT, "txn_id": "T1", "colour": "red"},
        {**CREDIT, "txn_id": "T1", "amount": "1.001"},
        {**CREDIT, "txn_id": "T1", "amount": "-5"},
        {**CREDIT, "txn_id": "T1", "account_id": "NOPE"},
    ],
)
def test_given_a_bad_command_then_400_with_the_parser_message_and_nothing_written(
    api: HttpApi, memory_app: App, command: dict[str, Any]
) -> None:
    code, body = call(api, "POST", "/commands", command)
    assert code == 400
    assert body["error"] == "invalid_input" and body["detail"] == body["outcome"]["error"]
    assert body["outcome"]["status"] == "rejected"
    assert len(list(memory_app.event_store.events("A1"))) == 1


def test_given_a_float_then_400_and_the_float_message(api: HttpApi) -> None:
    code, body = call(api, "POST", "/commands", '{"type":"credit","amount":10.5}')
    assert code == 400 and "quoted decimal string" in body["detail"]


def test_given_a_batch_then_a_list_in_order_with_each_status(api: HttpApi) -> None:
    commands = [{**CREDIT, "txn_id": "B1"}, {**CREDIT, "txn_id": "B1"}, {"type": "credit"}]
    code, body = call(api, "POST", "/commands", {"commands": commands})
    assert code == 200
    assert [o["status"] for o in body] == ["approved", "duplicate", "rejected"]


def test_given_text_plain_then_415(api: HttpApi) -> None:
    code, body = call(api, "POST", "/commands", "x", **{"content-type": "text/plain"})
    assert (code, body["error"]) == (415, "unsupported_media_type")


def test_given_too_big_a_batch_then_413(api: HttpApi) -> None:
    code, body = call(api, "POST", "/commands", {"commands": [CREDIT] * (MAX_BATCH + 1)})
    assert (code, body["error"]) == (413, "too_large")


def test_given_reads_then_the_cli_documents(api: HttpApi) -> None:
    call(api, "POST", "/commands", {**CREDIT, "txn_id": "T1"})
    code, balance = call(api, "GET", "/accounts/A1/balance")
    assert code == 200
    assert balance == {
        "account_id": "A1",
        "balance": "10.00",
        "applied_seq": 1,
        "currency": "USD",
        "source": "ledger",  # the ledger's head (the in-memory views were never projected)
        "projection": None,
        # issue 11 round 2: the document of `acme-txn balance` (processor.reads.balance_read)
        "posted": "10.00",
        "pending_debits": "0.00",
        "pending_credits": "0.00",
        "available": "10.00",
        "limits": {
            "credit_limit": "0.00",
            "debits_must_not_exceed_credits": True,
            "credits_must_not_exceed_debits": False,
            "max_balance": None,
        },
        "blocked": False,
        "frozen": False,
        "closed": False,
    }
    code, page = call(api, "GET", "/accounts/A1/events?limit=1")
    assert (code, page["count"], page["next_token"]) == (200, 1, "1")
    code, rest = call(api, "GET", "/accounts/A1/events?limit=1&next=1")
    assert [e["txn_id"] for e in rest["items"]] == ["T1"] and rest["next_token"] is None


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/accounts/NOPE/balance", 404),
        ("/accounts/NOPE/events", 404),
        ("/accounts/A1/events?limit=0", 400),
        ("/accounts/A1/events?limit=abc", 400),
        ("/accounts/A1/events?next=zzz", 400),
        ("/no/such/route", 404),
    ],
)
def test_given_a_bad_read_then_4xx_with_an_error(api: HttpApi, path: str, code: int) -> None:
    status, body = call(api, "GET", path)
    assert status == code and body["error"] and body["detail"]


def test_given_requests_then_outcomes_and_4xx_are_counted(api: HttpApi) -> None:
    call(api, "POST", "/commands", {**CREDIT, "txn_id": "T1"})
    call(api, "POST", "/commands", "{bad")
    totals = api.metrics.totals  # type: ignore[attr-defined]
    assert totals == {"Commands_approved": 1.0, "Api4xx": 1.0, "Requests": 2.0}


def test_given_health_then_ok(api: HttpApi) -> None:
    assert call(api, "GET", "/health") == (200, {"status": "ok"})


# --- the OpenAPI document ---------------------------------------------------------------


def _document(memory_app: App) -> dict[str, Any]:
    return dict(json.loads(HttpApi(memory_app, CountingMetrics()).openapi_json()))


def test_given_the_routes_then_the_openapi_document_has_every_route_and_the_bodies(
    memory_app: App,
) -> None:
    document = _document(memory_app)
    assert {(r.path.replace("<", "{").replace(">", "}"), r.method.lower()) for r in ROUTES} == {
        (path, method) for path, ops in document["paths"].items() for method in ops
    }
    for path in ("/commands", "/admin/commands"):
        post = document["paths"][path]["post"]
        assert "Idempotency-Key" in [p["name"] for p in post["parameters"]]
        assert "txn_id" in post["description"] and "batch" in post["description"]
    schemas = document["components"]["schemas"]
    assert {"MoneyCommand", "OperatorCommand", "Credit", "OpenAccount", "Error"} <= set(schemas)
    assert schemas["Credit"]["additionalProperties"] is False  # extra="forbid", documented
    assert "principal" not in schemas["Credit"]["properties"]  # set by the server


def test_given_the_document_then_every_status_has_the_error_schema_and_no_422(
    memory_app: App,
) -> None:
    """The statuses the routes answer, each error with the error schema; security and the
    scope per route; the path ids' rule."""
    document = _document(memory_app)
    for route in ROUTES:
        path = route.path.replace("<", "{").replace(">", "}")
        operation = document["paths"][path][route.method.lower()]
        statuses = set(operation["responses"])
        assert "422" not in statuses
        expected = {"200", "500"} if route.scope is None else {"200", "400", "401", "403", "500"}
        assert expected <= statuses, path
        if route.scope is not None:
            assert {"jwt": [route.scope]} in operation["security"]
            assert "503" in statuses
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                schema = response["content"]["application/json"]["schema"]
                assert "Error" in json.dumps(schema), (path, status)
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                assert parameter["schema"]["maxLength"] == 64
    reads = [r for r in ROUTES if r.method == "GET" and r.scope is not None]
    for route in reads:
        path = route.path.replace("<", "{").replace(">", "}")
        assert "404" in document["paths"][path]["get"]["responses"]
    assert set(document["components"]["securitySchemes"]) == {"jwt", "iam"}


def test_given_the_document_then_no_internal_words(memory_app: App) -> None:
    text = json.dumps(_document(memory_app)).lower()
    for word in ("issue ", "iteration", "#1", "dynamodb", "powertools", "seed", "``"):
        assert word not in text, word


def test_given_deploy_openapi_json_then_it_is_the_generated_document(memory_app: App) -> None:
    """Regenerate with ``acme-txn api openapi --out deploy/openapi.json``."""
    path = Path(__file__).resolve().parents[2] / "deploy" / "openapi.json"
    written = json.loads(path.read_text(encoding="utf-8"))
    assert written == _document(memory_app)


@pytest.mark.parametrize("raw", [b"\xff\xfe\x00", b"\x80abc"])
def test_given_undecodable_bytes_then_400_not_a_crash(api: HttpApi, raw: bytes) -> None:
    response = api(http_event("POST", "/commands", raw, {**JSON_HEADERS, **OPERATOR}), None)
    assert response["statusCode"] == 400
    assert json.loads(response["body"])["error"] == "invalid_input"


def test_given_a_base64_json_body_then_decoded(api: HttpApi) -> None:
    event = http_event("POST", "/commands", None, {**JSON_HEADERS, **OPERATOR})
    body = json.dumps({**CREDIT, "txn_id": "B64"}).encode()
    event |= {"body": base64.b64encode(body).decode(), "isBase64Encoded": True}
    response = api(event, None)
    assert json.loads(response["body"])["status"] == "approved"


def test_given_a_bug_in_a_route_then_500_internal_error(
    api: HttpApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any) -> Any:
        raise RuntimeError("planted")

    monkeypatch.setattr(reads, "balance", broken)
    code, body = call(api, "GET", "/accounts/A1/balance")
    assert (code, body["error"]) == (500, "internal_error")
    assert api.metrics.totals["Api5xx"] == 1.0  # type: ignore[attr-defined]


def test_given_api_openapi_out_then_the_file_is_written(tmp_path: Path) -> None:
    from acme_txn.cli.main import main

    out = tmp_path / "openapi.json"
    code = main(["api", "openapi", "--out", str(out), "--endpoint-url", "http://127.0.0.1:9"])
    assert code == 0
    assert "/commands" in json.loads(out.read_text(encoding="utf-8"))["paths"]


def test_given_a_bad_port_then_api_serve_exits_2() -> None:
    from acme_txn.cli.main import main

    assert main(["api", "serve", "--port", "70000", "--endpoint-url", "http://127.0.0.1:9"]) == 2


# --- errors that leak nothing ------------------------------------------------------------


@pytest.mark.parametrize("depth", [2_000, 100_000])
def test_given_deeply_nested_json_then_400_not_500(api: HttpApi, depth: int) -> None:
    code, body = call(api, "POST", "/commands", "[" * depth + "]" * depth)
    assert (code, body["error"]) == (400, "invalid_input")
    code, body = call(api, "POST", "/commands", '{"commands": ' + "[" * depth + "]" * depth + "}")
    assert code == 400
    assert api.metrics.totals.get("Api5xx", 0) == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/" + "A" * 2048 + "/balance",
        "/accounts/" + "A" * 2048 + "/events",
        "/transactions/" + "T" * 2048,
        "/accounts/-A/balance",
        "/transactions/T%0A1",
    ],
)
def test_given_a_path_id_the_body_would_refuse_then_400(api: HttpApi, path: str) -> None:
    code, body = call(api, "GET", path)
    assert (code, body["error"]) == (400, "invalid_input") and "is not an id" in body["detail"]
    assert len(body["detail"]) < 300


SECRET = "arn:aws:iam::123456789012:role/acme-api table acme-ledger phone +14155550123"


def test_given_a_bug_then_500_says_internal_error_and_the_log_has_the_detail(
    api: HttpApi, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any) -> Any:
        raise RuntimeError(SECRET)

    monkeypatch.setattr(reads, "balance", broken)
    response = api(http_event("GET", "/accounts/A1/balance", None, OPERATOR), None)
    body = json.loads(response["body"])
    request_id = response["headers"]["X-Request-Id"]
    assert body == {"error": "internal_error", "detail": "internal error", "request_id": request_id}
    failure = next(r for r in caplog.records if r.getMessage() == "request failed")
    fields = failure.__dict__
    assert fields["request_id"] == request_id and fields["error_class"] == "RuntimeError"
    assert "acme-api" in fields["error_detail"]  # the detail is logged ...
    line = next(r for r in caplog.records if r.getMessage() == "request").__dict__
    assert line["principal"] == "jwt:https://idp.test.example/pool-1#ops-1"
    assert line["route"] == "/accounts/<account_id>/balance" and line["status"] == 500
    logged = json.dumps([r.__dict__ for r in caplog.records], default=str)
    assert "4155550123" not in logged  # ... without the phone number


def test_given_a_backend_failure_then_503_safe_to_retry_without_the_backends_words(
    api: HttpApi, memory_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    from processor.domain.outcomes import failed

    def submit(raw: Any, operator: bool = False) -> Outcome:
        return failed(SECRET, txn_id=raw.get("txn_id"))

    monkeypatch.setattr(memory_app.ledger, "submit_raw", submit)
    code, body = call(api, "POST", "/commands", {**CREDIT, "txn_id": "F1"})
    assert code == 503 and "arn:" not in json.dumps(body) and "acme-ledger" not in json.dumps(body)
    assert body["detail"] == "backend unavailable, safe to retry" and body["request_id"]
    code, batch = call(api, "POST", "/commands", {"commands": [{**CREDIT, "txn_id": "F2"}]})
    assert code == 503 and batch[0]["error"] == "backend unavailable, safe to retry"


@pytest.mark.parametrize("method", ["DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"])
def test_given_an_undeclared_method_then_405_with_allow(api: HttpApi, method: str) -> None:
    response = api(http_event(method, "/commands", None, OPERATOR), None)
    assert response["statusCode"] == 405 and response["headers"]["Allow"] == "POST"


def test_given_no_token_then_401_and_a_token_without_the_scope_then_403(api: HttpApi) -> None:
    response = api(http_event("GET", "/accounts/A1/balance", None, {}), None)
    assert response["statusCode"] == 401 and "Bearer" in response["headers"]["WWW-Authenticate"]
    reader = bearer(token("svc-read", ("ledger/read",)))
    code, body = call(api, "POST", "/commands", {**CREDIT, "txn_id": "X"}, **reader)
    assert (code, body["error"]) == (403, "forbidden")
    assert call(api, "GET", "/health", **{"Authorization": ""})[0] == 200


def test_given_a_command_then_its_events_and_txn_record_who_sent_it(api: HttpApi) -> None:
    sender = bearer(token("svc-pay", ("ledger/transact", "ledger/read")))
    assert call(api, "POST", "/commands", {**CREDIT, "txn_id": "W1"}, **sender)[0] == 200
    _, page = call(api, "GET", "/accounts/A1/events")
    expected = "jwt:https://idp.test.example/pool-1#svc-pay"
    assert page["items"][-1]["principal"] == expected
    code, body = call(api, "POST", "/commands", {**CREDIT, "txn_id": "W2", "principal": "me"})
    assert code == 400 and "principal" in body["detail"]


def test_given_an_operator_command_on_the_money_route_then_400_naming_the_admin_route(
    api: HttpApi,
) -> None:
    opening = {"type": "open_account", "account_id": "A9", "customer_id": "C1"}
    code, body = call(api, "POST", "/commands", opening)
    assert code == 400 and "/admin/commands" in body["detail"]
    assert call(api, "POST", "/admin/commands", opening)[1]["status"] == "opened"


# --- concurrent requests -----------------------------------------------------------------


def test_given_concurrent_requests_then_each_is_answered_from_its_own_event(
    api: HttpApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Powertools keeps the current event on its base class; threads must not share it.
    A pause after the event is set and before the route reads it widens the window."""
    import threading
    import time

    from acme_txn.http_api import routes

    principal_of = routes._principal

    def slow(resolver: Any) -> Any:
        time.sleep(0.002)
        return principal_of(resolver)

    monkeypatch.setattr(routes, "_principal", slow)
    wrong: list[tuple[str, Any]] = []

    def client(n: int) -> None:
        for i in range(25):
            txn_id = f"R{n}-{i}"
            code, body = call(api, "POST", "/commands", {**CREDIT, "txn_id": txn_id})
            if code != 200 or body.get("txn_id") != txn_id:
                wrong.append((txn_id, body))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []


@pytest.mark.parametrize(
    "body",
    [
        {"type": {}, "customer_id": "0"},
        {"type": "linked", "txn_id": "L0", "legs": [{"type": {}, "txn_id": "0"}]},
        {"type": ["credit"], "txn_id": "L1"},
    ],
)
def test_given_a_type_that_is_not_a_string_then_400_not_500(
    api: HttpApi, body: dict[str, Any]
) -> None:
    for path in ("/commands", "/admin/commands"):
        code, answer = call(api, "POST", path, body)
        assert code == 400, (path, answer)


def test_given_a_burst_of_connections_then_the_local_server_queues_and_answers_each() -> None:
    """A deep listen backlog (the stdlib's 5 reset the sixth client of a burst) and a bounded
    pool of workers: 64 clients at once, each answered."""
    import http.client
    import threading
    import time

    from acme_txn.http_api.local import make_server

    def slow(event: dict[str, Any], context: Any) -> dict[str, Any]:
        time.sleep(0.02)
        return {"statusCode": 200, "headers": {}, "body": event["rawPath"]}

    server = make_server(slow, 0, workers=4)
    assert server.request_queue_size >= 128
    threading.Thread(target=server.serve_forever, daemon=True).start()
    answers: list[str] = []

    def client(n: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
        connection.request("GET", f"/c{n}")
        answers.append(connection.getresponse().read().decode())
        connection.close()

    try:
        clients = [threading.Thread(target=client, args=(n,)) for n in range(64)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join()
    finally:
        server.shutdown()
        server.server_close()
    assert sorted(answers) == sorted(f"/c{n}" for n in range(64))


def test_given_a_named_stage_then_its_prefix_is_not_part_of_the_route(api: HttpApi) -> None:
    event = http_event("GET", "/prod/accounts/A1/balance", None, OPERATOR)
    event["requestContext"]["stage"] = "prod"
    response = api(event, None)
    assert response["statusCode"] == 200 and json.loads(response["body"])["account_id"] == "A1"
