"""Offers (seed iteration 8) end to end on DynamoDB Local, through `submit`'s commands.

Every offer access pattern with the stored TTL attribute, TTL'd relationships hidden at once
and gone after DynamoDB Local's TTL sweep, concurrent answers with one winner, and the tables'
TTL setting. Expiry, unknown ids and audiences run on the twins (tests/app/test_offers.py).
"""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from acme_base.aws import deserialize, serialize
from acme_base.errors import InvalidInput
from acme_base.keys import customer_offer_key
from acme_txn.bootstrap import App
from processor.offers.model import ttl_epoch
from tests.app.test_offers import bank_on, submit
from tests.offer_support import (
    OFFER,
    Clock,
    add_customer,
    create_offer,
    respond,
)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def bank(app: App, clock: Clock) -> App:
    return bank_on(app, clock)


def offer_items(app: App) -> list[dict[str, Any]]:
    """Every offer and relationship item of the ledger table (a test may Scan)."""
    pages = app.dynamodb.get_paginator("scan").paginate(
        TableName=app.settings.ledger_table, ConsistentRead=True
    )
    items = [deserialize(i) for page in pages for i in page.get("Items", [])]
    return [i for i in items if i.get("entity") in {"offer", "customer_offer"}]


def test_given_a_sent_offer_when_each_pattern_is_queried_then_it_answers(
    bank: App, clock: Clock
) -> None:
    # GIVEN the offer sent to C1 and C3, and a second offer to C1; C1 accepts the first
    sent = submit(
        bank, clock, {"type": "send_offer", "offer_id": OFFER, "customer_ids": ["C1", "C3"]}
    )
    assert (sent.status, sent.to_json_dict()["sent"]) == ("sent", 2)
    assert submit(bank, clock, create_offer("01022030-2")).status == "created"
    submit(bank, clock, {"type": "send_offer", "offer_id": "01022030-2", "customer_ids": ["C1"]})
    assert submit(bank, clock, respond("C1")).status == "responded"
    queries = bank.offer_queries()
    # WHEN an offer's details are read THEN details and terms come back as created
    details = queries.offer(OFFER)
    assert (details["offer_date"], details["expires_on"]) == ("2030-01-02", "2030-03-01")
    assert details["details"] == {"kind": "card", "apr": "12.5", "limit": 5000}
    # WHEN a customer's offers are read THEN all of them, or the one asked for
    page = queries.for_customer("C1")
    assert [(r["offer_id"], r["status"]) for r in page.items] == [
        (OFFER, "ACCEPTED"),
        ("01022030-2", "PENDING"),
    ]
    assert [r["offer_id"] for r in queries.for_customer("C1", "01022030-2").items] == ["01022030-2"]
    # WHEN the status of an offer for a customer is read THEN it is the relationship's
    status = queries.status("C3", OFFER)
    assert (status["status"], status["responded_at"], status["delete_after"]) == (
        "PENDING",
        None,
        "2030-09-02T00:00:00+00:00",
    )
    # AND the inverted view lists the offer's customers
    assert [r["customer_id"] for r in queries.customers_of(OFFER).items] == ["C1", "C3"]
    # AND the stored relationship carries the TTL: 6 months after the end of the last day
    raw = bank.dynamodb.get_item(
        TableName=bank.settings.ledger_table, Key=serialize(customer_offer_key("C3", OFFER))
    )["Item"]
    assert int(raw["expires_at"]["N"]) == ttl_epoch(datetime(2030, 3, 1).date())
    assert raw["INV_PK"]["S"] == f"OFFER#{OFFER}"


def test_given_concurrent_answers_when_raced_then_exactly_one_is_responded(
    bank: App, clock: Clock
) -> None:
    submit(bank, clock, {"type": "send_offer", "offer_id": OFFER, "customer_ids": ["C1"]})
    ledgers = [bank.new_ledger(clock=clock) for _ in range(8)]  # own caches, shared client
    barrier, outcomes = threading.Barrier(8), []

    def answer(i: int) -> None:
        barrier.wait()
        outcomes.append(ledgers[i].submit_raw(respond("C1", ["ACCEPTED", "REJECTED"][i % 2])))

    threads = [threading.Thread(target=answer, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [o for o in outcomes if o.status == "responded"]
    assert len(winners) == 1
    won = winners[0].to_json_dict()["response"]
    for loser in (o.to_json_dict() for o in outcomes if o.status != "responded"):
        # the same answer is a duplicate of the winner, the other one is rejected
        assert loser["status"] == ("duplicate" if loser.get("response") == won else "rejected")
    assert bank.offer_queries().status("C1", OFFER)["status"] == won


def _send_2022_offer(app: App) -> None:
    """An offer of 2022, sent while it was live: its relationship's TTL (2022-09-02) passed."""
    clock = Clock(datetime(2022, 1, 2, tzinfo=UTC))
    ledger = app.new_ledger(clock=clock)
    add_customer(ledger, "C1", account="A1")
    assert ledger.submit_raw(create_offer("01022022-1", "2022-03-01")).status == "created"
    cmd = {"type": "send_offer", "offer_id": "01022022-1", "customer_ids": ["C1"]}
    assert ledger.submit_raw(cmd).status == "sent"


def test_given_a_relationship_past_its_ttl_when_read_then_it_is_hidden_at_once(
    app: App,
) -> None:
    # GIVEN a relationship past its TTL, still stored (DynamoDB deletes only eventually)
    _send_2022_offer(app)
    key = serialize(customer_offer_key("C1", "01022022-1"))
    assert "Item" in app.dynamodb.get_item(TableName=app.settings.ledger_table, Key=key)
    # WHEN read THEN every query hides it; the offer item itself (no TTL) stays readable
    queries = app.offer_queries()
    assert queries.for_customer("C1").items == []
    assert queries.for_customer("C1", "01022022-1").items == []
    assert queries.customers_of("01022022-1").items == []
    with pytest.raises(InvalidInput, match="deleted 6 months after"):
        queries.status("C1", "01022022-1")
    assert queries.offer("01022022-1")["offer_id"] == "01022022-1"


@pytest.mark.ttl_sweep
@pytest.mark.skipif(
    not os.environ.get("ACME_TTL_SWEEP"),
    reason="opt-in (ACME_TTL_SWEEP=1): DynamoDB Local 3.3.0 did not sweep TTL'd items of the "
    "ledger table (5 GSIs) within 300 s, though it sweeps a table without indexes in ~2 s",
)
def test_given_a_relationship_past_its_ttl_when_the_sweep_runs_then_it_is_gone(app: App) -> None:
    _send_2022_offer(app)
    key = serialize(customer_offer_key("C1", "01022022-1"))
    # poll until gone (a generous bound, no timing asserted)
    deadline = time.monotonic() + float(os.environ.get("ACME_TTL_SWEEP_SECONDS", "900"))
    while "Item" in app.dynamodb.get_item(TableName=app.settings.ledger_table, Key=key):
        assert time.monotonic() < deadline, "the backend never swept the expired item"
        time.sleep(2)
    assert app.offer_queries().offer("01022022-1")["offer_id"] == "01022022-1"


def test_given_the_tables_when_ensured_again_then_ttl_stays_enabled_on_expires_at(
    app: App,
) -> None:
    # GIVEN tables made by the fixture WHEN ensured twice more THEN nothing fails, TTL is on
    assert set(app.ensure_tables().values()) == {"exists"}
    assert set(app.ensure_tables().values()) == {"exists"}
    ttl = app.dynamodb.describe_time_to_live(TableName=app.settings.ledger_table)
    assert ttl["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": "expires_at",
    }
