"""Adopting the winner's head after a lost seq race (``LedgerConfig.adopt_heads``).

Ledger A and appender B on one in-memory store stand for two processes: B's cached head goes
stale when A appends, and B's next append loses the seq race. The winner's events come back
with the failure (``SeqTaken.seen``); B adopts the newest only when the failure proves it is
the head (a later seq B claimed was free), else it re-reads as before.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from acme_base.retry import Backoff
from acme_txn.invariants import check_log
from processor.domain.commands import Credit, parse_command
from processor.services.appends import Appender, HeadCache
from processor.services.group_commit import Pending
from processor.services.jobs import GroupJob
from processor.services.ledger import Ledger
from processor.storage.memory import MemoryEventStore
from tests.customer_support import register_in

NO_SLEEP = Backoff(max_attempts=10, base_delay=0.0, max_delay=0.0)
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


class _CountingStore(MemoryEventStore):
    """Counts the strongly consistent head reads (what adopting saves)."""

    head_reads = 0

    def head(self, account_id: str) -> Any:
        self.head_reads += 1
        return super().head(account_id)


def _credit(txn: str) -> Pending:
    cmd = parse_command({"type": "credit", "txn_id": txn, "account_id": "A1", "amount": "1"})
    assert isinstance(cmd, Credit)
    return Pending(cmd)


def _race(adopt: bool, b_credits: int) -> tuple[_CountingStore, Appender, list[Pending]]:
    """B caches A1's head at seq 1, A appends seq 2, then B appends ``b_credits`` credits."""
    store = _CountingStore()
    register_in(store, "C1")
    a = Ledger(store, backoff=NO_SLEEP)
    a.submit_raw({"type": "open_account", "account_id": "A1", "customer_id": "C1"})
    a.submit_raw({"type": "credit", "txn_id": "A1", "account_id": "A1", "amount": "1"})
    heads = HeadCache(store)
    heads.remember(heads.states("A1"))
    b = Appender(store, NO_SLEEP, heads, {"retries": 0, "groups": 0}, adopt)
    a.submit_raw({"type": "credit", "txn_id": "A2", "account_id": "A1", "amount": "1"})
    store.head_reads = 0
    group = [_credit(f"B{n}") for n in range(b_credits)]
    b.run(GroupJob("A1", group, store, lambda: NOW))
    return store, b, group


def test_given_a_group_behind_the_head_when_adopting_then_no_reread_and_right_balances() -> None:
    # GIVEN/WHEN B's group of 3 claims seqs 2..4 while A already holds seq 2
    store, b, group = _race(adopt=True, b_credits=3)
    # THEN B lost once, adopted A's seq 2 as its head (seq 3 was free: proven), read nothing,
    # and committed seqs 3..5 with the right running balances
    assert (b.stats["retries"], b.stats.get("adopted")) == (1, 1)
    assert store.head_reads == 0
    outcomes = [p.future.result() for p in group]
    assert [(o.seq, o.balance_after) for o in outcomes] == [(3, "3.00"), (4, "4.00"), (5, "5.00")]
    assert check_log(store.all_events(), outcomes).ok


def test_given_every_claimed_seq_taken_when_adopting_then_it_rereads_the_head() -> None:
    # GIVEN/WHEN B's single credit claims seq 2, taken (the head could be further on)
    store, b, group = _race(adopt=True, b_credits=1)
    # THEN nothing proves the head: B forgot it and read it again, then committed seq 3
    assert (b.stats["retries"], b.stats.get("adopted", 0)) == (1, 0)
    assert store.head_reads == 1
    assert (group[0].future.result().seq, group[0].future.result().balance_after) == (3, "3.00")


def test_given_a_group_behind_the_head_when_not_adopting_then_it_rereads_the_head() -> None:
    # GIVEN/WHEN the same race as the first, adopting switched off
    store, b, group = _race(adopt=False, b_credits=3)
    # THEN the loser forgot its head and read it again before the same correct commit
    assert (b.stats["retries"], b.stats.get("adopted", 0)) == (1, 0)
    assert store.head_reads == 1
    assert [p.future.result().seq for p in group] == [3, 4, 5]


@given(st.lists(st.tuples(st.sampled_from([0, 1]), st.integers(1, 4)), min_size=1, max_size=10))
def test_given_any_interleaving_of_two_adopting_writers_then_the_log_adds_up(
    steps: list[tuple[int, int]],
) -> None:
    # GIVEN two writers (own head caches, adopting) on one account, each step one writer
    # appending a group of 1-4 credits of 1.00 on whatever head it has cached
    store = MemoryEventStore()
    register_in(store, "C1")
    Ledger(store).submit_raw({"type": "open_account", "account_id": "A1", "customer_id": "C1"})
    writers = [
        Appender(store, NO_SLEEP, HeadCache(store), {"retries": 0, "groups": 0}, adopt=True)
        for _ in range(2)
    ]
    outcomes = []
    for step, (who, size) in enumerate(steps):
        group = [_credit(f"T{step}-{n}") for n in range(size)]
        # WHEN it appends (losing races to the other's appends, adopting its heads)
        writers[who].run(GroupJob("A1", group, store, lambda: NOW))
        outcomes += [p.future.result() for p in group]
    # THEN every credit is approved once, and the balance chain of the log holds
    total = sum(size for _, size in steps)
    assert [o.status for o in outcomes] == ["approved"] * total
    assert check_log(store.all_events(), outcomes).ok
    head = store.head("A1")
    assert head is not None and (head.seq, head.balance_after) == (total, total * 100)
