"""Two-phase transfers on DynamoDB Local: a concurrent post and void of one pending (exactly
one wins, by the store's conditions). Their rules run on the twins
(tests/app/test_pending.py)."""

from __future__ import annotations

import threading
from dataclasses import replace

from acme_txn.bootstrap import App
from processor.services.ledger import Ledger
from tests.app.test_pending import pending_transfer
from tests.customer_support import registration


def test_given_a_concurrent_post_and_void_when_both_run_then_exactly_one_wins(
    app: App,
) -> None:
    ledger = app.ledger
    for raw in (
        registration("C1"),
        {"type": "open_account", "account_id": "A", "customer_id": "C1"},
        {"type": "open_account", "account_id": "B", "customer_id": "C1"},
        {"type": "credit", "txn_id": "F1", "account_id": "A", "amount": "100.00"},
    ):
        ledger.submit_raw(raw)
    for round_ in range(4):
        pending_transfer(ledger, f"T{round_}", "10.00")
        racers = [
            replace(app.ledger, cache_heads=False),
            replace(app.ledger, cache_heads=False),
        ]  # two processes
        commands = [
            {"type": "post_pending", "txn_id": f"P{round_}", "pending_txn_id": f"T{round_}"},
            {"type": "void_pending", "txn_id": f"V{round_}", "pending_txn_id": f"T{round_}"},
        ]
        results: list[str] = []

        def race(racer: Ledger, command: dict[str, str], into: list[str] = results) -> None:
            into.append(racer.submit_raw(command).status)

        threads = [
            threading.Thread(target=race, args=(r, c))
            for r, c in zip(racers, commands, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) in (["posted", "rejected"], ["rejected", "voided"])
    a = app.event_store.replay("A")
    assert a is not None and a.pendings == ()
