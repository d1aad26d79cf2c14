"""Many accounts per round trip (``processor.storage.append_batch``) on the in-memory twin: what
goes
into one transaction, what a partial cancellation does, and a property over any workload with
rival ledgers (the planted bugs of ``tests/property/batch_mutants.py`` must fail it)."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acme_base.retry import Backoff
from acme_txn.workload import (
    WorkloadSpec,
    customer_ids,
    funding_commands,
    mixed_commands,
    opening_commands,
)
from processor.domain.outcomes import Outcome
from processor.services.ledger import Ledger
from processor.storage.append_batch import (
    AppendBatcher,
    AppendRequest,
    Results,
    _Waiting,
    take_batch,
)
from processor.storage.memory import MemoryEventStore
from tests.contract.test_event_store_contract import credit, record
from tests.customer_support import register_in
from tests.unit.test_ledger_memory import FAST, assert_ledger_sound, run_concurrently

NO_SLEEP = Backoff(max_attempts=50, base_delay=0, max_delay=0, sleeper=lambda _: None)


def waiting(account: str, seq: int = 1, *others: str) -> _Waiting:
    events = [credit(account, seq, 100 * seq, f"T-{account}-{seq}")]
    events += [credit(o, seq, 100 * seq, f"T-{account}-{seq}-{o}") for o in others]
    return _Waiting(AppendRequest(tuple(events), (record(f"T-{account}-{seq}", events[0]),)))


def accounts_of(batch: Sequence[_Waiting]) -> list[str]:
    return ["+".join(sorted({e.account_id for e in w.request.events})) for w in batch]


def test_given_a_queue_when_taken_then_disjoint_keys_in_order_and_no_overtaking() -> None:
    # GIVEN A1, B1, A1 again, a request on A1 and C1 together, then D1
    queue = [waiting("A1"), waiting("B1"), waiting("A1", 2), waiting("C1", 1, "A1"), waiting("D1")]
    # WHEN one transaction's worth is taken
    batch, rest = take_batch(queue, max_items=100)
    # THEN the first of each key goes, a later one on a taken key waits, and nothing on a
    # waiting key overtakes it (A1+C1 waits behind A1's second), D1 goes
    assert accounts_of(batch) == ["A1", "B1", "D1"]
    assert accounts_of(rest) == ["A1", "A1+C1"]


def test_given_more_than_one_transaction_holds_when_taken_then_at_most_100_items() -> None:
    # GIVEN 60 credits of 60 accounts (2 items each)
    queue = [waiting(f"A{i:02d}") for i in range(60)]
    # WHEN taken THEN 50 fit one transaction, in queue order, and 10 wait
    batch, rest = take_batch(queue, max_items=100)
    assert accounts_of(batch) == [f"A{i:02d}" for i in range(50)]
    assert len(rest) == 10


class _Gated(MemoryEventStore):
    """The twin, holding its first batch until released; records every batch's accounts."""

    def __init__(self) -> None:
        super().__init__()
        self.armed = False
        self.release = threading.Event()
        self.batches: list[list[str]] = []

    def append_many(self, requests: Sequence[AppendRequest]) -> Results:
        if self.armed:
            self.armed = False
            self.release.wait(10)
        self.batches.append([r.events[0].account_id for r in requests])
        return super().append_many(requests)


def _wait_for(predicate: Any) -> None:
    deadline = time.monotonic() + 10
    while not predicate():
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.001)


