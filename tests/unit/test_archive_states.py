"""Archival keeps every state: a closed, blocked, overdrawn or bank-side account, its limits
and its open holds come out of a cut as they went in (the snapshot carries the whole state,
the archive check compares the whole state), and one account's failure does not stop a run.
On the in-memory twins (``bootstrap(memory=True)``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from acme_base.settings import Settings
from acme_txn.bootstrap import App, bootstrap
from processor.domain.account_state import AccountState
from processor.domain.decide import fold
from processor.domain.events import FundsCredited, HistoryArchived
from processor.domain.limit_model import Limits
from processor.domain.pending_model import Hold
from processor.services.archiver import states_differ
from processor.storage.codec import event_to_item, item_to_event
from processor.storage.ports import state_of_head
from tests.customer_support import register

START = datetime(2011, 3, 1, 9, 0, tzinfo=UTC)
CUT = date(2019, 1, 1)


class Clock:
    """The ledger's clock: a day later on every reading, from 2011 on."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(days=1)
        return self.now


def memory_app() -> tuple[App, Clock]:
    app = bootstrap(Settings(table_prefix="memory"), memory=True)
    clock = Clock()
    app.ledger.clock = clock
    register(app.ledger, "C1")
    return app, clock


def submit(app: App, **cmd: Any) -> dict[str, Any]:
    return app.ledger.submit_raw(cmd).to_json_dict()


def opened(app: App, account: str = "A1", **limits: Any) -> None:
    out = submit(app, type="open_account", account_id=account, customer_id="C1", **limits)
    assert out["status"] == "opened", out


def archived(app: App, before: date = CUT) -> dict[str, Any]:
    """Archive at ``before``; the live stream now starts with a snapshot."""
    original = {a: fold(app.event_store.events(a)) for a in ("A1", "A2")}
    report = app.archiver.run(before)
    assert report.ok, report.failed
    for account, state in original.items():
        if state is None:
            continue
        live = list(app.event_store.events(account))
        assert isinstance(live[0], HistoryArchived), live[0]
        assert fold(live) == state  # the whole state survives the cut
        assert app.history.replay(account) == state
    return report.as_dict()


def fresh_ledger(app: App, clock: Clock) -> None:
    """A ledger without cached heads: it reads the state from the live head (the snapshot)."""
    app.ledger.forget_heads()
    app.ledger.clock = clock


def test_given_a_closed_account_when_archived_then_it_stays_closed() -> None:
    # GIVEN an account credited, emptied and closed in 2011
    app, clock = memory_app()
    opened(app)
    submit(app, type="credit", txn_id="c1", account_id="A1", amount="1000.00")
    submit(app, type="debit", txn_id="d1", account_id="A1", amount="1000.00")
    assert submit(app, type="close_account", txn_id="x1", account_id="A1")["status"] == "closed"
    # WHEN it is archived (the AccountClosed head becomes the snapshot)
    archived(app)
    fresh_ledger(app, clock)
    head = app.event_store.head("A1")
    assert isinstance(head, HistoryArchived) and head.closed
    # THEN money commands are rejected "closed", and nothing is written
    for cmd in (
        {"type": "credit", "txn_id": "c2", "account_id": "A1", "amount": "1000.00"},
        {"type": "debit", "txn_id": "d2", "account_id": "A1", "amount": "1000.00"},
    ):
        out = submit(app, **cmd)
        assert out["status"] == "rejected" and "closed" in out["error"], out
    assert list(app.event_store.events("A1"))[-1] == head


@pytest.mark.parametrize(
    ("limits", "setup"),
    [
        ({"credit_limit": "50.00"}, [("debit", "30.00")]),
        ({"credits_must_not_exceed_debits": True}, [("debit", "30.00"), ("credit", "10.00")]),
    ],
    ids=["overdrawn_within_credit_limit", "credits_must_not_exceed_debits"],
)
def test_given_a_negative_balance_at_the_cut_when_archived_then_replayed_and_rerun(
    limits: dict[str, Any], setup: list[tuple[str, str]]
) -> None:
    # GIVEN an account below zero within its limits, and another account beside it
    app, clock = memory_app()
    opened(app, **limits)
    opened(app, "A2")
    submit(app, type="credit", txn_id="a2-1", account_id="A2", amount="5.00")
    for i, (kind, amount) in enumerate(setup):
        out = submit(app, type=kind, txn_id=f"t{i}", account_id="A1", amount=amount)
        assert out["status"] == "approved", out
    # WHEN archived, then more events, then archived again at a later cut
    archived(app)
    fresh_ledger(app, clock)
    out = submit(app, type="debit", txn_id="later", account_id="A1", amount="1.00")
    assert out["status"] == "approved", out
    clock.now = datetime(2021, 1, 1, tzinfo=UTC)
    submit(app, type="credit", txn_id="a2-3", account_id="A2", amount="1.00")
    # THEN every run archives every account (none aborts) and the stream replays
    second = archived(app, date(2020, 1, 1))
    assert {a["account_id"] for a in second["accounts"]} == {"A1"}
    assert fold(app.event_store.events("A1")) == app.history.replay("A1")


