"""The event store contract: one set of tests, every implementation of the port.

In the spirit of eventsourcing's ``tests/persistence.py``: each test runs on the in-memory
twin (``MemoryEventStore``) and on the DynamoDB adapter (``DynamoEventStore`` on DynamoDB
Local), so the twin the fast ledger tests rely on cannot drift from the real conditional
semantics: an append is all or nothing; a taken ``(account, seq)`` is ``SeqTaken``; taken txn
ids are ``TxnIdsTaken`` naming exactly those ids, and they win over a taken seq.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from processor.domain.commands import OpenAccount, parse_command
from processor.domain.decide import AccountState, decide
from processor.domain.events import (
    AccountOpened,
    DebitDeclined,
    FundsCredited,
    LedgerEvent,
    TransferReceived,
    TransferSent,
)
from processor.domain.outcomes import Outcome, outcome_of
from processor.storage.memory import MemoryEventStore
from processor.storage.ports import EventStore, IdempotencyRecord, SeqTaken, TxnIdsTaken
from processor.storage.store import DynamoEventStore
from tests.customer_support import register_in

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture(params=["memory", "dynamodb"])
def store(request: pytest.FixtureRequest) -> Iterator[EventStore]:
    """Each implementation of the port (DynamoDB Local only started for its own runs)."""
    if request.param == "memory":
        memory = MemoryEventStore()
        register_in(memory, "C1", "C2")  # an opening needs a registered customer
        yield memory
        return
    settings = request.getfixturevalue("settings")
    dynamo = DynamoEventStore(request.getfixturevalue("client"), settings.ledger_table)
    register_in(dynamo, "C1", "C2")
    yield dynamo


# --- builders -------------------------------------------------------------------------------


def opening(account: str, customer: str = "C1", currency: str = "USD") -> OpenAccount:
    return OpenAccount(
        type="open_account", account_id=account, customer_id=customer, currency=currency
    )


def open_event(cmd: OpenAccount) -> AccountOpened:
    (event,) = decide({}, cmd, T0)
    assert isinstance(event, AccountOpened)
    return event


def credit(account: str, seq: int, balance_after: int, txn: str | None = None) -> FundsCredited:
    return FundsCredited(
        account_id=account,
        seq=seq,
        txn_id=txn or f"{account}-{seq}",
        currency="USD",
        amount=100,
        balance_after=balance_after,
        occurred_at=T0 + timedelta(minutes=seq),
    )


def record(txn: str, event: LedgerEvent | None = None) -> IdempotencyRecord:
    outcome = outcome_of([event]) if event is not None else Outcome(txn_id=txn, status="approved")
    return IdempotencyRecord(txn, f"fp-{txn}", outcome)


def opened(store: EventStore, account: str, credits: int = 0) -> list[LedgerEvent]:
    """Open ``account`` and append ``credits`` credits of 1.00 each; the events written."""
    cmd = opening(account)
    events: list[LedgerEvent] = [open_event(cmd)]
    store.append(events, [], opening=cmd)
    for seq in range(1, credits + 1):
        event = credit(account, seq, 100 * seq)
        store.append([event], [record(event.txn_id, event)])
        events.append(event)
    return events


def decided(store: EventStore, **fields: str) -> list[LedgerEvent]:
    """The events ``decide`` makes of a command (txn X1, 0.60 unless given) on the stored heads."""
    cmd = parse_command({"txn_id": "X1", "amount": "0.60", **fields})
    accounts = [fields.get(k) for k in ("account_id", "from_account", "to_account")]
    states = {a: s for a in accounts if a and (s := store.state(a)) is not None}
    return decide(states, cmd, T0)


def log(store: EventStore, *accounts: str) -> dict[str, list[LedgerEvent]]:
    return {a: list(store.events(a)) for a in accounts}


# --- appends and reads ----------------------------------------------------------------------


def test_given_appended_events_when_read_back_then_equal_and_in_seq_order(
    store: EventStore,
) -> None:
    # GIVEN an opened account with three credits, appended one transaction each
    written = opened(store, "A1", credits=3)
    # WHEN its events are read THEN they are the appended ones, field for field, in order
    assert list(store.events("A1")) == written
    assert [e.seq for e in store.events("A1")] == [0, 1, 2, 3]


def test_given_several_events_in_one_append_then_all_stored_across_accounts(
    store: EventStore,
) -> None:
    # GIVEN two opened accounts, A1 holding 1.00
    opened(store, "A1", credits=1)
    opened(store, "A2")
    # WHEN one append carries both legs of a transfer, and another a declined debit
    sent, received = decided(store, type="transfer", from_account="A1", to_account="A2")
    store.append([sent, received], [record("X1", sent)])
    (declined,) = decided(store, type="debit", txn_id="D1", account_id="A2", amount="5")
    store.append([declined], [record("D1", declined)])
    # THEN each account's stream ends with its own events, typed as written
    assert [type(e) for e in (sent, received, declined)] == [
        TransferSent,
        TransferReceived,
        DebitDeclined,
    ]
    assert list(store.events("A1"))[-1] == sent
    assert list(store.events("A2"))[1:] == [received, declined]


def test_given_a_stream_when_reading_ranges_then_inclusive_bounds(store: EventStore) -> None:
    # GIVEN an account with seqs 0..5
    written = opened(store, "A1", credits=5)
    # WHEN ranges are read THEN both ends are inclusive, open-ended without to_seq
    assert list(store.events("A1", 2, 4)) == written[2:5]
    assert list(store.events("A1", 3)) == written[3:]
    assert list(store.events("A1", 0, 0)) == written[:1]
    assert list(store.events("A1", 5, 99)) == written[5:]
    assert list(store.events("A1", 6)) == []
    assert list(store.events("NOPE")) == []


def test_given_no_events_then_no_head_and_no_state(store: EventStore) -> None:
    assert store.head("NOPE") is None
    assert store.state("NOPE") is None
    assert store.replay("NOPE") is None


def test_given_an_opened_account_then_its_state_names_the_customer(store: EventStore) -> None:
    # GIVEN an account just opened WHEN its head and state are read
    (event,) = opened(store, "A1")
    # THEN the head is the AccountOpened event and the state carries its customer
    assert store.head("A1") == event
    assert store.state("A1") == AccountState("A1", "C1", "USD", 0, 0)
    assert store.replay("A1") == AccountState("A1", "C1", "USD", 0, 0)


def test_given_later_events_then_head_and_state_follow_the_latest(store: EventStore) -> None:
    # GIVEN an account with two credits
    written = opened(store, "A1", credits=2)
    # WHEN head and state are read THEN both come from the last event (its running balance)
    assert store.head("A1") == written[-1]
    assert store.state("A1") == AccountState("A1", "", "USD", 200, 2)
    assert store.replay("A1") == AccountState("A1", "C1", "USD", 200, 2)


def test_given_events_of_several_accounts_then_all_events_returns_exactly_them(
    store: EventStore,
) -> None:
    # GIVEN two accounts with events, plus idempotency and account records
    written = opened(store, "A1", credits=2) + opened(store, "A2", credits=1)
    # WHEN every event is read THEN exactly the events come back (no records, no accounts)
    key = lambda e: (e.account_id, e.seq)  # noqa: E731
    assert sorted(store.all_events(), key=key) == sorted(written, key=key)


def test_given_an_idempotency_record_then_it_round_trips(store: EventStore) -> None:
    # GIVEN a record holding a transfer's full outcome
    opened(store, "A1", credits=1)
    sent = credit("A1", 2, 200, txn="T7")
    original = IdempotencyRecord(
        "T7",
        "f" * 64,
        Outcome(
            txn_id="T7",
            status="approved",
            account_id="A1",
            seq=2,
            balance_after="2.00",
            to_account="A2",
            to_seq=4,
            to_balance_after="10.50",
        ),
    )
    store.append([sent], [original])
    # WHEN it is read back THEN it is equal; an unknown txn id has none
    assert store.idempotency_record("T7") == original
    assert store.idempotency_record("T8") is None


def test_given_records_and_open_pendings_then_all_records_returns_exactly_the_records(
    store: EventStore,
) -> None:
    # GIVEN two credits with their records, a pending transfer placed (its open marker sits on
    # its free resolution claim) and a record with no event
    opened(store, "A1", credits=2)
    opened(store, "A2")
    cmd = parse_command({"type": "transfer", "txn_id": "X1", "amount": "0.60", "pending": True,
                         "from_account": "A1", "to_account": "A2"})  # fmt: skip
    placed = decide({a: s for a in ("A1", "A2") if (s := store.state(a))}, cmd, T0)
    store.append(placed, [record("X1", placed[0])])
    store.append([], [record("R9")])
    assert len(list(store.expired_pendings(T0 + timedelta(days=365)))) == 1
    # WHEN every record is read THEN exactly the written records come back (no marker, no
    # event, no account), each equal to its single read
    got = sorted(store.all_records(), key=lambda r: r.txn_id)
    assert [r.txn_id for r in got] == ["A1-1", "A1-2", "R9", "X1"]
    assert got == [store.idempotency_record(r.txn_id) for r in got]
    assert got[-1] == record("X1", placed[0])


# --- conditional semantics -------------------------------------------------------------------


def test_given_a_taken_seq_when_appending_then_seq_taken_and_nothing_written(
    store: EventStore,
) -> None:
    # GIVEN A1 at seq 2 and A2 at seq 0
    opened(store, "A1", credits=2)
    opened(store, "A2")
    before = log(store, "A1", "A2")
    # WHEN one append claims a free seq on A2, A1's taken seq 2, and a fresh txn id
    with pytest.raises(SeqTaken):
        store.append(
            [credit("A2", 1, 100, txn="N1"), credit("A1", 2, 999, txn="N1")],
            [record("N1")],
        )
    # THEN nothing of it was written: neither event, nor its idempotency record
    assert log(store, "A1", "A2") == before
    assert store.idempotency_record("N1") is None


def test_given_taken_txn_ids_when_appending_then_exactly_those_ids_and_nothing_written(
    store: EventStore,
) -> None:
    # GIVEN txn ids T1 and T3 already recorded
    opened(store, "A1")
    store.append([credit("A1", 1, 100, txn="T1")], [record("T1")])
    store.append([credit("A1", 2, 200, txn="T3")], [record("T3")])
    before = log(store, "A1")
    # WHEN a group claims T1, T2, T3, T4 with free seqs
    events = [credit("A1", 3 + i, 300 + 100 * i, txn=t) for i, t in enumerate(["T1", "T2"])]
    with pytest.raises(TxnIdsTaken) as taken:
        store.append(events, [record(t) for t in ("T1", "T2", "T3", "T4")])
    # THEN the error names exactly T1 and T3, in order, and nothing was written
    assert taken.value.txn_ids == ["T1", "T3"]
    assert log(store, "A1") == before
    assert store.idempotency_record("T2") is None
    assert store.idempotency_record("T4") is None
    assert store.idempotency_record("T1") == record("T1")


def test_given_a_taken_seq_and_a_taken_txn_id_then_the_txn_ids_win(store: EventStore) -> None:
    # GIVEN A1 at seq 1 with txn id T1 recorded
    opened(store, "A1")
    store.append([credit("A1", 1, 100, txn="T1")], [record("T1")])
    # WHEN an append claims seq 1 again and T1 again (a resent command on a stale head)
    with pytest.raises(TxnIdsTaken) as taken:
        store.append([credit("A1", 1, 100, txn="T1")], [record("T1"), record("T2")])
    # THEN it is TxnIdsTaken (the caller answers the duplicate), naming only T1
    assert taken.value.txn_ids == ["T1"]
    assert store.idempotency_record("T2") is None


def test_given_an_open_account_when_opened_again_then_seq_taken_and_one_opening(
    store: EventStore,
) -> None:
    # GIVEN an opened account
    opened(store, "A1")
    # WHEN it is opened again, by the same customer and by another
    for customer in ("C1", "C2"):
        cmd = opening("A1", customer=customer)
        with pytest.raises(SeqTaken):
            store.append([open_event(cmd)], [], opening=cmd)
    # THEN the stream still holds the one AccountOpened of C1
    assert [(e.kind, e.seq) for e in store.events("A1")] == [("open", 0)]
    assert store.state("A1") == AccountState("A1", "C1", "USD", 0, 0)


MALFORMED: dict[str, Callable[[EventStore], None]] = {
    "one seq twice": lambda s: s.append([credit("A1", 1, 100), credit("A1", 1, 100)], []),
    "one txn id twice": lambda s: s.append([credit("A1", 1, 100)], [record("T1"), record("T1")]),
    "nothing": lambda s: s.append([], []),
    "over 100 items": lambda s: s.append(
        [credit("A1", n, 100 * n) for n in range(1, 52)],
        [record(f"T{n}") for n in range(1, 51)],
    ),
    "an opening without its event": lambda s: s.append(
        [credit("A1", 1, 100)], [record("T1")], opening=opening("A2")
    ),
}


@pytest.mark.parametrize("shape", list(MALFORMED))
def test_given_a_malformed_append_then_value_error_and_nothing_written(
    store: EventStore, shape: str
) -> None:
    # GIVEN an opened account
    opened(store, "A1")
    # WHEN an append no caller should make is made (AWS would refuse some as invalid, while
    # DynamoDB Local cancels them as failed conditions) THEN both stores refuse it up front
    with pytest.raises(ValueError, match=r"append|opening"):
        MALFORMED[shape](store)
    # AND nothing was written
    assert [e.seq for e in store.events("A1")] == [0]
    assert store.idempotency_record("T1") is None
    assert store.head("A2") is None


# --- concurrency -----------------------------------------------------------------------------


def race(n: int, attempt: Callable[[int], None]) -> list[BaseException | None]:
    """Run ``attempt(i)`` in ``n`` threads released together; each one's error or None."""
    barrier = threading.Barrier(n)
    results: list[BaseException | None] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            attempt(i)
        except BaseException as exc:  # reported to the test
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_given_threads_appending_the_same_seq_then_exactly_one_wins(store: EventStore) -> None:
    # GIVEN an opened account
    opened(store, "A1")
    # WHEN 8 threads append seq 1 at once, each with its own txn id
    results = race(
        8, lambda i: store.append([credit("A1", 1, 100, txn=f"R{i}")], [record(f"R{i}")])
    )
    # THEN exactly one wins, every other one lost the seq, and only the winner is stored
    winners = [i for i, r in enumerate(results) if r is None]
    assert len(winners) == 1, results
    assert all(isinstance(r, SeqTaken) for r in results if r is not None), results
    (event,) = store.events("A1", 1)
    assert event.txn_id == f"R{winners[0]}"
    recorded = [i for i in range(8) if store.idempotency_record(f"R{i}") is not None]
    assert recorded == winners


def test_given_threads_claiming_the_same_txn_id_then_exactly_one_wins(
    store: EventStore,
) -> None:
    # GIVEN 6 opened accounts
    for i in range(6):
        opened(store, f"A{i}")
    # WHEN 6 threads each append a free seq on their own account, all with txn id T1
    results = race(6, lambda i: store.append([credit(f"A{i}", 1, 100, txn="T1")], [record("T1")]))
    # THEN exactly one is written; the others lost a claim (a taken id, or DynamoDB's
    # transaction conflict, which the port reports as a lost race) and wrote nothing
    winners = [i for i, r in enumerate(results) if r is None]
    assert len(winners) == 1, results
    assert all(isinstance(r, SeqTaken | TxnIdsTaken) for r in results if r is not None)
    assert sum(len(list(store.events(f"A{i}", 1))) for i in range(6)) == 1
    (event,) = store.events(f"A{winners[0]}", 1)
    assert event.txn_id == "T1"
