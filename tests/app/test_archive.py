"""Archival after 7 years on the twins: the move, the snapshot, the next command, a rerun that
moves nothing twice, and the CLI (its report, `events` from the snapshot, bad dates refused).
The move also runs on DynamoDB Local (``backend``: transactions of 100 actions there); the
stream, a crash after every write, a damaged archive, a missing table and the snapshot's items
are DynamoDB's (tests/integration/test_archive.py)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from acme_txn.bootstrap import App
from acme_txn.cli.main import main
from processor.domain.events import HistoryArchived
from tests.app.conftest import use_app
from tests.archive_support import seed_old_account
from tests.customer_support import register

CUT = date(2016, 1, 1)  # seed events run 2011..2017: the prefix before 2016 is old


def old_seq_count(app: App, account: str, cut: date = CUT) -> int:
    """How many events of ``account`` occurred before ``cut`` (a prefix, by construction)."""
    limit = datetime(cut.year, cut.month, cut.day, tzinfo=UTC)
    return sum(1 for e in app.history.events(account) if e.occurred_at < limit)


@pytest.fixture
def cli(
    memory_app: App, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Any:
    use_app(memory_app, monkeypatch)

    def run(*args: str) -> tuple[int, list[Any], str]:
        code = main([*args, "--output", "jsonl"])
        captured = capsys.readouterr()
        lines = [json.loads(line) for line in captured.out.splitlines() if line.strip()]
        return code, lines, captured.err

    return run


def test_given_account_spanning_years_when_archived_then_live_starts_at_a_snapshot(
    backend: App,
) -> None:
    app = backend
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


def test_given_archive_done_when_rerun_then_nothing_moves_twice(memory_app: App) -> None:
    app = memory_app
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


def test_given_old_events_when_archive_cli_then_json_report_and_events_show_snapshot(
    memory_app: App, cli: Any
) -> None:
    app = memory_app
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
    memory_app: App, cli: Any, args: list[str], message: str | None
) -> None:
    app = memory_app
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


def test_given_too_recent_date_with_force_when_archive_cli_then_moves(
    memory_app: App, cli: Any
) -> None:
    app = memory_app
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
