"""GIVEN a fresh ledger WHEN accounts are opened and credited THEN events are stored."""

from processor.services.ledger import Ledger
from tests.customer_support import register


def test_open_and_credit_are_stored(ledger: Ledger) -> None:
    register(ledger, "C1")
    opened = ledger.submit_raw({"type": "open_account", "account_id": "A1", "customer_id": "C1"})
    credited = ledger.submit_raw(
        {"type": "credit", "txn_id": "T1", "account_id": "A1", "amount": "10.00"}
    )
    assert opened.status == "opened"
    assert (credited.status, credited.seq, credited.balance_after) == ("approved", 1, "10.00")
    assert [e.seq for e in ledger.store.events("A1")] == [0, 1]
