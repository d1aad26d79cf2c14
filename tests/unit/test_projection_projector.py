"""The real projector on the in-memory twins (``MemoryViewStore`` + ``MemoryEventStore``, held
to DynamoDB's behaviour by the contract suite): any at-least-once delivery, racing projectors,
contention, and the options' validation; fast enough for hypothesis."""

from __future__ import annotations

import dataclasses
import random
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acme_base.errors import InvalidInput
from processor.domain.events import LedgerEvent
from processor.storage.memory import MemoryEventStore
from projections.config import ProjectorConfig
from projections.memory import MemoryViewStore
from projections.model import fold_all
from projections.plan import Chunk
from projections.ports import GuardConflict
from projections.projector import Projector
from projections.reconcile import compare, reconcile
from tests.projection_logs import logs, messy_batches, simple_log


def stored(log: list[LedgerEvent]) -> MemoryEventStore:
    """An event store holding ``log`` (the truth gaps are healed from)."""
    store = MemoryEventStore()
    for event in log:
        store.append([event], [])
    return store


CONFIGS = [
    ProjectorConfig(),
    ProjectorConfig(coalesce=False),
    ProjectorConfig(workers=3, max_items=3),
]


@given(
    logs,
    st.randoms(use_true_random=False),
    st.integers(1, 7),
    st.sampled_from([0.0, 0.2]),
    st.sampled_from(CONFIGS),
)
def test_given_any_at_least_once_delivery_when_projected_then_the_fold(
    log: list[LedgerEvent], rng: random.Random, size: int, drop: float, config: ProjectorConfig
) -> None:
    # GIVEN a log delivered shuffled, with repeats, and (sometimes) events never delivered
    views, events = MemoryViewStore(), stored(log)
    projector = Projector(views, events, config)
    batches = messy_batches(log, rng, size, dup_ratio=0.4, drop_ratio=drop)
    # WHEN every batch is projected, then the first one again by a restarted projector
    results = [projector.project(batch) for batch in batches]
    again = Projector(views, events).project(batches[0]) if batches else None
    # THEN each account is projected up to its highest delivered seq, exactly once
    delivered = [e for b in batches for e in b]
    top = {
        a: max(e.seq for e in delivered if e.account_id == a)
        for a in {e.account_id for e in delivered}
    }
    expected = fold_all(e for e in log if e.seq <= top.get(e.account_id, -1))
    assert compare(expected, views.snapshot()).ok
    assert all(r.failed == frozenset() for r in results)
    assert sum(r.events_applied for r in results) == sum(s + 1 for s in top.values())
    assert again is None or again.events_applied == 0


def test_given_two_projectors_racing_on_memory_then_every_event_applied_once() -> None:
    # GIVEN two projectors (three workers each), each fed its own scrambled copy of the log
    log = simple_log(accounts=6, per_account=30, seed=3)
    views, events = MemoryViewStore(), stored(log)
    feeds = [messy_batches(log, random.Random(seed), batch_size=5) for seed in (1, 2)]
    totals: list[int] = []

    def run(batches: list[list[LedgerEvent]]) -> None:
        projector = Projector(views, events, ProjectorConfig(workers=3))
        totals.append(sum(projector.project(b).events_applied for b in batches))

    # WHEN they run at the same time
    threads = [threading.Thread(target=run, args=(feed,)) for feed in feeds]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # THEN between them every event was applied exactly once, and reconcile agrees
    assert sum(totals) == len(log)
    assert reconcile(events, views).ok


class _AlwaysConflicting(MemoryViewStore):
    """Another transaction always holds the items (DynamoDB's TransactionConflict)."""

    def apply(self, chunk: Chunk) -> float:
        raise GuardConflict("conflict")


def test_given_endless_conflicts_then_the_account_comes_back_failed() -> None:
    # GIVEN a store whose every guarded write conflicts, and three attempts allowed
    log = simple_log(accounts=1, per_account=3)
    projector = Projector(_AlwaysConflicting(), stored(log), ProjectorConfig(max_attempts=3))
    projector.backoff = dataclasses.replace(projector.backoff, sleeper=lambda _s: None)
    # WHEN the log is delivered
    result = projector.project(log)
    # THEN nothing was applied, every event is handed back, and each attempt counted
    assert result.failed == frozenset(("A0", e.seq) for e in log)
    assert (result.events_applied, result.guard_retries) == (0, 3)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("workers", 0, "workers"),
        ("max_items", 0, "max items"),
        ("max_items", 101, "max items"),
        ("max_attempts", 0, "max attempts"),
    ],
)
def test_given_a_bad_option_when_configured_then_invalid_input(
    field: str, value: int, words: str
) -> None:
    with pytest.raises(InvalidInput, match=words):
        ProjectorConfig(**{field: value})


def test_every_option_is_documented_for_flags_and_variables() -> None:
    fields = dataclasses.fields(ProjectorConfig)
    assert {f.name for f in fields} == {"workers", "coalesce", "max_items", "max_attempts"}
    assert all(f.metadata.get("help") for f in fields)
    assert ProjectorConfig() == ProjectorConfig(1, True, 100, 12)
