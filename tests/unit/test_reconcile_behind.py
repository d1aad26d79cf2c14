"""`reconcile` tells a projection that is merely behind from one that is damaged (on the
in-memory twins): it compares only what was projected and counts the rest."""

from __future__ import annotations

from acme_base.settings import Settings
from acme_txn.bootstrap import App, bootstrap
from acme_txn.cli.report_cmd import EXIT_BEHIND, reconcile_exit
from projections.items import BALANCE
from projections.reconcile import reconcile


def bank() -> tuple[App, list[object]]:
    app = bootstrap(Settings(table_prefix="memory"), memory=True)
    for raw in (
        {"type": "register_customer", "customer_id": "C1", "name": "Ada Li",
         "phone": "+12125550101", "state": "NY", "special_status": []},
        {"type": "open_account", "account_id": "A", "customer_id": "C1"},
        {"type": "credit", "txn_id": "T1", "account_id": "A", "amount": "10.00"},
        {"type": "credit", "txn_id": "T2", "account_id": "A", "amount": "5.00"},
        {"type": "debit", "txn_id": "T3", "account_id": "A", "amount": "99.00"},  # declined
    ):  # fmt: skip
        app.ledger.submit_raw(raw)
    return app, list(app.event_store.events("A"))


def test_given_a_projection_two_records_behind_then_behind_not_damaged() -> None:
    app, events = bank()
    app.projector.project(events[:-2])
    result = reconcile(app.history, app.views)
    assert result.mismatches == [] and result.records_behind == 2
    assert not result.ok and reconcile_exit(result) == EXIT_BEHIND


def test_given_a_damaged_projection_then_mismatches_exit_1() -> None:
    app, events = bank()
    app.projector.project(events[:-2])
    tampered = [{**i, "balance": int(i["balance"]) + 1} for i in app.views.scan(BALANCE)]
    app.views.put_all(tampered)
    result = reconcile(app.history, app.views)
    assert [m.field for m in result.mismatches] == ["balance"] and reconcile_exit(result) == 1


def test_given_a_current_projection_then_ok_exit_0() -> None:
    app, events = bank()
    app.projector.project(events)
    result = reconcile(app.history, app.views)
    assert result.ok and result.records_behind == 0 and reconcile_exit(result) == 0
