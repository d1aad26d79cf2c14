"""The application tests' helpers see what they stand in for: ``stored`` changes with every
kind of write a command makes (so "nothing written" can fail), and ``project`` fills the read
models as a drain of the stream would."""

from __future__ import annotations

from acme_txn.bootstrap import App
from tests.app.conftest import project, stored
from tests.customer_support import registration
from tests.offer_support import Clock, create_offer


def test_given_each_kind_of_write_then_stored_changes(memory_app: App) -> None:
    steps = [
        registration("C1"),
        {"type": "open_account", "account_id": "A1", "customer_id": "C1"},
        {"type": "credit", "txn_id": "T1", "account_id": "A1", "amount": "1.00"},
        {"type": "update_customer", "customer_id": "C1", "name": "Another Name"},
        {"type": "debit", "txn_id": "H1", "account_id": "A1", "amount": "0.50", "pending": True},
    ]
    for raw in steps:
        before = stored(memory_app)
        outcome = memory_app.ledger.submit_raw(raw)
        assert outcome.status not in {"rejected", "failed"}, outcome
        assert stored(memory_app) != before, raw
    before = stored(memory_app)
    created = memory_app.new_ledger(clock=Clock()).submit_raw(create_offer())
    assert created.status == "created" and stored(memory_app) != before


def test_given_a_log_when_projected_then_the_balances_follow_it(memory_app: App) -> None:
    for raw in (
        registration("C1"),
        {"type": "open_account", "account_id": "A1", "customer_id": "C1"},
        {"type": "credit", "txn_id": "T1", "account_id": "A1", "amount": "2.50"},
    ):
        memory_app.ledger.submit_raw(raw)
    assert memory_app.views.balance("A1") is None
    project(memory_app)
    balance = memory_app.views.balance("A1")
    assert balance is not None and balance.balance == 250