def test_given_one_broken_account_when_archived_then_reported_and_the_run_goes_on() -> None:
    # GIVEN A1 whose stream breaks the fold (a balance_after that does not add up), and A2
    app, _ = memory_app()
    opened(app)
    opened(app, "A2")
    submit(app, type="credit", txn_id="c1", account_id="A2", amount="5.00")
    head = app.event_store.head("A1")
    assert head is not None
    broken = FundsCredited(
        account_id="A1",
        seq=1,
        txn_id="bad",
        currency="USD",
        amount=100,
        balance_after=7,
        occurred_at=head.occurred_at + timedelta(days=1),
    )
    app.event_store.append([broken], [])
    # WHEN archived
    report = app.archiver.run(CUT)
    # THEN A1 is reported failed, A2 archived all the same
    assert [f["account_id"] for f in report.failed] == ["A1"]
    assert "balance_after" in report.failed[0]["error"]
    assert [a["account_id"] for a in report.accounts] == ["A2"]
    assert not report.ok


BASE = AccountState("A1", "C1", "USD", -500, 7, limits=Limits(credit_limit=1000))
HOLD = Hold(
    txn_id="p1", side="debit", amount=5, expires_at=START + timedelta(days=3), counterparty=None
)
CHANGES: dict[str, Callable[[AccountState], AccountState]] = {
    "account_id": lambda s: dataclasses.replace(s, account_id="A2"),
    "customer_id": lambda s: dataclasses.replace(s, customer_id="C2"),
    "currency": lambda s: dataclasses.replace(s, currency="EUR"),
    "balance": lambda s: dataclasses.replace(s, balance=-499),
    "seq": lambda s: dataclasses.replace(s, seq=8),
    "blocked": lambda s: dataclasses.replace(s, blocked=True),
    "limits": lambda s: dataclasses.replace(s, limits=Limits(credit_limit=999)),
    "closed": lambda s: dataclasses.replace(s, closed=True),
    "pendings": lambda s: dataclasses.replace(s, pendings=(HOLD,)),
    "opened_at": lambda s: dataclasses.replace(s, opened_at=START),
}


def test_every_field_of_the_state_has_a_change_here() -> None:
    assert set(CHANGES) == {f.name for f in dataclasses.fields(AccountState)}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_given_states_differing_in_one_field_when_checked_then_they_differ(name: str) -> None:
    assert not states_differ(BASE, BASE)
    assert states_differ(BASE, CHANGES[name](BASE))


def snapshot(**fields: Any) -> HistoryArchived:
    return HistoryArchived(
        account_id="A1",
        seq=4,
        txn_id="archive#A1#4",
        currency="USD",
        amount=0,
        balance_after=0,
        occurred_at=START,
        customer_id="C1",
        archived_events=5,
        archived_before="2019-01-01",
        archived_at=START,
        **fields,
    )


def test_given_a_snapshot_item_of_the_first_version_when_read_then_it_is_not_closed() -> None:
    # GIVEN a snapshot item as the first version stored it (no closed flag, version 1)
    item = event_to_item(snapshot())
    item.pop("closed", None)
    item["version"] = 1
    # WHEN read
    event = item_to_event(item)
    # THEN it reads, open, and the fold starts from it
    assert isinstance(event, HistoryArchived) and not event.closed and event.version == 1
    assert fold([event]) == AccountState("A1", "C1", "USD", 0, 4)


def test_given_a_closed_snapshot_when_stored_and_read_then_the_state_is_closed() -> None:
    event = snapshot(closed=True)
    back = item_to_event(event_to_item(event))
    assert back == event and back.version == 2
    assert fold([back]) == AccountState("A1", "C1", "USD", 0, 4, closed=True)
    head = state_of_head("A1", back)
    assert head is not None and head.closed


def test_given_an_archived_account_when_its_opening_is_resent_then_not_opened_again() -> None:
    # GIVEN A1 opened with limits in 2011, archived (its AccountOpened is in the archive)
    app, clock = memory_app()
    register(app.ledger, "C2")
    opening = {"type": "open_account", "account_id": "A1", "customer_id": "C1"}
    assert submit(app, **opening, credit_limit="5.00")["status"] == "opened"
    submit(app, type="credit", txn_id="c1", account_id="A1", amount="3.00")
    archived(app)
    fresh_ledger(app, clock)
    live = list(app.event_store.events("A1"))
    # WHEN the opening is resent as it was, then with other limits or another customer
    same = submit(app, **opening, credit_limit="5.00")
    others = [submit(app, **opening), submit(app, **{**opening, "customer_id": "C2"})]
    # THEN the same is a duplicate of the archived opening, the others rejected; no new seq 0
    assert (same["status"], same["original_status"], same["seq"]) == ("duplicate", "opened", 0)
    assert [o["status"] for o in others] == ["rejected", "rejected"]
    assert list(app.event_store.events("A1")) == live
