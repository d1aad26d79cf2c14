"""The pending sweeper finds expired pendings on the expiry index, not by a scan (issue 11
item 1, ``processor.storage.pending_index``): exactly the expired, unresolved ones, idempotently, on
the twin (hypothesis over random placements, resolutions and clocks) and on DynamoDB Local
(the store's calls recorded: Queries on ``GSI_Sparse_Pending_Expiry``, never a Scan)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acme_base.settings import Settings
from acme_base.tables import GSI_PENDING_EXPIRY
from processor.domain.events import LedgerEvent
from processor.domain.pending_model import MAX_HOLDS_PER_SENDER, MAX_LEGS
from processor.services.ledger import Ledger
from processor.storage.memory import MemoryEventStore
from processor.storage.store import DynamoEventStore
from tests.customer_support import register_in

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ACCOUNTS = ("A", "B", "C")


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class NoScanStore(MemoryEventStore):
    """The twin, refusing the whole-log read the old sweeper made."""

    def all_events(self) -> Iterator[LedgerEvent]:
        raise AssertionError("the sweeper scanned the log")


class Recording:
    """A DynamoDB client that notes every operation (and each paginated one) it serves."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        real = getattr(self.inner, name)
        if name == "get_paginator":
            return lambda op: _RecordingPaginator(real(op), op, self.calls)

        def noted(**kwargs: Any) -> Any:
            self.calls.append((name, kwargs))
            return real(**kwargs)

        return noted


class _RecordingPaginator:
    def __init__(self, inner: Any, op: str, calls: list[tuple[str, dict[str, Any]]]) -> None:
        self.inner, self.op, self.calls = inner, op, calls

    def paginate(self, **kwargs: Any) -> Any:
        self.calls.append((self.op, kwargs))
        return self.inner.paginate(**kwargs)


def open_ledger(store: Any, clock: Clock) -> Ledger:
    register_in(store, "C1")
    ledger = Ledger(store, clock=clock)
    for account in ACCOUNTS:
        ledger.submit_raw({"type": "open_account", "account_id": account, "customer_id": "C1"})
        ledger.submit_raw({"type": "credit", "txn_id": f"F{account}", "account_id": account,
                           "amount": "1000"})  # fmt: skip
    return ledger


def place(ledger: Ledger, txn: str, account: str, to: str | None, timeout: int) -> str:
    raw: dict[str, Any] = {"txn_id": txn, "amount": "1", "pending": True, "timeout_s": timeout}
    if to is None:
        raw.update(type="debit", account_id=account)
    else:
        raw.update(type="transfer", from_account=account, to_account=to)
    return ledger.submit_raw(raw).status


place_step = st.tuples(
    st.just("place"), st.sampled_from(ACCOUNTS), st.sampled_from((None, *ACCOUNTS)),
    st.sampled_from((60, 600, 3600)),
)  # fmt: skip
resolve_step = st.tuples(st.sampled_from(("post", "void")), st.integers(0, 30))
clock_step = st.tuples(st.just("wait"), st.sampled_from((30, 600, 4000)))
sweep_step = st.tuples(st.just("sweep"))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(st.one_of(place_step, resolve_step, clock_step, sweep_step), max_size=30),
    final_wait=st.sampled_from((0, 600, 4000)),
)
def test_given_random_pendings_when_swept_then_exactly_the_expired_open_ones(
    steps: list[tuple[Any, ...]], final_wait: int
) -> None:
    # GIVEN pendings placed, posted or voided as the clock moves (the twin, no scan allowed)
    clock, store = Clock(), NoScanStore()
    ledger = open_ledger(store, clock)
    model: dict[str, datetime] = {}  # the open pendings, by expiry (what the sweeper owes)
    for n, step in enumerate(steps):
        if step[0] == "place":
            _, account, to, timeout = step
            if place(ledger, f"P{n}", account, None if to == account else to, timeout) == "pending":
                model[f"P{n}"] = clock.now + timedelta(seconds=timeout)
        elif step[0] in {"post", "void"} and model:
            txn = sorted(model)[step[1] % len(model)]
            out = ledger.submit_raw({"type": f"{step[0]}_pending", "txn_id": f"R{n}",
                                     "pending_txn_id": txn})  # fmt: skip
            assert (out.status in {"posted", "voided"}) == (clock.now < model[txn])
            if out.status in {"posted", "voided"}:
                del model[txn]
        elif step[0] == "wait":
            clock.now += timedelta(seconds=step[1])
        elif step[0] == "sweep":
            model = sweep_and_check(ledger, clock, model)
        # THEN the markers are the open pendings (the expired ones until swept)
        markers = store.expired_pendings(datetime.max.replace(tzinfo=UTC))
        assert sorted(m.pending_txn_id for m in markers) == sorted(model)
    clock.now += timedelta(seconds=final_wait)  # and a last sweep, later on
    left = sweep_and_check(ledger, clock, model)
    markers = store.expired_pendings(datetime.max.replace(tzinfo=UTC))
    assert sorted(m.pending_txn_id for m in markers) == sorted(left)


