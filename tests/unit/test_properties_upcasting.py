"""Event schema versions: every stored version reads back as today's model (the upcaster
chain), a future version is refused, and the codec's round trip holds for the new fields."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given

from acme_base.aws import deserialize, serialize
from processor.domain.events import LedgerEvent
from processor.storage.codec import event_to_item, item_to_event
from processor.storage.upcasting import CURRENT, UPCASTERS, upcast
from tests.property.rules_strategies import rules_events, stored_versions


@given(event=rules_events())
def test_given_any_event_when_stored_by_any_version_then_it_reads_as_todays_model(
    event: LedgerEvent,
) -> None:
    """GIVEN any event (limits, tracing, new types) WHEN its item is written as version
    1..CURRENT stored it, through DynamoDB's typed form, THEN it reads back as today's event;
    version 1 (no recorded_at) reads its recorded_at as its occurred_at."""
    for version, item in stored_versions(event):
        back = item_to_event(deserialize(json.loads(json.dumps(serialize(item)))))
        expected = event
        if version == 1:
            expected = replace(event, recorded_at=event.occurred_at)
        assert back == expected, version
        assert type(back) is type(event)


@given(event=rules_events())
def test_given_any_event_when_encoded_then_it_carries_the_current_schema_version(
    event: LedgerEvent,
) -> None:
    item = event_to_item(event)
    assert item["schema_version"] == CURRENT
    assert ("limits" in item) == (event.limits is not None)
    assert ("metadata" in item) == (event.metadata is not None)


def test_given_a_raw_version_1_item_when_read_then_todays_model() -> None:
    item = {
        "PK": "ACCT#A1", "SK": "TXN#000000000001", "entity": "txn", "account_id": "A1",
        "seq": 1, "txn_id": "T1", "currency": "USD", "amount": 500, "balance_after": 500,
        "occurred_at": "2020-01-02T03:04:05Z", "event_type": "FundsCredited",
        "kind": "credit", "status": "approved", "txn_date": "2020-01-02",
    }  # fmt: skip
    event = item_to_event(item)
    assert event.recorded_at == event.occurred_at and event.limits is None
    assert event_to_item(event)["schema_version"] == CURRENT


def test_given_a_version_from_the_future_when_read_then_refused() -> None:
    with pytest.raises(ValueError, match="schema_version"):
        upcast({"event_type": "FundsCredited", "schema_version": CURRENT + 1})


def test_every_version_step_has_an_upcaster() -> None:
    assert {version for _, version in UPCASTERS} == set(range(1, CURRENT))
