"""The event store contract for ``SeqTaken.seen``: a lost seq race returns the winner's events.

Both implementations hand back the events found on the taken ``(account, seq)`` keys, so a
losing writer can adopt the newest as its head without re-reading (``processor.services.appends``).
"""

from __future__ import annotations

import pytest

from processor.storage.ports import EventStore, SeqTaken
from tests.contract.test_event_store_contract import credit, opened, record, store

__all__ = ["store"]  # the parametrised fixture (memory, dynamodb)


def test_given_taken_seqs_when_appending_then_seq_taken_carries_the_winners_events(
    store: EventStore,
) -> None:
    # GIVEN A1 opened with two credits (seqs 1 and 2, written by "another writer")
    written = opened(store, "A1", credits=2)
    # WHEN a stale writer claims seqs 1..3 for its own credits
    with pytest.raises(SeqTaken) as lost:
        store.append(
            [credit("A1", 1, 999, txn="S1"), credit("A1", 2, 999, txn="S2")],
            [record("S1"), record("S2")],
        )
    # THEN the failure names exactly the winners' events on the taken seqs, field for field
    assert sorted(lost.value.seen, key=lambda e: e.seq) == written[1:3]


def test_given_a_taken_seq_when_appending_then_seen_never_holds_our_own_events(
    store: EventStore,
) -> None:
    # GIVEN A1 at seq 1
    opened(store, "A1", credits=1)
    # WHEN a writer claims seq 1 (taken) and seq 2 (free)
    with pytest.raises(SeqTaken) as lost:
        store.append(
            [credit("A1", 1, 5, txn="S1"), credit("A1", 2, 10, txn="S2")],
            [record("S1"), record("S2")],
        )
    # THEN only the event that was already there comes back (not the loser's, nor seq 2)
    assert [(e.seq, e.txn_id) for e in lost.value.seen] == [(1, "A1-1")]
