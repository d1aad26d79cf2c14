"""Write path on a real DynamoDB Local: conditional appends, idempotency, bad input.

The ledger's behaviour tests (``TestOnEitherStore``) also run on the in-memory store, which
the contract suite holds to the DynamoDB adapter's semantics; the tests that look at raw
items, indexes or an unreachable endpoint are DynamoDB's alone.
"""

from __future__ import annotations

from typing import Any

import pytest

from acme_base.aws import serialize
from acme_base.errors import BackendUnavailable
from acme_base.keys import account_pk, seq_sk
from processor.domain.events import FundsCredited
from processor.services.ledger import Ledger
from processor.storage.memory import MemoryEventStore
from processor.storage.ports import EventStore, SeqTaken
from processor.storage.store import DynamoEventStore
from tests.customer_support import register_in, registration


def _open(ledger: Ledger, *accounts: str, fund: str | None = None) -> None:
    register_in(ledger.store, "C1")  # an opening needs a registered customer
    for acct in accounts:
        assert (
            ledger.submit_raw(
                {
                    "type": "open_account",
                    "occurred_at": "2000-01-01T00:00:00Z",
                    "account_id": acct,
                    "customer_id": "C1",
                }
            ).status
            == "opened"
        )
        if fund:
            ledger.submit_raw(
                {"type": "credit", "txn_id": f"fund-{acct}", "account_id": acct, "amount": fund}
            )


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


BAD_INPUTS = [
    ('{"type":"credit","txn_id":"B1","account_id":"A1","amount":"1"', "malformed JSON"),
    ('{"type":"credit","txn_id":"B2","account_id":"A1","amount":"1","memo":"x"}', "memo"),
    ('{"type":"credit","txn_id":"B3","account_id":"A1","amount":2.5}', "float"),
    ('{"type":"debit","txn_id":"B4","account_id":"A1","amount":"-3"}', "positive"),
    ('{"type":"credit","txn_id":"B5","account_id":"NOPE","amount":"1"}', "unknown account"),
    (
        '{"type":"transfer","txn_id":"B6","from_account":"A1","to_account":"NOPE","amount":"1"}',
        "unknown account",
    ),
    ('{"type":"credit","txn_id":"B7","account_id":"A1","amount":"99999999999"}', "amount"),
    ('{"type":"credit","txn_id":"B8","account_id":"A1","amount":"1","currency":"EUR"}', "currency"),
    ('{"type":"open_account","account_id":"A1","customer_id":"OTHER"}', "already exists"),
    ('{"type":"open_account","account_id":"A9","customer_id":"C9"}', "unknown customer: 'C9'"),
    ('{"type":"open_account","account_id":"A9","customer_id":"C1","phone":"+1212"}', "phone"),
    ('{"type":"open_account","account_id":"A9","customer_id":"C1","state":"NY"}', "state: Extra"),
]


@pytest.mark.parametrize(("line", "fragment"), BAD_INPUTS)
def test_given_bad_input_when_submitted_then_rejected_with_reason_and_nothing_written(
    ledger: Ledger, client: Any, store: DynamoEventStore, line: str, fragment: str
) -> None:
    _open(ledger, "A1", fund="1.00")
    register_in(store, "OTHER")  # registered, so the opening fails on the account id alone
    before = _item_count(client, store.table)
    outcome = ledger.submit_raw(line)
    assert outcome.status == "rejected"
    assert fragment in (outcome.error or "")
    assert _item_count(client, store.table) == before


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


