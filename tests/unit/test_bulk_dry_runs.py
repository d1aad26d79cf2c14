"""Bulk writers on the in-memory twins: a sweep never runs ahead of the ledger's clock
(unless forced), and every bulk-writing command's dry run reports and writes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from acme_base.errors import InvalidInput
from acme_base.settings import Settings
from acme_txn.bootstrap import App, bootstrap
from acme_txn.cli.main import build_parser, main
from projections.rebuild import plan_rebuild

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def bank(now: datetime = NOW) -> tuple[App, Any]:
    """A and B (opened in 2010), A funded in 2010 and 2026, 20.00 pending to B for 60 s.
    What happened in 2010 was recorded then (archival goes by the ledger's recorded time)."""
    app = bootstrap(Settings(table_prefix="memory"), memory=True)
    ledger = app.new_ledger(clock=lambda: now)
    then = app.new_ledger(clock=lambda: datetime(2010, 2, 1, 1, tzinfo=UTC))
    for raw in (
        {"type": "register_customer", "customer_id": "C1", "name": "Ada Li",
         "phone": "+12125550101", "state": "NY", "special_status": []},
        {"type": "open_account", "account_id": "A", "customer_id": "C1",
         "occurred_at": "2010-01-01T00:00:00Z"},
        {"type": "open_account", "account_id": "B", "customer_id": "C1",
         "occurred_at": "2010-01-01T00:00:00Z"},
        {"type": "credit", "txn_id": "OLD", "account_id": "A", "amount": "5.00",
         "occurred_at": "2010-02-01T00:00:00Z"},
        {"type": "credit", "txn_id": "F", "account_id": "A", "amount": "50.00"},
        {"type": "transfer", "txn_id": "P", "from_account": "A", "to_account": "B",
         "amount": "20.00", "pending": True, "timeout_s": 60},
    ):  # fmt: skip
        recorder = then if "2010" in str(raw.get("occurred_at")) else ledger
        assert recorder.submit_raw(raw).status in {"registered", "opened", "approved", "pending"}
    return app, ledger


def log(app: App) -> list[Any]:
    return [e for account in ("A", "B") for e in app.event_store.events(account)]


def test_given_a_future_now_when_swept_then_refused_and_nothing_written() -> None:
    app, ledger = bank()
    before = log(app)
    with pytest.raises(InvalidInput, match="after the ledger's clock"):
        ledger.expire_pending(NOW + timedelta(hours=1))
    assert log(app) == before


def test_given_a_future_now_and_force_when_swept_then_it_expires() -> None:
    _, ledger = bank()
    outcomes = ledger.expire_pending(NOW + timedelta(hours=1), force=True)
    assert [o.pending_txn_id for o in outcomes] == ["P"]


def test_given_an_expired_pending_when_dry_run_then_listed_and_nothing_written() -> None:
    app, _ = bank()
    later = app.new_ledger(clock=lambda: NOW + timedelta(hours=1))
    before = log(app)
    assert later.expiry_candidates() == [("P", ("A", "B"))]
    assert log(app) == before
    assert [o.pending_txn_id for o in later.expire_pending()] == ["P"]  # the real sweep


def test_given_old_events_when_archive_dry_run_then_reported_and_nothing_written() -> None:
    app, _ = bank()
    before = log(app)
    report = app.archiver.run(date(2011, 1, 1), dry_run=True)
    data = report.as_dict()
    assert data["dry_run"] and [a["account_id"] for a in data["accounts"]] == ["A"]
    assert (data["events_written_to_archive"], data["live_items_removed"]) == (0, 0)
    assert log(app) == before and list(app.archive.events("A")) == []


def test_given_views_when_rebuild_dry_run_then_counted_and_nothing_dropped() -> None:
    app, _ = bank()
    app.projector.project(log(app))
    items = list(app.views.scan())
    plan = plan_rebuild(app.history, app.views, "all")
    assert plan["events_to_replay"] == len(log(app)) and plan["items_to_drop"] == len(items)
    assert list(app.views.scan()) == items


@pytest.mark.parametrize(
    "argv",
    [
        ["expire-pending", "--dry-run"],
        ["archive", "--dry-run"],
        ["dlq", "redrive", "--dry-run"],
        ["project", "--rebuild", "all", "--dry-run"],
    ],
)
def test_every_bulk_writer_takes_dry_run(argv: list[str]) -> None:
    assert build_parser().parse_args(argv).dry_run is True


def test_given_the_cli_when_now_is_in_the_future_then_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    code = main(["--endpoint-url", "http://127.0.0.1:9", "expire-pending", "--now", future])
    assert code == 2 and "--force" in capsys.readouterr().err
