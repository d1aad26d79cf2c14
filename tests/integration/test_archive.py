"""Archival after 7 years (issue 9, item 6) on DynamoDB Local: the move, the snapshot, the
next command, the stream, reconcile, rebuild, a crash after every write, and bad input."""

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
from tests.archive_support import crash_after, seed_old_account
from tests.customer_support import register

CUT = date(2016, 1, 1)  # seed events run 2011..2017: the prefix before 2016 is old


def old_seq_count(app: App, account: str, cut: date = CUT) -> int:
    """How many events of ``account`` occurred before ``cut`` (a prefix, by construction)."""
    limit = datetime(cut.year, cut.month, cut.day, tzinfo=UTC)
    return sum(1 for e in app.history.events(account) if e.occurred_at < limit)


def test_given_account_spanning_years_when_archived_then_live_starts_at_a_snapshot(
    app: App,
) -> None:
    # GIVEN an account with 150 events from 2011 on, and a new credit today
    seed_old_account(app.event_store, "A1", 150)
    new = app.ledger.submit_raw(
        {"type": "credit", "txn_id": "N1", "account_id": "A1", "amount": "5"}
    )
    original = list(app.event_store.events("A1"))
    before = app.event_store.replay("A1")
    cut = old_seq_count(app, "A1", date(2018, 1, 1)) - 1
    # WHEN the events before 2018 are archived (two steps: 100 actions per transaction)
    report = app.archiver.run(date(2018, 1, 1)).as_dict()
    # THEN the report names the cut, and the archive holds exactly the events 0..cut
    assert report["ok"] and report["accounts_archived"] == 1
    assert report["accounts"][0]["seq"] == cut and report["transactions"] == 2
    assert list(app.archive.events("A1")) == original[: cut + 1]
    # AND the live stream is the snapshot at the cut, then the younger events unchanged
    live = list(app.event_store.events("A1"))
    assert isinstance(live[0], HistoryArchived)
    assert (live[0].seq, live[0].balance_after) == (cut, original[cut].balance_after)
    assert (live[0].customer_id, live[0].currency, live[0].archived_events) == (
        "C1",
        "USD",
        cut + 1,
    )
    assert live[1:] == original[cut + 1 :]
    # AND the head, the fold of the live stream and of archive + live are unchanged
    assert app.event_store.head("A1") == original[-1]
    assert app.event_store.replay("A1") == before
    assert app.history.replay("A1") == before
    assert list(app.history.events("A1")) == original
    # AND the next command gets the next seq and the right balance
    after = app.ledger.submit_raw(
        {"type": "credit", "txn_id": "N2", "account_id": "A1", "amount": "1"}
    )
    assert after.status == "approved" and after.seq == new.seq + 1  # type: ignore[operator]
    assert after.balance_after == f"{before.balance / 100 + 1:.2f}"  # type: ignore[union-attr]


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


def test_given_archive_done_when_rerun_then_nothing_moves_twice(app: App) -> None:
    # GIVEN an archived account (events 2011..2016)
    seed_old_account(app.event_store, "A1", 100)
    first = app.archiver.run(CUT).as_dict()
    live = list(app.event_store.events("A1"))
    # WHEN archived again at the same date, then at a later one
    again = app.archiver.run(CUT).as_dict()
    live_again = list(app.event_store.events("A1"))
    later = app.archiver.run(date(2017, 6, 1)).as_dict()
    # THEN the rerun moves nothing; the later cut moves only the events after the first cut
    assert first["events_written_to_archive"] == first["accounts"][0]["seq"] + 1
    assert again["accounts_archived"] == 0 and live_again == live
    cut2 = later["accounts"][0]["seq"]
    assert later["events_written_to_archive"] == cut2 - first["accounts"][0]["seq"]
    assert [e.seq for e in app.archive.events("A1")] == list(range(cut2 + 1))
    assert app.history.replay("A1") == app.event_store.replay("A1")


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
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", settings.access_key or "")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", settings.secret_key or "")
    monkeypatch.setenv("ACME_TABLE_PREFIX", settings.table_prefix)

    def run(*args: str) -> tuple[int, list[Any], str]:
        code = main([*args, "--endpoint-url", settings.endpoint_url or "", "--output", "jsonl"])
        captured = capsys.readouterr()
        lines = [json.loads(line) for line in captured.out.splitlines() if line.strip()]
        return code, lines, captured.err

    return run


def test_given_old_events_when_archive_cli_then_json_report_and_events_show_snapshot(
    app: App, cli: Any
) -> None:
    # GIVEN an old account
    seed_old_account(app.event_store, "A1", 9)
    # WHEN `acme-txn archive --before 2016-01-01` runs
    code, (report,), _ = cli("archive", "--before", "2016-01-01")
    # THEN it reports the cut in JSON
    assert code == 0 and report["ok"] and report["before"] == "2016-01-01"
    assert set(report) >= {"accounts_scanned", "accounts_archived", "events_archived", "accounts"}
    seq = report["accounts"][0]["seq"]
    # AND `events` starts with the snapshot, saying how many earlier events were archived
    code, events, _ = cli("events", "A1")
    assert code == 0 and events[0]["event_type"] == "HistoryArchived"
    assert events[0]["seq"] == seq and events[0]["archived_events"] == seq + 1
    assert [e["seq"] for e in events] == list(range(seq, 10))
    # AND reconcile reads archive + live (nothing projected yet: all of it is behind, the
    # archived events included, and nothing is compared)
    code, (rec,), _ = cli("reconcile")
    assert (code, rec["damaged"], rec["records_behind"]) == (3, False, 10)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--before", "2016-13-01"], "not a date"),
        (["--before", "yesterday"], "not a date"),
        (["--before", "2999-01-01"], "less than 7 years ago"),
        ([], None),  # the default cut is allowed without --force
    ],
)
def test_given_bad_before_when_archive_cli_then_exit_2_and_nothing_moved(
    app: App, cli: Any, args: list[str], message: str | None
) -> None:
    # GIVEN an account whose events are all from this year
    register(app.ledger, "C1")
    app.ledger.submit_raw({"type": "open_account", "account_id": "A1", "customer_id": "C1"})
    app.ledger.submit_raw({"type": "credit", "txn_id": "T1", "account_id": "A1", "amount": "2"})
    live = list(app.event_store.events("A1"))
    # WHEN archive runs with a bad or too recent date
    code, out, err = cli("archive", *args)
    # THEN it refuses with a clear reason (exit 2), or (default cut) finds nothing to move
    if message is None:
        assert code == 0 and out[0]["accounts_archived"] == 0
    else:
        assert code == 2 and message in err and not out
    assert list(app.event_store.events("A1")) == live


def test_given_too_recent_date_with_force_when_archive_cli_then_moves(app: App, cli: Any) -> None:
    # GIVEN an account with events of today
    register(app.ledger, "C1")
    app.ledger.submit_raw({"type": "open_account", "account_id": "A1", "customer_id": "C1"})
    app.ledger.submit_raw({"type": "credit", "txn_id": "T1", "account_id": "A1", "amount": "2"})
    # WHEN archived before tomorrow-and-more with --force
    code, (report,), _ = cli("archive", "--before", "2999-01-01", "--force")
    # THEN the whole stream is archived and the snapshot carries the balance
    assert code == 0 and report["accounts"][0] == {
        "account_id": "A1",
        "seq": 1,
        "archived_events": 2,
        "balance": "2.00",
        "currency": "USD",
    }


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