class TestOnEitherStore:
    """The ledger's behaviour, on the in-memory store and on DynamoDB Local alike."""

    @pytest.fixture(params=["memory", "dynamodb"])
    def store(self, request: pytest.FixtureRequest) -> EventStore:
        if request.param == "memory":
            return MemoryEventStore()
        settings = request.getfixturevalue("settings")
        return DynamoEventStore(request.getfixturevalue("client"), settings.ledger_table)

    @pytest.fixture
    def ledger(self, store: EventStore) -> Ledger:
        return Ledger(store)

    def test_given_same_txn_twice_when_submitted_then_duplicate_with_original_fields(
        self, ledger: Ledger, store: EventStore
    ) -> None:
        _open(ledger, "A1", fund="100.00")
        cmd = {"type": "debit", "txn_id": "T2", "account_id": "A1", "amount": "30.50"}
        first = ledger.submit_raw(cmd)
        ledger.submit_raw({"type": "debit", "txn_id": "T3", "account_id": "A1", "amount": "1"})
        again = ledger.submit_raw(dict(cmd, amount="30.5"))  # same payload, other spelling
        assert first.status == "approved" and first.balance_after == "69.50"
        assert again.status == "duplicate" and again.original_status == "approved"
        assert (again.seq, again.balance_after) == (first.seq, first.balance_after)
        assert [e.txn_id for e in store.events("A1")].count("T2") == 1

    def test_given_reused_txn_id_with_other_payload_when_submitted_then_rejected_nothing_written(
        self, ledger: Ledger, store: EventStore
    ) -> None:
        _open(ledger, "A1", "A2", fund="100.00")
        assert (
            ledger.submit_raw(
                {"type": "credit", "txn_id": "T9", "account_id": "A1", "amount": "1"}
            ).status
            == "approved"
        )
        before = [list(store.events(a)) for a in ("A1", "A2")]
        for other in (
            {"type": "credit", "txn_id": "T9", "account_id": "A1", "amount": "2"},
            {
                "type": "transfer",
                "txn_id": "T9",
                "from_account": "A2",
                "to_account": "A1",
                "amount": "1",
            },
        ):
            outcome = ledger.submit_raw(other)
            assert outcome.status == "rejected"
            assert "already used" in (outcome.error or "")
        assert [list(store.events(a)) for a in ("A1", "A2")] == before

    def test_given_transfer_when_approved_or_declined_then_both_legs_or_one_sender_event(
        self, ledger: Ledger, store: EventStore
    ) -> None:
        _open(ledger, "A1", "A2", fund="10.00")
        ok = ledger.submit_raw(
            {
                "type": "transfer",
                "txn_id": "X1",
                "from_account": "A1",
                "to_account": "A2",
                "amount": "4.00",
            }
        )
        no = ledger.submit_raw(
            {
                "type": "transfer",
                "txn_id": "X2",
                "from_account": "A1",
                "to_account": "A2",
                "amount": "7.00",
            }
        )
        assert (ok.status, ok.balance_after, ok.to_balance_after) == ("approved", "6.00", "14.00")
        assert (no.status, no.reason) == ("declined", "low_balance")
        kinds = {
            a: [(e.txn_id, e.kind, e.status) for e in store.events(a)][2:] for a in ("A1", "A2")
        }
        assert kinds == {
            "A1": [("X1", "transfer_out", "approved"), ("X2", "transfer_out", "declined")],
            "A2": [("X1", "transfer_in", "approved")],
        }

    def test_given_open_account_twice_when_same_attributes_then_duplicate(
        self, ledger: Ledger
    ) -> None:
        register_in(ledger.store, "C7")  # phone, state and statuses are the customer's now
        cmd = {
            "type": "open_account",
            "occurred_at": "2000-01-01T00:00:00Z",
            "account_id": "A7",
            "customer_id": "C7",
            "currency": "EUR",
        }
        assert ledger.submit_raw(cmd).status == "opened"
        assert ledger.submit_raw(cmd).status == "duplicate"

    def test_given_stale_cached_head_when_another_writer_appended_then_retry_gives_right_balance(
        self, ledger: Ledger, store: EventStore
    ) -> None:
        # GIVEN a ledger that cached A1's head from its own last commit
        _open(ledger, "A1", fund="10.00")
        other = Ledger(store)  # its own head cache and queues, as another process has
        # WHEN another writer (another process, say) appends behind its back
        assert (
            other.submit_raw(
                {"type": "debit", "txn_id": "O1", "account_id": "A1", "amount": "4.00"}
            ).balance_after
            == "6.00"
        )
        # THEN the first ledger's next write loses the seq race, re-reads and lands correctly
        outcome = ledger.submit_raw(
            {"type": "debit", "txn_id": "O2", "account_id": "A1", "amount": "5.00"}
        )
        assert (outcome.status, outcome.seq, outcome.balance_after) == ("approved", 3, "1.00")
        assert ledger.stats["retries"] == 1
        declined = ledger.submit_raw(
            {"type": "debit", "txn_id": "O3", "account_id": "A1", "amount": "5.00"}
        )
        assert (declined.status, declined.balance_after) == ("declined", "1.00")
