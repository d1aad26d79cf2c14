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
from processor.commands import MAX_LINE_BYTES
from processor.outcomes import Outcome
from streams.handlers import CountingMetrics
from tests.customer_support import register

JSON_HEADERS = {"content-type": "application/json"}
CREDIT = {"type": "credit", "account_id": "A1", "amount": "10.00"}


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
    return HttpApi(memory_app, CountingMetrics())


def call(api: HttpApi, method: str, path: str, body: Any = None, **headers: str) -> tuple[int, Any]:
    text = body if body is None or isinstance(body, str) else json.dumps(body)
    response = api(http_event(method, path, text, {**JSON_HEADERS, **headers}), None)
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
        # issue 11 round 2: the document of `acme-txn balance` (processor.balance_read)
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


def test_given_the_routes_then_the_openapi_document_has_every_route_and_the_body(
    memory_app: App,
) -> None:
    document = json.loads(HttpApi(memory_app, CountingMetrics()).openapi_json())
    assert set(document["paths"]) == {
        "/commands",
        "/accounts/{account_id}/balance",
        "/accounts/{account_id}/events",
        "/transactions/{txn_id}",
        "/health",
    }
    post = document["paths"]["/commands"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in post["parameters"]]
    schemas = document["components"]["schemas"]
    assert {"Command", "Credit", "Transfer", "OpenAccount"} <= set(schemas)
    assert schemas["Credit"]["additionalProperties"] is False  # extra="forbid", documented


def test_given_deploy_openapi_json_then_its_routes_match_the_code(memory_app: App) -> None:
    """Regenerate with ``acme-txn api openapi --out deploy/openapi.json``. Only the routes
    are compared: the command schemas follow the models, which other work changes."""
    path = Path(__file__).resolve().parents[2] / "deploy" / "openapi.json"
    written = json.loads(path.read_text(encoding="utf-8"))
    current = json.loads(HttpApi(memory_app, CountingMetrics()).openapi_json())

    def routes(doc: dict[str, Any]) -> dict[str, Any]:
        return {p: sorted(ops) for p, ops in doc["paths"].items()}

    assert routes(written) == routes(current)


@pytest.mark.parametrize("raw", [b"\xff\xfe\x00", b"\x80abc"])
def test_given_undecodable_bytes_then_400_not_a_crash(api: HttpApi, raw: bytes) -> None:
    response = api(http_event("POST", "/commands", raw, JSON_HEADERS), None)
    assert response["statusCode"] == 400
    assert json.loads(response["body"])["error"] == "invalid_input"


def test_given_a_base64_json_body_then_decoded(api: HttpApi) -> None:
    event = http_event("POST", "/commands", None, JSON_HEADERS)
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
