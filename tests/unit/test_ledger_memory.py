"""The Ledger's group commit and optimistic retries on the in-memory event store, fast.

The memory store keeps DynamoDB's conditional semantics (the contract suite holds it to the
DynamoDB adapter's), so thousands of concurrent commands, two ledgers racing on one store (as
two processes would) and every lost-claim path run here in seconds; the DynamoDB Local tests
of the same ledger stay in tests/integration.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from acme_base.retry import Backoff
from acme_txn.invariants import check_log
from acme_txn.workload import (
    WorkloadSpec,
    customer_ids,
    funding_commands,
    mixed_commands,
    opening_commands,
)
from processor.domain.commands import Credit, Debit, OpenAccount, parse_command
from processor.domain.events import AccountOpened, LedgerEvent
from processor.domain.outcomes import Outcome
from processor.services.appends import Appender, HeadCache
from processor.services.group_commit import GroupCommit, Pending, take_group
from processor.services.jobs import GroupJob
from processor.services.ledger import Ledger
from processor.storage.append_batch import AppendRequest, Results
from processor.storage.memory import MemoryEventStore
from processor.storage.ports import IdempotencyRecord, SeqTaken
from tests.customer_support import register_in

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
# short delays keep thousands of lost races fast; more attempts keep a rare streak harmless
FAST = Backoff(max_attempts=200, base_delay=0.0002, max_delay=0.005)


def money(kind: str, txn: str, amount: str, account: str = "A1") -> Credit | Debit:
    cmd = parse_command({"type": kind, "txn_id": txn, "account_id": account, "amount": amount})
    assert isinstance(cmd, Credit | Debit)
    return cmd


def run_concurrently(
    cmds: list[dict[str, Any]], ledgers: Sequence[Ledger], threads: int
) -> list[Outcome]:
    """``threads`` workers, each sending its share of ``cmds`` alternately to each ledger."""

    def worker(w: int) -> list[Outcome]:
        mine = cmds[w::threads]
        return [ledgers[(w + k) % len(ledgers)].submit_raw(c) for k, c in enumerate(mine)]

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return [o for share in pool.map(worker, range(threads)) for o in share]


def assert_ledger_sound(store: MemoryEventStore, outcomes: list[Outcome], opened: int) -> None:
    """Every invariant of the log, one decision per txn id, duplicates repeat the decision."""
    assert {o.status for o in outcomes} <= {"opened", "approved", "declined", "duplicate"}
    check = check_log(store.all_events(), outcomes)
    assert check.ok, check.problems
    decided = [o for o in outcomes if o.status in {"approved", "declined"}]
    by_txn = {o.txn_id: o for o in decided}
    assert len(by_txn) == len(decided)  # one decision per txn id
    second_legs = sum(1 for o in decided if o.status == "approved" and o.to_seq is not None)
    assert check.events == len(decided) + opened + second_legs
    for dup in (o for o in outcomes if o.status == "duplicate" and o.txn_id is not None):
        original = by_txn[dup.txn_id]
        assert (dup.seq, dup.balance_after, dup.original_status) == (
            original.seq,
            original.balance_after,
            original.status,
        )


def test_given_16_threads_and_two_ledgers_on_hot_accounts_then_every_invariant_holds() -> None:
    # GIVEN four funded hot accounts and two ledgers on one store (two processes, in effect)
    store = MemoryEventStore()
    ledgers = [Ledger(store, backoff=FAST), Ledger(store, backoff=FAST)]
    spec = WorkloadSpec(accounts=4, commands=5000, seed=5, transfer_ratio=0.3, duplicate_ratio=0.1)
    register_in(store, *customer_ids(spec))
    setup = [ledgers[0].submit_raw(c) for c in opening_commands(spec) + funding_commands(spec)]
    # WHEN 16 threads submit 5,000 credits, debits, transfers and resent duplicates
    outcomes = run_concurrently(mixed_commands(spec), ledgers, threads=16)
    # THEN the log keeps every invariant and agrees with every outcome
    assert len(outcomes) == 5000
    assert_ledger_sound(store, setup + outcomes, opened=4)
    assert {"approved", "declined", "duplicate"} <= {o.status for o in outcomes}
    # AND the ledgers lost seq races to each other (stale heads) and retried
    assert sum(ledger.stats["retries"] for ledger in ledgers) > 0
    assert all(ledger.stats["groups"] > 0 for ledger in ledgers)


@given(
    seed=st.integers(0, 10_000),
    group_size=st.integers(1, 25),
    cache_heads=st.booleans(),
    n_ledgers=st.integers(1, 3),
)
def test_given_any_workload_and_ledger_settings_then_every_invariant_holds(
    seed: int, group_size: int, cache_heads: bool, n_ledgers: int
) -> None:
    # GIVEN ledgers with any group size and head caching, on one store
    store = MemoryEventStore()
    ledgers = [
        Ledger(store, backoff=FAST, group_size=group_size, cache_heads=cache_heads)
        for _ in range(n_ledgers)
    ]
    spec = WorkloadSpec(accounts=3, commands=200, seed=seed, duplicate_ratio=0.2)
    register_in(store, *customer_ids(spec))
    setup = [ledgers[0].submit_raw(c) for c in opening_commands(spec) + funding_commands(spec)]
    # WHEN 8 threads submit a mixed workload across them
    outcomes = run_concurrently(mixed_commands(spec), ledgers, threads=8)
    # THEN every invariant holds
    assert_ledger_sound(store, setup + outcomes, opened=3)


def test_given_a_held_first_commit_then_the_queue_commits_in_groups_of_at_most_25() -> None:
    # GIVEN a group commit whose first commit is held until 30 more commands are queued
    sizes: list[int] = []
    entered, release = threading.Event(), threading.Event()

    def commit(account_id: str, group: list[Pending]) -> None:
        if not sizes:
            entered.set()
            release.wait()
        sizes.append(len(group))
        for pending in group:
            pending.future.set_result(Outcome(txn_id=pending.command.txn_id, status="approved"))

    groups = GroupCommit(commit, size=25)
    cmds = [money("credit", f"T{i}", "1") for i in range(31)]
    with ThreadPoolExecutor(max_workers=31) as pool:
        first = pool.submit(groups.submit, cmds[0])
        entered.wait()  # the first caller leads, and its commit is held
        rest = [pool.submit(groups.submit, c) for c in cmds[1:]]
        while groups.queued("A1") < 30:  # wait (untimed) until all 30 have queued
            release.wait(0.001)
        # WHEN the first commit is released
        release.set()
        outcomes = [first.result()] + [f.result() for f in rest]
    # THEN the 30 waiting commands went in two groups, 25 then 5, and every caller got its own
    assert sizes == [1, 25, 5]
    assert [o.txn_id for o in outcomes] == [c.txn_id for c in cmds]
    assert not groups.leading("A1")


def test_given_a_repeated_txn_id_in_the_queue_then_it_waits_for_the_next_group() -> None:
    queue = [Pending(money("credit", t, "1")) for t in ["T1", "T2", "T1", "T3", "T4"]]
    group, rest = take_group(queue, size=3)
    assert [p.command.txn_id for p in group] == ["T1", "T2", "T3"]
    assert [p.command.txn_id for p in rest] == ["T1", "T4"]


def test_given_a_group_with_a_taken_a_reused_and_a_bad_txn_then_each_gets_its_own_answer() -> None:
    # GIVEN A1 credited 10.00 by T1 and 1.00 by T9
    store = MemoryEventStore()
    ledger = Ledger(store)
    register_in(store, "C1")
    ledger.submit_raw({"type": "open_account", "account_id": "A1", "customer_id": "C1"})
    first = ledger.submit_raw(
        {"type": "credit", "txn_id": "T1", "account_id": "A1", "amount": "10"}
    )
    ledger.submit_raw({"type": "credit", "txn_id": "T9", "account_id": "A1", "amount": "1"})
    # WHEN one group holds T1 resent, T9's id with another payload, a new debit, a debit in the
    # wrong currency and a new credit
    wrong_currency = parse_command(
        {"type": "debit", "txn_id": "T4", "account_id": "A1", "amount": "1", "currency": "EUR"}
    )
    assert isinstance(wrong_currency, Debit)
    cmds = [
        money("credit", "T1", "10"),
        money("credit", "T9", "99"),
        money("debit", "T2", "4"),
        wrong_currency,
        money("credit", "T3", "1"),
    ]
    group = [Pending(c) for c in cmds]
    stats = {"retries": 0, "groups": 0}
    Appender(store, Backoff(), HeadCache(store), stats).run(
        GroupJob("A1", group, store, lambda: NOW)
    )
    got = [p.future.result() for p in group]
    # THEN the resend is a duplicate of T1, the reuse and the bad currency are rejected, and the
    # others are decided in order on the stored head, without backing off
    assert (got[0].status, got[0].seq, got[0].balance_after) == ("duplicate", 1, "10.00")
    assert got[0].seq == first.seq
    assert got[1].status == "rejected" and "already used" in (got[1].error or "")
    assert got[3].status == "rejected" and "currency" in (got[3].error or "")
    assert [(o.status, o.seq, o.balance_after) for o in (got[2], got[4])] == [
        ("approved", 3, "7.00"),
        ("approved", 4, "8.00"),
    ]
    assert stats["retries"] == 0
    assert check_log(store.all_events(), [first, *got]).ok


def test_given_threads_opening_one_account_then_one_opened_the_rest_duplicate() -> None:
    # GIVEN two ledgers on one store
    store = MemoryEventStore()
    ledgers = [Ledger(store), Ledger(store)]
    register_in(store, "C1", "C2")
    cmd = {"type": "open_account", "account_id": "A1", "customer_id": "C1"}
    other = dict(cmd, customer_id="C2")
    # WHEN 12 threads open A1 for C1 and 4 for C2 at once
    outcomes = run_concurrently([cmd] * 12 + [other] * 4, ledgers, threads=16)
    # THEN exactly one opening was written; the same opening answers duplicate
    assert [o.status for o in outcomes].count("opened") == 1
    (owner,) = store.events("A1")
    assert isinstance(owner, AccountOpened)
    # AND the winner's customer got duplicates, the other customer "already exists"
    for outcome, sent in zip(outcomes, [cmd] * 12 + [other] * 4, strict=True):
        same = sent["customer_id"] == owner.customer_id
        assert outcome.status in ({"opened", "duplicate"} if same else {"rejected"})
    # AND the store keeps the one account record
    assert list(store.accounts) == [(owner.customer_id, "A1")]


def test_given_openings_then_account_records_are_written_and_the_customer_is_untouched() -> None:
    # GIVEN a registered customer (issue 9: openings no longer upsert the customer record)
    store = MemoryEventStore()
    ledger = Ledger(store)
    register_in(store, "C1")
    customer = store.customers["C1"]
    # WHEN two accounts are opened for it, and one for an unregistered customer
    ledger.submit_raw({"type": "open_account", "customer_id": "C1", "account_id": "A1"})
    ledger.submit_raw({"type": "open_account", "customer_id": "C1", "account_id": "A2"})
    stranger = ledger.submit_raw({"type": "open_account", "customer_id": "C9", "account_id": "A9"})
    # THEN the customer is as registered, and only its two accounts exist
    assert store.customers["C1"] == customer
    assert sorted(store.accounts) == [("C1", "A1"), ("C1", "A2")]
    assert (stranger.status, stranger.error) == ("rejected", "unknown customer: 'C9'")
    assert store.head("A9") is None


class _AlwaysBehind(MemoryEventStore):
    """A store on which every append loses the seq race (an error path, not a backend)."""

    def append(
        self,
        events: Sequence[LedgerEvent],
        records: Sequence[IdempotencyRecord],
        opening: OpenAccount | None = None,
    ) -> None:
        if events and events[0].kind != "open":
            raise SeqTaken()
        super().append(events, records, opening)

    def append_many(self, requests: Sequence[AppendRequest]) -> Results:
        """The same, for appends sharing a transaction (``processor.storage.append_batch``)."""
        results: Results = []
        for r in requests:
            try:
                self.append(r.events, r.records, r.opening)
            except SeqTaken as lost:
                results.append(lost)
            else:
                results.append(None)
        return results


def test_given_endless_contention_then_bounded_backoff_and_a_failed_outcome() -> None:
    # GIVEN a store where every append loses, and a backoff that records its sleeps
    slept: list[float] = []
    backoff = Backoff(max_attempts=7, base_delay=0.01, max_delay=0.04, sleeper=slept.append)
    behind = _AlwaysBehind()
    register_in(behind, "C1")
    ledger = Ledger(behind, backoff=backoff)
    ledger.submit_raw({"type": "open_account", "account_id": "A1", "customer_id": "C1"})
    ledger.submit_raw({"type": "open_account", "account_id": "A2", "customer_id": "C1"})
    submit: Callable[[dict[str, Any]], Outcome] = ledger.submit_raw
    # WHEN a credit and a transfer are submitted
    credit = submit({"type": "credit", "txn_id": "T1", "account_id": "A1", "amount": "1"})
    transfer = submit(
        {
            "type": "transfer",
            "txn_id": "T2",
            "from_account": "A1",
            "to_account": "A2",
            "amount": "1",
        }
    )
    # THEN each gave up after 7 attempts, backing off (full jitter, capped) before each retry
    assert [(o.status, o.txn_id) for o in (credit, transfer)] == [
        ("failed", "T1"),
        ("failed", "T2"),
    ]
    assert "gave up after 7 attempts" in (credit.error or "")
    assert ledger.stats["retries"] == 14 and len(slept) == 14
    assert all(0 <= s <= 0.04 for s in slept)
