"""Archival after 7 years (issue 9, item 6) on DynamoDB Local: the stream, reconcile, rebuild,
a crash after every write, a damaged archive, a missing table, and the snapshots through
DynamoDB's items. The move's logic and the CLI run on the twins (tests/app/test_archive.py)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from acme_base.settings import Settings
from acme_txn.bootstrap import App
from acme_txn.cli.main import main
from processor.domain.events import HistoryArchived
from processor.services.archiver import Archiver
from processor.storage.archive_store import DynamoArchiveStore
from projections.rebuild import rebuild_projection
from projections.reconcile import reconcile
from tests.app.test_archive import CUT
from tests.archive_support import crash_after, seed_old_account
from tests.customer_support import register


def test_given_projected_ledger_when_archived_then_stream_reconcile_and_rebuild_agree(
    app: App,
) -> None:
    # GIVEN two old accounts, one young, all projected from the stream
    for account in ("A1", "A2"):
        seed_old_account(app.event_store, account, 40)
    app.ledger.submit_raw({"type": "open_account", "account_id": "Y1", "customer_id": "C1"})
    app.ledger.submit_raw({"type": "credit", "txn_id": "Y-1", "account_id": "Y1", "amount": "7"})
    app.drain()
    views_before = app.views.snapshot()
    # WHEN archived, and the stream's REMOVE and MODIFY records are drained to the projector
    assert app.archiver.run(CUT).as_dict()["accounts_archived"] == 2
    app.drain()
    # THEN the read models did not move, and reconcile (archive + live) is ok
    assert app.views.snapshot() == views_before
    result = reconcile(app.history, app.views)
    assert result.ok, [m.line() for m in result.mismatches]
    # AND a new event after archival is projected on top of the snapshot's balance
    app.ledger.submit_raw({"type": "debit", "txn_id": "D-1", "account_id": "A1", "amount": "1"})
    app.drain()
    assert reconcile(app.history, app.views).ok
    # AND a rebuild from archive + live gives the same models
    rebuilt = rebuild_projection(app.history, app.views, "all")
    assert rebuilt.ok and not rebuilt.differences_from_live


def _archiver(app: App, step: int) -> Archiver:
    archive = DynamoArchiveStore(app.dynamodb, app.settings.archive_table, chunk=step)
    return Archiver(app.archiver.store, archive, step_actions=step)


def test_given_crash_after_each_write_when_rerun_then_nothing_lost_or_duplicated(
    app: App,
) -> None:
    # GIVEN a fresh account per crash point; 5 actions per transaction, so its 19 old events
    # (0..18) take 4 archive puts and 5 cut steps: 9 writes
    step, k, crashed = 5, 0, True
    while crashed:
        account = f"K{k}"
        state = seed_old_account(app.event_store, account, 18)
        log = list(app.history.events(account))
        archiver = _archiver(app, step)
        # WHEN the process dies after k writes of this account's archival (the run reports
        # the account's failure and goes on)
        with crash_after(app.dynamodb, k) as injector:
            failed = archiver.run(CUT, [account]).failed
            crashed = bool(failed)
        assert [f["account_id"] for f in failed] == ([account] if crashed else [])
        assert injector.passed == k
        # THEN at the crash the whole log (archive + live) and the live fold are intact
        assert list(app.history.events(account)) == log
        assert app.event_store.replay(account) == state
        # AND a rerun finishes: the archive holds each event 0..18 once, live resumes there
        assert archiver.run(CUT, [account]).ok
        assert list(app.archive.events(account)) == log
        live = list(app.event_store.events(account))
        assert len(live) == 1 and isinstance(live[0], HistoryArchived) and live[0].seq == 18
        assert app.history.replay(account) == app.event_store.replay(account) == state
        k += 1
    # AND every crash point was reached: the run after the 9th write no longer crashed
    assert k == 10


def test_given_archive_lost_an_event_when_cut_again_then_refused_and_nothing_removed(
    app: App,
) -> None:
    # GIVEN an archived account whose archive then lost an event
    seed_old_account(app.event_store, "A1", 100)
    app.archiver.run(CUT)
    original = list(app.event_store.events("A1"))
    app.dynamodb.delete_item(
        TableName=app.settings.archive_table,
        Key={"PK": {"S": "ACCT#A1"}, "SK": {"S": "TXN#000000000002"}},
    )
    # WHEN a later cut runs
    report = app.archiver.run(date(2017, 6, 1))
    # THEN the account's failure is reported and nothing was removed from the live table
    [failed] = report.failed
    assert failed["account_id"] == "A1" and "A1: seq 3 does not follow 1" in failed["error"]
    assert list(app.event_store.events("A1")) == original


# --- the CLI -----------------------------------------------------------------------------


@pytest.fixture
def cli(
    module_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    """The CLI on this module's endpoint (no tables of its own: its tests name their prefix)."""
    settings = module_settings
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", settings.access_key or "")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", settings.secret_key or "")
    monkeypatch.setenv("ACME_TABLE_PREFIX", settings.table_prefix)

    def run(*args: str) -> tuple[int, list[Any], str]:
        code = main([*args, "--endpoint-url", settings.endpoint_url or "", "--output", "jsonl"])
        captured = capsys.readouterr()
        lines = [json.loads(line) for line in captured.out.splitlines() if line.strip()]
        return code, lines, captured.err

    return run


