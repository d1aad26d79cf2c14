"""Two-phase transfers, holds and expiry through the ledger, on the twins: place, post
(partially), void, expire, the sweeper, bad resolutions writing nothing. A partial post and
the sweeper also run on DynamoDB Local (``backend``: the pending index is a sparse index
there); a concurrent post and void of one pending is DynamoDB's condition
(tests/integration/test_pending.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from acme_txn.bootstrap import App
from processor.domain.pending import available_now, pending_credits, pending_debits
from processor.services.ledger import Ledger
from tests.customer_support import registration

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def world_on(app: App) -> tuple[App, Ledger, Clock]:
    """An app and a ledger on it with a clock we move."""
    clock = Clock()
    ledger = replace(app.ledger, clock=clock)
    for raw in (
        registration("C1"),
        {"type": "open_account", "account_id": "A", "customer_id": "C1"},
        {"type": "open_account", "account_id": "B", "customer_id": "C1"},
        {"type": "credit", "txn_id": "F1", "account_id": "A", "amount": "100.00"},
    ):
        assert ledger.submit_raw(raw).status in {"registered", "opened", "approved"}
    return app, ledger, clock


@pytest.fixture
def world(memory_app: App) -> tuple[App, Ledger, Clock]:
    return world_on(memory_app)


def submit(ledger: Ledger, **fields: Any) -> dict[str, Any]:
    return ledger.submit_raw(fields).to_json_dict()


def pending_transfer(ledger: Ledger, txn: str = "T1", amount: str = "60.00") -> dict[str, Any]:
    return submit(
        ledger, type="transfer", txn_id=txn, from_account="A", to_account="B",
        amount=amount, pending=True, timeout_s=600,
    )  # fmt: skip


def test_given_a_pending_transfer_when_placed_then_only_the_senders_available_drops(
    world: tuple[App, Ledger, Clock],
) -> None:
    app, ledger, clock = world
    assert pending_transfer(ledger)["status"] == "pending"
    sender, receiver = app.event_store.state("A"), app.event_store.state("B")
    assert sender is not None and receiver is not None
    assert (sender.balance, pending_debits(sender, clock.now)) == (10000, 6000)
    assert available_now(sender, clock.now) == 4000
    assert (receiver.balance, pending_credits(receiver, clock.now)) == (0, 6000)
    declined = submit(ledger, type="debit", txn_id="D1", account_id="A", amount="50.00")
    assert (declined["status"], declined["reason"]) == ("declined", "low_balance")


def test_given_a_voided_pending_when_posted_then_rejected_naming_the_void(
    world: tuple[App, Ledger, Clock],
) -> None:
    app, ledger, _ = world
    pending_transfer(ledger)
    assert submit(ledger, type="void_pending", txn_id="V1", pending_txn_id="T1")["status"] == (
        "voided"
    )
    again = submit(ledger, type="post_pending", txn_id="P1", pending_txn_id="T1")
    assert again["status"] == "rejected" and "already voided (by V1)" in again["error"]
    resent = submit(ledger, type="void_pending", txn_id="V1", pending_txn_id="T1")
    assert (resent["status"], resent["original_status"]) == ("duplicate", "voided")
    state = app.event_store.state("A")
    assert state is not None and (state.balance, state.pendings) == (10000, ())


def test_given_a_hold_and_a_pending_credit_when_posted_then_the_balances_move(
    world: tuple[App, Ledger, Clock],
) -> None:
    app, ledger, _ = world
    submit(ledger, type="debit", txn_id="H1", account_id="A", amount="30.00", pending=True)
    submit(ledger, type="credit", txn_id="H2", account_id="B", amount="5.00", pending=True)
    assert submit(ledger, type="post_pending", txn_id="P1", pending_txn_id="H1")["status"] == (
        "posted"
    )
    assert submit(ledger, type="post_pending", txn_id="P2", pending_txn_id="H2")[
        "balance_after"
    ] == ("5.00")
    a, b = app.event_store.replay("A"), app.event_store.replay("B")
    assert a is not None and b is not None and (a.balance, b.balance) == (7000, 500)


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"pending_txn_id": "NOPE"}, "unknown pending txn"),
        ({"pending_txn_id": "F1"}, "not a pending one"),
        ({"pending_txn_id": "T1", "amount": "60.01"}, "holds less"),
        ({"pending_txn_id": "T1", "amount": "1.001"}, "places"),
    ],
)
def test_given_bad_resolutions_when_submitted_then_rejected_and_nothing_written(
    world: tuple[App, Ledger, Clock], fields: dict[str, Any], error: str
) -> None:
    app, ledger, _ = world
    pending_transfer(ledger)
    head = app.event_store.state("A")
    outcome = submit(ledger, type="post_pending", txn_id="P9", **fields)
    assert outcome["status"] == "rejected" and error in outcome["error"]
    assert app.event_store.state("A") == head
    assert app.event_store.idempotency_record("P9") is None


class TestOnEitherBackend:
    @pytest.fixture
    def world(self, backend: App) -> tuple[App, Ledger, Clock]:
        return world_on(backend)

    def test_given_a_pending_when_partially_posted_then_the_rest_is_released(
        self, world: tuple[App, Ledger, Clock]
    ) -> None:
        app, ledger, _ = world
        pending_transfer(ledger)
        posted = submit(
            ledger, type="post_pending", txn_id="P1", pending_txn_id="T1", amount="25.00"
        )
        assert (posted["status"], posted["balance_after"], posted["to_balance_after"]) == (
            "posted",
            "75.00",
            "25.00",
        )
        sender = app.event_store.replay("A")  # the fold checks every invariant
        assert sender is not None and sender.pendings == () and sender.balance == 7500
        assert app.event_store.replay("B") is not None

    def test_given_an_expired_pending_when_posted_then_rejected_and_the_sweeper_records_it_once(
        self, world: tuple[App, Ledger, Clock]
    ) -> None:
        app, ledger, clock = world
        pending_transfer(ledger)
        hold = submit(
            ledger, type="debit", txn_id="H1", account_id="A", amount="10.00", pending=True
        )  # default timeout: a day
        assert hold["status"] == "pending"
        clock.now = T0 + timedelta(seconds=601)
        late = submit(ledger, type="post_pending", txn_id="P1", pending_txn_id="T1")
        assert late["status"] == "rejected" and "expired" in late["error"]
        sender = app.event_store.state("A")
        assert sender is not None and available_now(sender, clock.now) == 9000  # before any sweep
        swept = ledger.expire_pending()
        assert [(o.status, o.pending_txn_id) for o in swept] == [("expired", "T1")]
        assert ledger.expire_pending() == []  # idempotent
        after = submit(ledger, type="void_pending", txn_id="V1", pending_txn_id="T1")
        assert "already expired" in after["error"]
        assert app.event_store.replay("A") is not None and app.event_store.replay("B") is not None
