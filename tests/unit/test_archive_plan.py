"""Archival's pure rules: the retention date, the prefix, the steps, the snapshot in the
fold, the merged history, and the stream handler skipping snapshots."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acme_base.aws import serialize
from acme_base.errors import InvalidInput, InvariantViolation
from acme_base.settings import Settings
from acme_txn.bootstrap import bootstrap
from processor.domain.archive import merge_history, old_prefix, parse_cut, plan_cut, retention_cut
from processor.domain.commands import OpenAccount
from processor.domain.decide import AccountState, decide, fold
from processor.domain.events import HistoryArchived, LedgerEvent
from processor.services.archiver import Archiver
from processor.storage.codec import event_to_item
from streams.handlers import StreamHandler
from tests.archive_support import OLD, old_events, seed_old_account
from tests.unit.test_stream_handler import lambda_record

TODAY = date(2026, 3, 1)
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def stream(n: int) -> list[LedgerEvent]:
    cmd = OpenAccount(type="open_account", account_id="A1", customer_id="C9", currency="EUR")
    (opened,) = decide({}, cmd, OLD)
    return [opened, *old_events("A1", n, AccountState("A1", "C9", "EUR"))]


@pytest.mark.parametrize(
    ("text", "force", "expected"),
    [
        (None, False, date(2019, 3, 1)),
        ("2019-03-01", False, date(2019, 3, 1)),
        ("2010-01-01", False, date(2010, 1, 1)),
        ("2025-01-01", True, date(2025, 1, 1)),
    ],
)
def test_given_before_when_parsed_then_default_is_seven_years(
    text: str | None, force: bool, expected: date
) -> None:
    assert parse_cut(text, TODAY, force) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2019-03-02", "less than 7 years ago"),
        ("2019/03/01", "not a date"),
        ("20190301", "not a date"),
    ],
)
def test_given_bad_or_recent_before_when_parsed_then_refused_with_reason(
    text: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_cut(text, TODAY, False)


def test_given_leap_day_when_retention_then_28_february() -> None:
    assert retention_cut(date(2024, 2, 29)) == date(2017, 2, 28)


@given(n=st.integers(1, 260), window=st.integers(2, 100), cut=st.integers(2011, 2027))
def test_given_any_stream_when_cut_in_steps_then_every_state_folds_to_the_same(
    n: int, window: int, cut: int
) -> None:
    # GIVEN a stream and its old prefix
    events = stream(n)
    before = date(cut, 1, 1)
    prefix = old_prefix(events, before)
    plan = plan_cut(prefix, before, NOW, window)
    if len(prefix) < 2:
        assert plan is None
        return
    assert plan is not None and plan.seq == prefix[-1].seq
    assert plan.to_archive == tuple(prefix)
    # WHEN the steps are applied one by one to the live stream
    live = {e.seq: e for e in events}
    for step in plan.steps:
        assert len(step.deleted) + 1 <= window
        assert all(live[e.seq] == e for e in (*step.deleted, step.replaced))
        for e in step.deleted:
            del live[e.seq]
        live[step.snapshot.seq] = step.snapshot
        # THEN after every step the live fold and the merged history fold are the original's
        current = [live[s] for s in sorted(live)]
        assert fold(current) == fold(events)
        assert list(merge_history(plan.to_archive, current)) == events
    first = live[min(live)]
    assert isinstance(first, HistoryArchived) and first.customer_id == "C9"


def test_given_snapshot_disagreeing_with_archive_when_folded_then_violation() -> None:
    events = stream(4)
    plan = plan_cut(events[:3], date(2016, 1, 1), NOW)
    assert plan is not None
    wrong = replace(plan.steps[0].snapshot, balance_after=1)
    with pytest.raises(InvariantViolation, match="disagrees with the archived events"):
        fold([*events[:3], wrong])
    assert fold([*events[:3], plan.steps[0].snapshot, *events[3:]]) == fold(events)


def test_given_snapshot_in_stream_when_handled_then_not_sent_to_the_projector() -> None:
    # GIVEN a batch: a credit's INSERT, and a snapshot replacing it (MODIFY) at the same seq
    events = stream(2)
    plan = plan_cut(events, date(2030, 1, 1), NOW)
    assert plan is not None
    snapshot = plan.steps[0].snapshot
    modify = lambda_record(event_to_item(snapshot))
    modify["eventName"] = "MODIFY"
    modify["dynamodb"]["OldImage"] = serialize(event_to_item(events[-1]))
    seen: list[LedgerEvent] = []

    def sink(batch: list[LedgerEvent]) -> frozenset[tuple[str, int]]:
        seen.extend(batch)
        return frozenset()

    # WHEN the handler gets both
    result = StreamHandler(sink)({"Records": [lambda_record(event_to_item(events[-1])), modify]})
    # THEN only the real event reaches the projector and no record fails
    assert seen == [events[-1]] and result == {"batchItemFailures": []}


@given(
    sizes=st.lists(st.integers(0, 120), min_size=1, max_size=4),
    window=st.integers(2, 100),
    cuts=st.lists(st.integers(2011, 2018), min_size=1, max_size=3),
)
def test_given_memory_ledger_when_archived_repeatedly_then_history_is_the_original_log(
    sizes: list[int], window: int, cuts: list[int]
) -> None:
    # GIVEN accounts with events over the years, on the in-memory twins
    app = bootstrap(Settings(table_prefix="memory"), memory=True)
    logs = {}
    for i, n in enumerate(sizes):
        seed_old_account(app.event_store, f"A{i}", n)
        logs[f"A{i}"] = list(app.event_store.events(f"A{i}"))
    archiver = Archiver(app.archiver.store, app.archive, step_actions=window)
    # WHEN archived at several cut dates in turn
    for year in cuts:
        assert archiver.run(date(year, 1, 1)).ok
    # THEN archive + live is the original log, the live fold is the original fold,
    # and the archive holds no snapshot
    for account, log in logs.items():
        assert list(app.history.events(account)) == log
        assert fold(app.event_store.events(account)) == fold(log)
        assert not any(isinstance(e, HistoryArchived) for e in app.archive.events(account))