def test_given_unknown_table_prefix_when_archive_cli_then_fails_clearly(cli: Any) -> None:
    # WHEN archive runs against tables that do not exist
    code, out, err = cli("archive", "--table-prefix", "nosuchprefix")
    # THEN it fails (exit 1) naming the missing table, and prints no report
    assert code == 1 and "acme-txn init" in err and not out


def test_given_closed_and_overdrawn_accounts_when_archived_then_both_keep_their_state(
    app: App,
) -> None:
    # GIVEN on DynamoDB Local, in 2011: A1 closed at zero, A2 overdrawn within its limit
    register(app.ledger, "C1")
    moments = iter(datetime(2011, 3, d, 9, tzinfo=UTC) for d in range(1, 28))
    app.ledger.clock = lambda: next(moments)
    commands: list[dict[str, Any]] = [
        {"type": "open_account", "account_id": "A1", "customer_id": "C1"},
        {"type": "open_account", "account_id": "A2", "customer_id": "C1", "credit_limit": "50"},
        {"type": "credit", "txn_id": "c1", "account_id": "A1", "amount": "1000.00"},
        {"type": "debit", "txn_id": "d1", "account_id": "A1", "amount": "1000.00"},
        {"type": "close_account", "txn_id": "x1", "account_id": "A1"},
        {"type": "debit", "txn_id": "d2", "account_id": "A2", "amount": "30.00"},
    ]
    for cmd in commands:
        assert app.ledger.submit_raw(cmd).status in {"opened", "approved", "closed"}, cmd
    states = {a: app.event_store.replay(a) for a in ("A1", "A2")}
    # WHEN archived (the snapshots go through DynamoDB's items and back)
    report = app.archiver.run(CUT)
    assert report.ok, report.failed
    # THEN each live stream is one snapshot carrying the whole state, and replays to it
    for account, state in states.items():
        [snapshot] = app.event_store.events(account)
        assert isinstance(snapshot, HistoryArchived)
        assert app.event_store.replay(account) == app.history.replay(account) == state
    assert states["A1"] is not None and states["A1"].closed
    assert states["A2"] is not None and states["A2"].balance == -3000
    # AND the closed account refuses money; the overdrawn one goes on within its limit
    fresh = app.new_ledger()
    later = iter(datetime(2026, 1, d, tzinfo=UTC) for d in range(1, 9))
    fresh.clock = lambda: next(later)
    refused = fresh.submit_raw(
        {"type": "credit", "txn_id": "c9", "account_id": "A1", "amount": "1000.00"}
    )
    assert refused.status == "rejected" and "closed" in (refused.error or "")
    spent = fresh.submit_raw({"type": "debit", "txn_id": "d9", "account_id": "A2", "amount": "20"})
    past = fresh.submit_raw({"type": "debit", "txn_id": "d10", "account_id": "A2", "amount": "1"})
    assert (spent.status, past.status, past.reason) == ("approved", "declined", "limit_exceeded")