def sweep_and_check(
    ledger: Ledger, clock: Clock, model: dict[str, datetime]
) -> dict[str, datetime]:
    """WHEN swept THEN exactly the open pendings expired by now, each once (and a second
    sweep writes nothing): returns the pendings still open."""
    expired = sorted(t for t, at in model.items() if at <= clock.now)
    swept = ledger.expire_pending()
    assert sorted({o.pending_txn_id or "" for o in swept}) == expired
    assert len(swept) == len(expired)
    assert ledger.expire_pending() == []  # idempotent
    return {t: at for t, at in model.items() if at > clock.now}


@pytest.fixture
def recorded(settings: Settings, client: Any) -> tuple[Recording, Ledger, Clock]:
    recording, clock = Recording(client), Clock()
    ledger = open_ledger(DynamoEventStore(recording, settings.ledger_table), clock)
    return recording, ledger, clock


def test_given_dynamodb_when_swept_then_index_queries_and_no_scan(
    recorded: tuple[Recording, Ledger, Clock],
) -> None:
    # GIVEN a hold and a transfer expiring in a minute, a voided one, and a later one
    recording, ledger, clock = recorded
    assert place(ledger, "H1", "A", None, 60) == "pending"
    assert place(ledger, "T1", "A", "B", 60) == "pending"
    assert place(ledger, "T2", "B", "C", 60) == "pending"
    assert place(ledger, "T3", "C", "A", 3600) == "pending"
    void = {"type": "void_pending", "txn_id": "V2", "pending_txn_id": "T2"}
    assert ledger.submit_raw(void).status == "voided"
    # WHEN swept past the minute, twice
    clock.now += timedelta(minutes=5)
    recording.calls.clear()
    swept = ledger.expire_pending()
    again = ledger.expire_pending()
    # THEN the two open expired ones, once; by index Queries, no Scan
    assert sorted(o.pending_txn_id or "" for o in swept) == ["H1", "T1"]
    assert again == []
    operations = {name for name, _ in recording.calls}
    assert "scan" not in operations
    index_queries = [kw for name, kw in recording.calls if kw.get("IndexName")]
    assert index_queries and {kw["IndexName"] for kw in index_queries} == {GSI_PENDING_EXPIRY}
    # and only the later pending keeps a marker
    far = datetime.max.replace(tzinfo=UTC)
    assert [m.pending_txn_id for m in ledger.store.expired_pendings(far)] == ["T3"]


def test_given_a_pending_without_a_marker_when_swept_with_scan_then_it_expires(
    recorded: tuple[Recording, Ledger, Clock], settings: Settings
) -> None:
    # GIVEN an expired pending whose marker is missing (placed before the index existed)
    recording, ledger, clock = recorded
    assert place(ledger, "OLD", "A", "B", 60) == "pending"
    key = {"S": "TXN#resolve#OLD"}
    recording.inner.delete_item(TableName=settings.ledger_table, Key={"PK": key, "SK": key})
    clock.now += timedelta(minutes=5)
    # WHEN swept on the index, then with --scan THEN only the scan finds it
    assert ledger.expire_pending() == []
    swept = ledger.expire_pending(scan=True)
    assert [(o.status, o.pending_txn_id) for o in swept] == [("expired", "OLD")]
    assert ledger.expire_pending(scan=True) == []


def test_given_the_largest_linked_batch_of_pending_transfers_then_it_fits_with_its_markers(
    recorded: tuple[Recording, Ledger, Clock],
) -> None:
    # GIVEN MAX_LEGS pending transfers in one batch (each: 2 events, a record, a marker)
    # (to receivers in turn: one sender holds at most MAX_HOLDS_PER_SENDER slots of another
    # account's incoming pool, docs/pending.md)
    _, ledger, _ = recorded
    receivers = [f"R{n}" for n in range(-(-MAX_LEGS // MAX_HOLDS_PER_SENDER))]
    for account in receivers:
        ledger.submit_raw({"type": "open_account", "account_id": account, "customer_id": "C1"})
    legs = [
        {"type": "transfer", "txn_id": f"L{i}", "from_account": "A",
         "to_account": receivers[i % len(receivers)], "amount": "1", "pending": True}
        for i in range(MAX_LEGS)
    ]  # fmt: skip
    # WHEN submitted THEN approved in one transaction, with one marker per pending
    outcome = ledger.submit_raw({"type": "linked", "txn_id": "L", "legs": legs})
    assert outcome.status == "approved", outcome
    far = datetime.max.replace(tzinfo=UTC)
    assert len(list(ledger.store.expired_pendings(far))) == MAX_LEGS