def test_given_a_rival_writer_when_a_batch_is_cancelled_then_only_its_loser_is_decided_again() -> (
    None
):
    # GIVEN six accounts credited once through a batching ledger (heads cached), and a rival
    # ledger (another process) that has since credited A1: our head of A1 is stale
    store = _Gated()
    accounts = [f"A{i}" for i in range(6)]
    spec = WorkloadSpec(accounts=6)
    register_in(store, *customer_ids(spec))
    ledger = Ledger(store, backoff=NO_SLEEP, batch_writers=1)
    rival = Ledger(store, backoff=NO_SLEEP, batch_writers=0)
    for n, account in enumerate(accounts):
        ledger.submit_raw({"type": "open_account", "account_id": account, "customer_id": "C0000"})
        ledger.submit_raw(
            {"type": "credit", "txn_id": f"F{n}", "account_id": account, "amount": "1"}
        )
    rival.submit_raw({"type": "credit", "txn_id": "RIVAL", "account_id": "A1", "amount": "5"})
    batcher = ledger._appender.store
    assert isinstance(batcher, AppendBatcher)
    # WHEN A0's credit holds the only writer slot while A1..A5's credits queue, so that they
    # share the next transaction
    store.armed = True
    outcomes: dict[str, Outcome] = {}

    def credit_of(account: str) -> None:
        cmd = {"type": "credit", "txn_id": f"X-{account}", "account_id": account, "amount": "2"}
        outcomes[account] = ledger.submit_raw(cmd)

    first = threading.Thread(target=credit_of, args=("A0",))
    first.start()
    _wait_for(lambda: batcher._active == 1 and not batcher._queue)
    others = [threading.Thread(target=credit_of, args=(a,)) for a in accounts[1:]]
    for t in others:
        t.start()
    _wait_for(lambda: len(batcher._queue) == 5)
    retries_before, resent_before = ledger.stats["retries"], batcher.stats.get("resent", 0)
    store.release.set()
    for t in [first, *others]:
        t.join(10)
    # THEN the five went as one transaction, which A1's stale seq cancelled
    assert ["A1", "A2", "A3", "A4", "A5"] in [sorted(b) for b in store.batches]
    # AND only A1's group was decided again (one lost race); the other four were sent again
    # at once, unchanged
    assert ledger.stats["retries"] - retries_before == 1
    assert batcher.stats["resent"] - resent_before == 4
    # AND every credit was approved once, on top of the rival's for A1
    assert {a: o.status for a, o in outcomes.items()} == dict.fromkeys(accounts, "approved")
    assert outcomes["A1"].balance_after == "8.00"  # 1 + the rival's 5 + 2
    assert [e.txn_id for e in store.events("A1")][1:] == ["F1", "RIVAL", "X-A1"]
    for account in accounts[2:]:
        assert [e.txn_id for e in store.events(account)][1:] == [
            f"F{account[1:]}",
            f"X-{account}",
        ]


class _RoundTrip(MemoryEventStore):
    """The twin with a round trip's pause per transaction, so that appends queue and share
    transactions as they do against a real server."""

    def append_many(self, requests: Sequence[AppendRequest]) -> Results:
        time.sleep(0.001)
        return super().append_many(requests)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    writers=st.integers(1, 2),
    n_ledgers=st.integers(2, 3),
    group_size=st.integers(1, 25),
)
def test_given_any_workload_with_rival_ledgers_when_batching_then_every_command_once(
    seed: int, writers: int, n_ledgers: int, group_size: int
) -> None:
    # GIVEN batching ledgers (any writer slots and group size) and rival ones on one store:
    # their stale heads cancel shared transactions, whose other appends are sent again
    store = _RoundTrip()
    ledgers = [
        Ledger(store, backoff=FAST, batch_writers=writers, group_size=group_size)
        for _ in range(n_ledgers)
    ]
    spec = WorkloadSpec(accounts=8, commands=160, seed=seed, duplicate_ratio=0.2)
    register_in(store, *customer_ids(spec))
    setup = [ledgers[0].submit_raw(c) for c in opening_commands(spec) + funding_commands(spec)]
    # WHEN 8 threads submit a mixed workload (credits, debits, transfers, resends)
    outcomes = run_concurrently(mixed_commands(spec), ledgers, threads=8)
    # THEN every command is decided once and written once: the log adds up to the outcomes
    assert_ledger_sound(store, setup + outcomes, opened=8)
    # AND transactions were shared
    batchers = [ledger._appender.store for ledger in ledgers]
    assert any(
        isinstance(b, AppendBatcher) and b.stats["transactions"] < b.stats["requests"]
        for b in batchers
    )


def test_given_appends_over_4_mb_when_split_then_at_request_boundaries() -> None:
    # GIVEN three appends of 1.5 MB each and a small one, in one transaction's worth
    from processor.storage.store import _by_size

    def sized(text: str) -> list[dict[str, Any]]:
        return [{"Put": {"Item": {"PK": {"S": text}}}}]

    big = sized("x" * 1_500_000)
    actions = {0: big, 1: big, 2: big, 3: sized("y")}
    # WHEN split at 4 MB THEN two transactions, no append cut in two
    chunks = list(_by_size([[0, 1, 2, 3]], actions))
    assert [[i for i, _ in chunk] for chunk in chunks] == [[0, 1], [2, 3]]


class _Broken(MemoryEventStore):
    """A store answering a batch with no results at all (a broken adapter)."""

    def append_many(self, requests: Sequence[AppendRequest]) -> Results:
        return []


def test_given_a_broken_batch_write_then_its_caller_fails_and_the_writer_slot_is_freed() -> None:
    # GIVEN a batcher with one writer slot over a store that answers wrongly
    batcher = AppendBatcher(_Broken(), writers=1)
    event = credit("A1", 1, 100, "T1")
    # WHEN an append goes through it THEN it fails (no hang), and the slot is free again
    with pytest.raises(ValueError):
        batcher.append([event], [record("T1", event)])
    assert batcher._active == 0
