"""Rebuild and reconcile on the in-memory twins, and the CLI's progress bars for a rebuild."""

from __future__ import annotations

import io

import pytest

from acme_base.errors import InvalidInput
from acme_txn.cli.rebuild_cmd import StageBars
from processor.domain.events import LedgerEvent
from processor.storage.memory import MemoryEventStore
from projections.items import balance_of
from projections.memory import MemoryViewStore
from projections.projector import Projector
from projections.rebuild import rebuild_projection
from projections.reconcile import reconcile
from tests.projection_logs import simple_log


def projected(log: list[LedgerEvent]) -> tuple[MemoryEventStore, MemoryViewStore]:
    events, views = MemoryEventStore(), MemoryViewStore()
    for event in log:
        events.append([event], [])
    assert Projector(views, events).project(log).failed == frozenset()
    return events, views


@pytest.mark.parametrize("name", ["balances", "daily", "declined", "all"])
def test_given_live_models_when_one_is_rebuilt_then_it_equals_the_live_one(name: str) -> None:
    # GIVEN a projected log; WHEN one model is dropped and replayed
    events, views = projected(simple_log(accounts=3, per_account=8))
    before = views.snapshot()
    result = rebuild_projection(events, views, name)
    # THEN it equals the live one it replaced, and the fold
    assert result.ok and result.differences_from_live == []
    assert result.items_deleted == result.items_written > 0
    assert views.snapshot() == before


def test_given_a_guard_behind_the_log_when_daily_is_rebuilt_then_it_stops_at_the_guard() -> None:
    # GIVEN A0 projected only up to seq 3 of its log
    log = simple_log(accounts=1, per_account=8)
    events, views = projected(log[:4])
    for event in log[4:]:
        events.append([event], [])
    # WHEN the daily totals are rebuilt THEN they cover the applied events only
    result = rebuild_projection(events, views, "daily")
    assert (result.ok, result.events_replayed, result.differences_from_live) == (True, 4, [])


def test_given_tampered_views_when_all_is_rebuilt_then_reconcile_is_ok() -> None:
    events, views = projected(simple_log(accounts=2, per_account=6))
    item = next(views.scan("balance"))
    views.put_all([{**item, "balance": balance_of(item).balance + 1}])
    assert not reconcile(events, views).ok
    result = rebuild_projection(events, views, "all")
    assert [m.field for m in result.differences_from_live] == ["balance"]
    assert result.ok and reconcile(events, views).ok


def test_an_unknown_model_is_invalid_input() -> None:
    events, views = projected(simple_log(accounts=1, per_account=1))
    with pytest.raises(InvalidInput, match="unknown projection"):
        rebuild_projection(events, views, "nonsense")


def test_given_a_pipe_when_a_rebuild_reports_progress_then_one_line_per_stage() -> None:
    # GIVEN the CLI's bars writing to a non-terminal stream
    out = io.StringIO()
    bars = StageBars(out)
    events, views = projected(simple_log(accounts=2, per_account=6))
    # WHEN a rebuild reports through them
    rebuild_projection(events, views, "balances", bars)
    bars.close()
    # THEN each stage ends with one final line
    assert out.getvalue().splitlines() == [
        "replaying the event log: events 14",
        f"dropping balances: items [{'#' * 30}] 2/2",
        f"writing balances: items [{'#' * 30}] 2/2",
    ]
