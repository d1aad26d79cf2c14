"""Write path on a real DynamoDB Local: conditional appends, raw items, the sparse index, an
unreachable endpoint. The ledger's behaviour (idempotency, bad input, transfers) runs on the
twins, two of its paths on both backends (tests/app/test_write_path.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from acme_base.aws import serialize
from acme_base.errors import BackendUnavailable
from acme_base.keys import account_pk, seq_sk
from processor.domain.events import FundsCredited
from processor.services.ledger import Ledger
from processor.storage.ports import SeqTaken
from processor.storage.store import DynamoEventStore
from tests.app.test_write_path import _open
from tests.customer_support import registration


def _item_count(client: Any, table: str) -> int:
    return sum(p["Count"] for p in client.get_paginator("scan").paginate(TableName=table))


def test_given_taken_seq_when_appending_then_seq_taken_and_nothing_written(
    ledger: Ledger, store: DynamoEventStore, client: Any
) -> None:
    _open(ledger, "A1", fund="10.00")
    head = store.head("A1")
    assert head is not None
    stale = FundsCredited(
        account_id="A1",
        seq=head.seq,
        txn_id="X",
        currency="USD",
        amount=1,
        balance_after=1,
        occurred_at=head.occurred_at,
    )
    before = _item_count(client, store.table)
    with pytest.raises(SeqTaken):
        store.append([stale], [])
    assert _item_count(client, store.table) == before


def test_given_declined_debit_when_submitted_then_recorded_with_sparse_reason(
    ledger: Ledger, client: Any, store: DynamoEventStore
) -> None:
    _open(ledger, "A1", fund="5.00")
    outcome = ledger.submit_raw(
        {
            "type": "debit",
            "txn_id": "T1",
            "account_id": "A1",
            "amount": "9.99",
            "occurred_at": "2022-06-19T10:00:00Z",
        }
    )
    assert (outcome.status, outcome.reason, outcome.balance_after) == (
        "declined",
        "low_balance",
        "5.00",
    )
    resp = client.query(
        TableName=store.table,
        IndexName="GSI_Sparse_TXN_Declined",
        KeyConditionExpression="txn_declined_reason = :r AND txn_date = :d",
        ExpressionAttributeValues=serialize({":r": "low_balance", ":d": "2022-06-19"}),
    )
    assert [i["txn_id"]["S"] for i in resp["Items"]] == ["T1"]


def test_given_unreachable_endpoint_when_reading_then_backend_unavailable() -> None:
    from acme_base.aws import dynamodb_client
    from acme_base.settings import Settings

    settings = Settings(
        endpoint_url="http://127.0.0.1:9",
        access_key="x",
        secret_key="x",
        max_attempts=1,
        connect_timeout=0.5,
    )
    store = DynamoEventStore(dynamodb_client(settings), settings.ledger_table)
    with pytest.raises(BackendUnavailable, match="unreachable"):
        store.head("A1")


def test_given_raw_item_keys_then_events_live_under_account_partition(
    ledger: Ledger, client: Any, store: DynamoEventStore
) -> None:
    _open(ledger, "A1", fund="3.00")
    item = client.get_item(
        TableName=store.table, Key=serialize({"PK": account_pk("A1"), "SK": seq_sk(1)})
    )["Item"]
    assert item["amount"] == {"N": "300"}  # integer minor units in storage
    assert item["balance_after"] == {"N": "300"}
    assert "txn_declined_reason" not in item  # sparse: only declined events carry it


def test_given_an_opening_then_account_and_customer_items_are_written_with_the_event(
    ledger: Ledger, client: Any, store: DynamoEventStore
) -> None:
    # GIVEN a registered customer with a state and a status, and two accounts opened for it
    # (issue 9: the customer item comes from register_customer, no longer from openings)
    phone = "+12125550005"
    reg = registration("C5", phone=phone, state="NY", special_status=["student"])
    assert ledger.submit_raw(reg).status == "registered"
    base = {"type": "open_account", "occurred_at": "2000-01-01T00:00:00Z", "customer_id": "C5"}
    ledger.submit_raw({**base, "account_id": "A5"})
    ledger.submit_raw({**base, "account_id": "A6"})
    # WHEN the customer's partition is read
    items = client.query(
        TableName=store.table,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues=serialize({":pk": "CUST#C5"}),
    )["Items"]
    by_sk = {i["SK"]["S"]: i for i in items}
    # THEN it holds both account items and the customer item
    assert sorted(by_sk) == ["ACCT#A5", "ACCT#A6", "CUST#C5"]
    assert by_sk["ACCT#A5"]["INV_PK"] == {"S": "ACCT#A5"}
    opened = next(iter(store.events("A5")))
    assert by_sk["ACCT#A5"]["opened_at"] == {"S": opened.occurred_at.isoformat()}
    customer = by_sk["CUST#C5"]
    assert (customer["GSI1PK"], customer["GSI2PK"]) == ({"S": f"PHONE#{phone}"}, {"S": "STATE#NY"})
    assert customer["special_status"] == {"SS": ["student"]}


def test_given_unreachable_backend_when_submitting_then_failed_outcome_not_exception() -> None:
    from acme_base.aws import dynamodb_client
    from acme_base.settings import Settings

    settings = Settings(
        endpoint_url="http://127.0.0.1:9",
        access_key="x",
        secret_key="x",
        max_attempts=1,
        connect_timeout=0.5,
    )
    ledger = Ledger(DynamoEventStore(dynamodb_client(settings), settings.ledger_table))
    outcome = ledger.submit_raw(
        {"type": "credit", "txn_id": "F1", "account_id": "A1", "amount": "1.00"}
    )
    assert (outcome.status, outcome.txn_id) == ("failed", "F1")
    assert "unreachable" in (outcome.error or "")
