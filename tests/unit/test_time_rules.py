"""Time the ledger controls: ``recorded_at`` is the ledger's clock; a client's ``occurred_at``
may not run ahead of it (beyond a small skew) nor back beyond a bound unless the caller is the
operator; a pending expires at ``recorded_at + timeout_s``; holds placed by others have slots
of their own. All on the in-memory twins, with an injected clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from acme_base.settings import Settings
from acme_txn.bootstrap import App, Options, bootstrap
from acme_txn.http_api import HttpApi
from acme_txn.http_api.local import http_event
from processor.domain.events import PendingPlaced
from processor.services.ledger import Ledger
from streams.handlers import CountingMetrics
from tests.auth_support import authenticator, bearer, token
from tests.customer_support import register

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def at(delta: timedelta) -> str:
    return (NOW + delta).isoformat().replace("+00:00", "Z")


#: the accounts were opened long before the backdated commands these tests send
OPENED = "2000-01-01T00:00:00Z"


def world(options: Options | None = None) -> tuple[App, Ledger]:
    app = bootstrap(Settings(table_prefix="memory"), options, memory=True)
    ledger = app.new_ledger(clock=lambda: NOW)
    register(ledger, "C1", "C2")
    for account, customer in (("A", "C1"), ("B", "C2"), ("E", "C2")):
        opened = ledger.submit_raw(
            {"type": "open_account", "account_id": account, "customer_id": customer,
             "occurred_at": OPENED}
        )  # fmt: skip
        assert opened.status == "opened", opened
    for account in ("A", "B", "E"):
        funded = ledger.submit_raw(
            {"type": "credit", "txn_id": f"F{account}", "account_id": account, "amount": "1000"}
        )
        assert funded.status == "approved"
    return app, ledger


def credit(txn: str, **fields: Any) -> dict[str, Any]:
    return {"type": "credit", "txn_id": txn, "account_id": "A", "amount": "1.00", **fields}


def count(app: App, account: str = "A") -> int:
    return len(list(app.event_store.events(account)))


# --- the future ------------------------------------------------------------------------------


@pytest.mark.parametrize("ahead", [timedelta(minutes=6), timedelta(days=1), timedelta(days=27000)])
def test_given_occurred_at_past_now_plus_skew_then_rejected_and_nothing_written(
    ahead: timedelta,
) -> None:
    app, ledger = world()
    before = count(app)
    when = at(ahead) if ahead < timedelta(days=20000) else "2099-12-31T00:00:00Z"
    outcome = ledger.submit_raw(credit("T1", occurred_at=when))
    assert outcome.status == "rejected" and "ahead of the ledger's clock" in (outcome.error or "")
    assert count(app) == before


def test_given_occurred_at_within_the_skew_then_accepted() -> None:
    _, ledger = world()
    assert (
        ledger.submit_raw(credit("T1", occurred_at=at(timedelta(minutes=4)))).status == "approved"
    )


def test_given_a_future_leg_in_a_linked_batch_then_the_batch_is_rejected() -> None:
    app, ledger = world()
    legs = [credit("L1"), credit("L2", occurred_at="2099-01-01T00:00:00Z")]
    outcome = ledger.submit_raw({"type": "linked", "txn_id": "LB", "legs": legs})
    assert outcome.status == "rejected" and count(app) == 2


def test_given_a_configured_skew_then_it_is_the_bound() -> None:
    options = Options.from_env({"ACME_LEDGER_MAX_SKEW_S": "30"})
    _, ledger = world(options)
    late = ledger.submit_raw(credit("T1", occurred_at=at(timedelta(seconds=45))))
    assert late.status == "rejected"
    assert ledger.submit_raw(credit("T2", occurred_at=at(timedelta(seconds=20)))).status == (
        "approved"
    )


# --- the past --------------------------------------------------------------------------------


def test_given_backdating_beyond_the_bound_then_only_the_operator_may() -> None:
    app, ledger = world()
    old = at(-timedelta(days=30))
    refused = ledger.submit_raw(credit("T1", occurred_at=old), operator=False)
    assert refused.status == "rejected" and "operator" in (refused.error or "")
    assert count(app) == 2
    assert ledger.submit_raw(credit("T1", occurred_at=old), operator=True).status == "approved"


def test_given_backdating_within_the_bound_then_anyone_may() -> None:
    _, ledger = world()
    recent = at(-timedelta(days=2))
    assert ledger.submit_raw(credit("T1", occurred_at=recent), operator=False).status == "approved"


def test_given_a_configured_backdate_bound_then_it_is_the_bound() -> None:
    _, ledger = world(Options.from_env({"ACME_LEDGER_MAX_BACKDATE_S": "3600"}))
    two_hours = at(-timedelta(hours=2))
    assert ledger.submit_raw(credit("T1", occurred_at=two_hours), operator=False).status == (
        "rejected"
    )


def _backdated_credit_over_http(scopes: tuple[str, ...]) -> tuple[int, Any, App]:
    app = bootstrap(Settings(table_prefix="memory"), memory=True)
    register(app.ledger, "C1")
    app.ledger.submit_raw(
        {"type": "open_account", "account_id": "A", "customer_id": "C1", "occurred_at": OPENED}
    )
    api = HttpApi(app, CountingMetrics(), authenticator())
    body = json.dumps(credit("T1", occurred_at="2020-01-01T00:00:00Z"))
    headers = {"content-type": "application/json", **bearer(token("svc-1", scopes))}
    response = api(http_event("POST", "/commands", body, headers), None)
    return response["statusCode"], json.loads(response["body"]), app


def test_given_the_http_api_then_backdating_beyond_the_bound_is_400() -> None:
    status, body, app = _backdated_credit_over_http(("ledger/transact",))
    assert status == 400, body
    assert "operator" in body["detail"]
    assert count(app) == 1


def test_given_an_operator_token_then_the_http_api_may_backdate() -> None:
    status, body, app = _backdated_credit_over_http(("ledger/transact", "ledger/operate"))
    assert (status, body["status"]) == (200, "approved"), body
    assert count(app) == 2


# --- pendings expire on the ledger's clock ---------------------------------------------------


def hold(txn: str, **fields: Any) -> dict[str, Any]:
    return {"type": "debit", "txn_id": txn, "account_id": "A", "amount": "1.00", "pending": True}


def test_given_a_backdated_pending_then_it_expires_at_recorded_at_plus_timeout() -> None:
    app, ledger = world()
    old = at(-timedelta(days=3))
    placed = ledger.submit_raw({**hold("H1"), "occurred_at": old, "timeout_s": 60})
    assert placed.status == "pending", placed
    (event,) = [e for e in app.event_store.events("A") if isinstance(e, PendingPlaced)]
    assert event.expires_at == NOW + timedelta(seconds=60)
    assert ledger.expire_pending(NOW + timedelta(seconds=59), force=True) == []
    later = app.new_ledger(clock=lambda: NOW + timedelta(seconds=61))
    assert [o.pending_txn_id for o in later.expire_pending()] == ["H1"]


def test_given_a_pending_dated_2099_then_it_never_outlives_its_timeout() -> None:
    app, ledger = world()
    placed = ledger.submit_raw(
        {**hold("H1"), "occurred_at": "2099-01-01T00:00:00Z", "timeout_s": 60}
    )
    assert placed.status == "rejected"  # dated in the future: refused outright
    # and a pending transfer without a date expires on the ledger's clock, however dated later
    later = app.new_ledger(clock=lambda: NOW + timedelta(days=31))
    assert ledger.submit_raw({**hold("H2"), "timeout_s": 30 * 86_400}).status == "pending"
    assert [o.pending_txn_id for o in later.expire_pending()] == ["H2"]


# --- holds placed by others ------------------------------------------------------------------


def incoming(n: int, sender: str = "B") -> dict[str, Any]:
    return {"type": "transfer", "txn_id": f"I{sender}{n}", "from_account": sender,
            "to_account": "A", "amount": "0.01", "pending": True}  # fmt: skip


def test_given_others_fill_the_incoming_slots_then_the_owner_can_still_hold() -> None:
    _, ledger = world()
    senders = [f"S{i}" for i in range(8)]
    for sender in senders:
        ledger.submit_raw(
            {"type": "open_account", "account_id": sender, "customer_id": "C2",
             "occurred_at": OPENED}
        )  # fmt: skip
        ledger.submit_raw({**credit(f"F{sender}"), "account_id": sender})
    outcomes = [ledger.submit_raw(incoming(n, s)) for s in senders for n in range(10)]
    assert [o.status for o in outcomes].count("pending") == 16
    errors = {o.error for o in outcomes if o.status == "rejected"}
    assert any("held for it by others" in (e or "") for e in errors), errors
    own = ledger.submit_raw({**hold("OWN1"), "timeout_s": 600})
    assert own.status == "pending", own  # the owner's card authorisation is not refused


def test_given_one_sender_then_it_takes_at_most_its_share_of_the_incoming_slots() -> None:
    _, ledger = world()
    outcomes = [ledger.submit_raw(incoming(n)) for n in range(10)]
    assert [o.status for o in outcomes].count("pending") == 4
    assert ledger.submit_raw(incoming(0, "E")).status == "pending"  # another sender still can


def test_given_an_expense_dated_today_before_noon_then_it_is_booked_not_future() -> None:
    app = bootstrap(Settings(table_prefix="memory"), memory=True)
    morning = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    app.ledger.clock = lambda: morning
    expense = {"type": "expense", "expense_id": "X1", "user_id": "u1", "amount": "5.00",
               "category": "food", "description": "breakfast", "date": "2026-12-07"}  # fmt: skip
    outcome = app.budgets.submit(expense)
    assert getattr(outcome, "status", None) == "approved", outcome
    tomorrow = app.budgets.submit({**expense, "expense_id": "X2", "date": "2026-12-08"})
    assert getattr(tomorrow, "status", None) == "rejected"  # dated in the future
