"""The Lambda entry ``acme_txn.lambda_handlers.fraud_handler`` on real stream records: without
a window (LocalStack: the response has no state, the profile is written per invocation) and
with one (Lambda: the profile rides in the state, written at the final invocation)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from acme_base.aws import dynamodb_client, streams_client
from acme_base.settings import Settings
from acme_txn import lambda_handlers
from acme_txn.bootstrap import App
from acme_txn.fraud_demo import replay
from processor.services.ledger import Ledger
from streams.records import to_lambda_record
from streams.shards import TRIM_HORIZON, DynamoDBShardSource
from tests.customer_support import registration

WINDOW = {"start": "2030-01-01T10:00:00Z", "end": "2030-01-01T10:01:00Z"}


@pytest.fixture
def records(settings: Settings, ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Twelve payments of one account in half an hour (velocity), as stream records."""
    fund = {"type": "credit", "txn_id": "F", "account_id": "A1", "amount": "900.00"}
    commands: list[dict[str, Any]] = [
        registration("C1"),
        {"type": "open_account", "account_id": "A1", "customer_id": "C1"},
        {**fund, "occurred_at": "2030-01-01T09:00:00Z"},
    ]
    for i in range(12):  # recorded when they occur (the rules read the ledger's clock)
        at = f"2030-01-01T10:{i * 2:02d}:00Z"
        cmd = {"type": "debit", "txn_id": f"D{i}", "account_id": "A1", "amount": f"{10 + i}.00"}
        commands.append({**cmd, "occurred_at": at})
    outcomes = replay(lambda clock: replace(ledger, clock=clock), commands)
    assert [o.status for o in outcomes[3:]] == ["approved"] * 12
    source = DynamoDBShardSource(
        dynamodb_client(settings), streams_client(settings), settings.ledger_table
    )
    info = source.describe()
    page = source.read(source.iterator(info.shards[0].shard_id, TRIM_HORIZON), 1000)
    for name, value in {
        "AWS_ENDPOINT_URL": settings.endpoint_url,
        "AWS_ACCESS_KEY_ID": settings.access_key,
        "AWS_SECRET_ACCESS_KEY": settings.secret_key,
        "ACME_TABLE_PREFIX": settings.table_prefix,
    }.items():
        monkeypatch.setenv(name, value or "")
    lambda_handlers.reset()  # a cold start
    return [to_lambda_record(r, info.arn) for r in page.records]


def test_given_no_window_then_the_alert_and_profile_are_written_at_once(
    app: App, records: list[Any]
) -> None:
    response = lambda_handlers.fraud_handler({"Records": records}, None)
    assert response == {"batchItemFailures": []}  # no state: LocalStack ignores windows
    (alert,) = app.fraud_store.alerts(["2030-01-01"])
    assert alert.rule == "velocity" and alert.evidence == tuple(f"D{i}" for i in range(11))
    profile = app.fraud_store.profile("A1")
    assert profile is not None and profile.applied_seq == 13
    # AND a redelivery raises nothing new
    assert lambda_handlers.fraud_handler({"Records": records}, None)["batchItemFailures"] == []
    assert len(app.fraud_store.alerts(["2030-01-01"])) == 1


def test_given_a_window_then_the_state_carries_the_profile_until_the_final_invoke(
    app: App, records: list[Any]
) -> None:
    half = len(records) // 2
    base = {
        "window": WINDOW,
        "shardId": "s",
        "eventSourceARN": "arn",
        "isWindowTerminatedEarly": False,
    }
    first = lambda_handlers.fraud_handler(
        {**base, "Records": records[:half], "state": {}, "isFinalInvokeForWindow": False}, None
    )
    second = lambda_handlers.fraud_handler(
        {
            **base,
            "Records": records[half:],
            "state": first["state"],
            "isFinalInvokeForWindow": False,
        },
        None,
    )
    assert second["state"]["profiles"]["A1"]["applied_seq"] == 13
    assert app.fraud_store.profile("A1") is None  # not written before the window ends
    assert [a.rule for a in app.fraud_store.alerts(["2030-01-01"])] == ["velocity"]
    final = lambda_handlers.fraud_handler(
        {**base, "Records": [], "state": second["state"], "isFinalInvokeForWindow": True}, None
    )
    assert final == {"batchItemFailures": [], "state": {}}
    profile = app.fraud_store.profile("A1")
    assert profile is not None and profile.applied_seq == 13
