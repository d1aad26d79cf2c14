"""The archive contract: the archive table port and the ledger's cut step, on the in-memory
twins and on DynamoDB Local, with the same tests (as tests/contract/test_event_store_contract)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from processor.domain.archive import plan_cut
from processor.storage.archive_memory import MemoryArchiveStore
from processor.storage.archive_ports import ArchivableStore, ArchiveConflict, ArchiveStore
from processor.storage.archive_store import DynamoArchiveStore
from processor.storage.memory import MemoryEventStore
from processor.storage.store import DynamoEventStore
from tests.archive_support import seed_old_account

NOW = datetime(2026, 3, 1, tzinfo=UTC)
CUT = date(2016, 1, 1)


@pytest.fixture(params=["memory", "dynamodb"])
def stores(request: pytest.FixtureRequest) -> Iterator[tuple[ArchivableStore, ArchiveStore]]:
    if request.param == "memory":
        yield MemoryEventStore(), MemoryArchiveStore()
        return
    settings = request.getfixturevalue("settings")
    client: Any = request.getfixturevalue("client")
    yield (
        DynamoEventStore(client, settings.ledger_table),
        DynamoArchiveStore(client, settings.archive_table),
    )


def test_given_events_when_put_twice_then_stored_once_and_rerun_writes_nothing(
    stores: tuple[ArchivableStore, ArchiveStore],
) -> None:
    live, archive = stores
    seed_old_account(live, "A1", 5)
    events = list(live.events("A1"))
    # WHEN the same events are archived twice (the second time with one more)
    assert archive.put(events[:3]) == 3
    assert archive.put(events) == 3
    # THEN each is there once, in seq order, and equal to the live one
    assert list(archive.events("A1")) == events
    assert list(archive.events("A1", 2, 3)) == events[2:4]
    assert sorted(archive.all_events(), key=lambda e: e.seq) == events


def test_given_other_event_archived_when_put_then_conflict_and_nothing_written(
    stores: tuple[ArchivableStore, ArchiveStore],
) -> None:
    live, archive = stores
    seed_old_account(live, "A1", 4)
    events = list(live.events("A1"))
    archive.put([events[1]])
    other = replace(events[1], txn_id="other")
    # WHEN another event is archived under a taken key
    with pytest.raises(ArchiveConflict, match="another event"):
        archive.put([events[0], other, events[2]])
    # THEN nothing of that put was written
    assert list(archive.events("A1")) == [events[1]]


def test_given_cut_step_when_applied_then_prefix_replaced_by_snapshot(
    stores: tuple[ArchivableStore, ArchiveStore],
) -> None:
    live, _ = stores
    state = seed_old_account(live, "A1", 6)
    events = list(live.events("A1"))
    cut = plan_cut(events[:5], CUT, NOW)
    assert cut is not None
    (step,) = cut.steps
    # WHEN the step is applied
    live.cut_history(step)
    # THEN live is the snapshot at seq 4, then the rest; head and fold unchanged
    assert list(live.events("A1")) == [step.snapshot, *events[5:]]
    assert live.head("A1") == events[-1] and live.replay("A1") == state


def test_given_stale_step_when_applied_then_conflict_and_nothing_changes(
    stores: tuple[ArchivableStore, ArchiveStore],
) -> None:
    live, _ = stores
    seed_old_account(live, "A1", 6)
    events = list(live.events("A1"))
    cut = plan_cut(events[:5], CUT, NOW)
    assert cut is not None
    live.cut_history(cut.steps[0])
    after = list(live.events("A1"))
    # WHEN the same step is applied again (its events are gone) or a step names a changed one
    stale = plan_cut([events[0], replace(events[1], txn_id="x"), events[2]], CUT, NOW)
    assert stale is not None
    for step in (cut.steps[0], stale.steps[0]):
        with pytest.raises(ArchiveConflict, match="changed under the archiver"):
            live.cut_history(step)
    # THEN the live stream is as it was
    assert list(live.events("A1")) == after
