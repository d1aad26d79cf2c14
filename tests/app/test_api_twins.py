"""The HTTP API's answers through its resolver, in-process on the twins: a batch's outcomes in
order, bad input refused with 400 and nothing written, a replayed Idempotency-Key answered as
a duplicate with one write. The Lambda entry and `api serve` on DynamoDB Local:
tests/integration/test_http_api.py."""

from __future__ import annotations

import json
from typing import Any

import pytest

from acme_txn.bootstrap import App
from acme_txn.http_api import HttpApi
from acme_txn.http_api.local import http_event
from streams.handlers import CountingMetrics
from tests.auth_support import authenticator, bearer, token
from tests.customer_support import register

JSON_HEADERS = {"content-type": "application/json"}
OPERATOR = bearer(token("ops-1"))


@pytest.fixture
def app(memory_app: App) -> App:
    return memory_app


@pytest.fixture
def api(app: App) -> HttpApi:
    """The API (the resolver the Lambda entry and `api serve` call) over ``app``."""
    return HttpApi(app, CountingMetrics(), authenticator())


@pytest.fixture
def account(app: App) -> str:
    register(app.ledger, "C1")
    opened = app.ledger.submit_raw(
        {"type": "open_account", "account_id": "A1", "customer_id": "C1"}
    )
    assert opened.status == "opened"
    return "A1"


@pytest.fixture
def invoke(api: HttpApi) -> Any:
    def invoke(method: str, path: str, body: Any = None, **headers: str) -> tuple[int, Any]:
        text = body if body is None or isinstance(body, str) else json.dumps(body)
        event = http_event(method, path, text, {**JSON_HEADERS, **OPERATOR, **headers})
        response = api(event, None)
        assert response["headers"]["Content-Type"] == "application/json"
        return response["statusCode"], json.loads(response["body"])

    return invoke


def _item_count(app: App) -> int:
    """The events the twin holds (on DynamoDB: the ledger table's items)."""
    return len(list(app.event_store.all_events()))


def test_given_a_batch_with_a_duplicate_and_a_bad_line_then_each_outcome_in_order(
    invoke: Any, app: App, account: str
) -> None:
    base = {"type": "credit", "account_id": account, "amount": "5.00"}
    batch = [{**base, "txn_id": "B1"}, {**base, "txn_id": "B1"}, {**base, "amount": "x"}]
    before = _item_count(app)
    code, outcomes = invoke("POST", "/commands", {"commands": batch})
    assert code == 200
    assert [o["status"] for o in outcomes] == ["approved", "duplicate", "rejected"]
    assert "amount" in outcomes[2]["error"]
    code, balance = invoke("GET", "/accounts/A1/balance")
    assert balance["balance"] == "5.00"
    assert _item_count(app) > before


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("{not json", "malformed JSON"),
        ('{"type":"credit","txn_id":"F1","account_id":"A1","amount":1.5}', "not a float"),
        (
            '{"type":"credit","txn_id":"U1","account_id":"A1","amount":"1.00","memo":"x"}',
            "memo",
        ),
    ],
)
def test_given_bad_input_then_400_and_nothing_written(
    invoke: Any, app: App, account: str, body: str, fragment: str
) -> None:
    before = _item_count(app)
    code, answer = invoke("POST", "/commands", body)
    assert code == 400 and answer["error"] == "invalid_input" and fragment in answer["detail"]
    assert _item_count(app) == before


def test_given_an_idempotency_key_replayed_then_duplicate_and_one_write(
    invoke: Any, app: App, account: str
) -> None:
    credit = {"type": "credit", "account_id": account, "amount": "7.00"}
    code, first = invoke("POST", "/commands", credit, **{"Idempotency-Key": "K-1"})
    after_first = _item_count(app)
    code2, second = invoke("POST", "/commands", credit, **{"Idempotency-Key": "K-1"})
    assert (code, first["status"], first["txn_id"]) == (200, "approved", "K-1")
    assert (code2, second["status"], second["original_status"]) == (200, "duplicate", "approved")
    assert _item_count(app) == after_first
    assert invoke("GET", "/accounts/A1/balance")[1]["balance"] == "7.00"
