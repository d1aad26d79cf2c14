"""The event store contract for issue 11's pendings, on the twin and on DynamoDB Local: an
event's open pendings (a list of maps) come back as written, the head gives them to the state,
and a pending's resolution claim (``resolve#<txn>``) is taken once: a second append claiming
it is ``TxnIdsTaken`` naming it, and nothing of that append is written."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from acme_base.keys import resolution_claim
from processor.domain.commands import Linked, OpenAccount, parse_command
from processor.domain.decide import AccountState, apply_all, decide
from processor.domain.events import LedgerEvent
from processor.domain.linked import decide_linked
from processor.domain.outcomes import outcome_of
from processor.storage.memory import MemoryEventStore
from processor.storage.pending_index import OpenPending
from processor.storage.ports import EventStore, IdempotencyRecord, TxnIdsTaken, check_append
from processor.storage.store import DynamoEventStore
from tests.customer_support import register_in

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Iterator[EventStore]:
    if request.param == "memory":
        memory = MemoryEventStore()
        register_in(memory, "C1")
        yield memory
        return
    settings = request.getfixturevalue("settings")
    dynamo = DynamoEventStore(request.getfixturevalue("client"), settings.ledger_table)
    register_in(dynamo, "C1")
    yield dynamo


def _append(
    store: EventStore, states: dict[str, AccountState], raw: dict[str, object]
) -> list[LedgerEvent]:
    cmd = parse_command(raw)
    events = decide(states, cmd, T0)
    opening = cmd if isinstance(cmd, OpenAccount) else None
    records = [] if opening else [IdempotencyRecord(str(raw["txn_id"]), "f", outcome_of(events))]
    store.append(events, records, opening=opening)
    states.update(apply_all(states, events))
    return events


def _funded_hold(store: EventStore) -> dict[str, AccountState]:
    states: dict[str, AccountState] = {}
    _append(store, states, {"type": "open_account", "account_id": "A", "customer_id": "C1"})
    _append(store, states, {"type": "credit", "txn_id": "F", "account_id": "A", "amount": "9"})
    _append(
        store, states,
        {"type": "debit", "txn_id": "H", "account_id": "A", "amount": "4", "pending": True},
    )  # fmt: skip
    return states


def test_given_an_event_with_open_pendings_when_read_back_then_they_are_equal(
    store: EventStore,
) -> None:
    states = _funded_hold(store)
    head = store.head("A")
    assert head is not None and head.pendings == states["A"].pendings
    state = store.state("A")  # from the head alone (which does not know the customer)
    assert state == replace(states["A"], customer_id="")
    assert store.replay("A") is not None


def test_given_a_taken_resolution_claim_when_claimed_again_then_txn_ids_taken(
    store: EventStore,
) -> None:
    states = _funded_hold(store)
    void = decide(states, parse_command(
        {"type": "void_pending", "txn_id": "V", "pending_txn_id": "H"}), T0)  # fmt: skip
    claim = IdempotencyRecord(resolution_claim("H"), "resolution", outcome_of(void))
    store.append(void, [IdempotencyRecord("V", "f", outcome_of(void)), claim])
    later = apply_all(states, void)
    other = decide(later, parse_command(
        {"type": "debit", "txn_id": "D", "account_id": "A", "amount": "1"}), T0)  # fmt: skip
    with pytest.raises(TxnIdsTaken) as taken:
        store.append(other, [IdempotencyRecord("D", "f", outcome_of(other)), claim])
    assert taken.value.txn_ids == [resolution_claim("H")]
    assert store.idempotency_record("D") is None
    state = store.state("A")
    assert state is not None and state.seq == later["A"].seq


# --- the open-pending markers (the sweeper's expiry index, processor.storage.pending_index)
# --------

LATER = T0 + timedelta(days=2)  # past the default one-day timeout


def test_given_a_placed_pending_when_its_expiry_passes_then_its_marker_is_found(
    store: EventStore,
) -> None:
    # GIVEN a hold placed at T0 (the default timeout: one day)
    _funded_hold(store)
    # WHEN the expiry index is asked before and after its expiry
    before = list(store.expired_pendings(T0 + timedelta(hours=23)))
    after = list(store.expired_pendings(LATER))
    # THEN only after, with the hold's account and expiry; its claim is still free
    assert before == []
    assert after == [OpenPending("H", ("A",), T0 + timedelta(days=1))]
    assert store.idempotency_record(resolution_claim("H")) is None


def test_given_a_pending_transfer_then_one_marker_names_both_accounts(
    store: EventStore,
) -> None:
    states = _funded_hold(store)
    _append(store, states, {"type": "open_account", "account_id": "B", "customer_id": "C1"})
    _append(
        store, states,
        {"type": "transfer", "txn_id": "T", "from_account": "A", "to_account": "B",
         "amount": "1", "pending": True, "timeout_s": 60},
    )  # fmt: skip
    found = {m.pending_txn_id: m.accounts for m in store.expired_pendings(LATER)}
    assert found == {"H": ("A",), "T": ("A", "B")}


def test_given_a_resolution_when_appended_then_its_claim_replaces_the_marker(
    store: EventStore,
) -> None:
    # GIVEN an open hold; WHEN it is voided (events, record and claim in one append)
    states = _funded_hold(store)
    void = decide(states, parse_command(
        {"type": "void_pending", "txn_id": "V", "pending_txn_id": "H"}), T0)  # fmt: skip
    claim = IdempotencyRecord(resolution_claim("H"), "resolution", outcome_of(void))
    store.append(void, [IdempotencyRecord("V", "f", outcome_of(void)), claim])
    # THEN the marker is gone and the claim reads as the void's
    assert list(store.expired_pendings(LATER)) == []
    record = store.idempotency_record(resolution_claim("H"))
    assert record is not None and record.outcome.status == "voided"


def test_given_a_pending_placed_and_resolved_in_one_append_then_no_marker(
    store: EventStore,
) -> None:
    # GIVEN a linked batch placing a hold and voiding it
    states = _funded_hold(store)
    batch = {"type": "linked", "txn_id": "L", "legs": [
        {"type": "debit", "txn_id": "L1", "account_id": "A", "amount": "1", "pending": True},
        {"type": "void_pending", "txn_id": "L2", "pending_txn_id": "L1"}]}  # fmt: skip
    linked = parse_command(batch)
    assert isinstance(linked, Linked)
    events = decide_linked(states, linked, T0).events
    claim = IdempotencyRecord(resolution_claim("L1"), "resolution", outcome_of(events))
    records = [IdempotencyRecord(t, "f", outcome_of(events)) for t in ("L", "L1", "L2")]
    records.append(claim)
    # WHEN appended THEN the batch is written, and only the older hold H has a marker
    store.append(events, records)
    assert [m.pending_txn_id for m in store.expired_pendings(LATER)] == ["H"]
    assert store.idempotency_record(resolution_claim("L1")) is not None


def test_given_an_append_whose_markers_overflow_the_transaction_then_refused() -> None:
    # GIVEN a hold's events and 99 records: 100 items, plus its marker: 101
    memory = MemoryEventStore()
    register_in(memory, "C1")
    states = _funded_hold(memory)
    hold = decide(states, parse_command(
        {"type": "debit", "txn_id": "H2", "account_id": "A", "amount": "1", "pending": True}),
        T0)  # fmt: skip
    records = [IdempotencyRecord(f"R{i}", "f", outcome_of(hold)) for i in range(99)]
    # WHEN checked THEN refused: the marker counts against the 100 actions
    with pytest.raises(ValueError, match="not 101"):
        check_append(hold, records)
