"""Bugs the property suite found, replayed as plain tests (one step list per bug), on the
in-memory twins (the fast lane)."""

from __future__ import annotations

from typing import Any

from acme_txn.bootstrap import App
from acme_txn.invariants import check_log
from processor.services.ledger import Ledger
from tests.customer_support import register

TWINS = True  # tests/property/conftest.py: no DynamoDB Local for this module


def _check_log_ok(ledger: Ledger, outcomes: list[Any]) -> list[str]:
    return check_log(ledger.store.all_events(), outcomes).problems


def test_client_txn_id_equal_to_the_open_event_id_is_not_a_second_event(memory_app: App) -> None:
    """Found by LedgerMachine: open_two_accounts(); money(credit 0.01 to A1, txn_id='open-A1').

    GIVEN account A1 opened WHEN a credit uses txn id "open-A1" (a valid client id, and what
    the AccountOpened event used to be called) THEN A1 still has at most one event per txn id,
    and the credit's retry is a duplicate of the credit."""
    ledger = memory_app.ledger
    register(ledger, "C1")
    opened = ledger.submit_raw({"type": "open_account", "account_id": "A1", "customer_id": "C1"})
    credit = {"type": "credit", "txn_id": "open-A1", "account_id": "A1", "amount": "0.01"}
    first = ledger.submit_raw(credit)
    again = ledger.submit_raw(credit)
    assert (first.status, first.seq, first.balance_after) == ("approved", 1, "0.01")
    assert (again.status, again.seq) == ("duplicate", 1)
    assert _check_log_ok(ledger, [opened, first, again]) == []


def test_check_log_accepts_a_duplicate_open_account_outcome(memory_app: App) -> None:
    """Found by LedgerMachine: open_two_accounts(); open_account(A1, C1, USD) again.

    GIVEN an account opened twice with the same attributes (the second answer is `duplicate`
    of the `opened` outcome, txn_id None) WHEN check_log checks the log with both outcomes
    THEN it reports no problem (it used to say "outcome of None names no stored event")."""
    ledger = memory_app.ledger
    register(ledger, "C1")
    cmd = {"type": "open_account", "account_id": "A1", "customer_id": "C1"}
    first, again = ledger.submit_raw(cmd), ledger.submit_raw(cmd)
    assert (first.status, again.status) == ("opened", "duplicate")
    assert _check_log_ok(ledger, [first, again]) == []
