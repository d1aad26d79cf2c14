"""Pure properties of the event codec: events <-> items <-> DynamoDB-typed images."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from acme_base.aws import deserialize, serialize
from acme_base.keys import seq_sk
from processor.domain.events import LedgerEvent
from processor.storage.codec import event_to_item, is_event_item, item_to_event
from tests.property.strategies import ledger_events


@given(event=ledger_events())
def test_event_round_trips_through_a_plain_item(event: LedgerEvent) -> None:
    """GIVEN any event WHEN turned into an item and back THEN it is equal, same type."""
    back = item_to_event(event_to_item(event))
    assert back == event
    assert type(back) is type(event)


@given(event=ledger_events())
def test_event_round_trips_through_dynamodb_typed_json(event: LedgerEvent) -> None:
    """GIVEN any event WHEN serialized to DynamoDB's typed form, sent as JSON (as a stream
    record's NewImage is) and deserialized THEN the same event comes back."""
    image = json.loads(json.dumps(serialize(event_to_item(event))))
    assert is_event_item(image)
    back = item_to_event(deserialize(image))
    assert back == event
    assert back.occurred_at == event.occurred_at and back.txn_date == event.txn_date


@given(event=ledger_events())
def test_item_keys_and_sparse_index_follow_the_event(event: LedgerEvent) -> None:
    """GIVEN any event WHEN encoded THEN the keys name its account and seq, the amount and
    balance are integers, and the sparse declined key is present exactly for declined events."""
    item = event_to_item(event)
    assert item["PK"] == f"ACCT#{event.account_id}"
    assert item["SK"] == seq_sk(event.seq)
    assert isinstance(item["amount"], int) and isinstance(item["balance_after"], int)
    assert ("txn_declined_reason" in item) == (not event.approved)
    assert item["txn_date"] == event.occurred_at.date().isoformat()


@given(seqs=st.lists(st.integers(0, 10**11), min_size=2, max_size=20, unique=True))
def test_sort_keys_order_like_sequence_numbers(seqs: list[int]) -> None:
    """GIVEN sequence numbers WHEN turned into sort keys THEN string order equals number order
    (the head query relies on it)."""
    assert sorted(seqs, key=seq_sk) == sorted(seqs)
