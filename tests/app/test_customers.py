"""Customers on the twins: bad input rejected with a reason and nothing written. The stored
items' layout, the sparse index, phone uniqueness under threads and processes are DynamoDB's
(tests/integration/test_customers.py)."""

from __future__ import annotations

from typing import Any

import pytest

from acme_txn.bootstrap import App
from tests.app.conftest import stored

ADA = {
    "type": "register_customer",
    "customer_id": "C1",
    "name": "Ada Li",
    "phone": "(212) 555-0123",
    "state": "ny",
    "special_status": ["veteran", "student"],
}


BAD = [
    {**ADA, "phone": "212-555"},
    {**ADA, "state": "XX"},
    {**ADA, "name": "n" * 101},
    {**ADA, "nickname": "A"},
    {"type": "update_customer", "customer_id": "C9", "name": "Nobody"},
    {"type": "update_customer", "customer_id": "C1", "phone": "+14155550100"},  # C2's phone
    {**ADA, "customer_id": "C3", "phone": "+14155550100"},  # C2's phone
    {**ADA, "name": "Someone Else"},  # C1 registered with other details
    {"type": "open_account", "account_id": "A9", "customer_id": "C9"},
]


@pytest.mark.parametrize("cmd", BAD, ids=range(len(BAD)))
def test_given_bad_input_then_rejected_with_a_reason_and_nothing_written(
    memory_app: App, cmd: dict[str, Any]
) -> None:
    memory_app.ledger.submit_raw(ADA)
    memory_app.ledger.submit_raw({**ADA, "customer_id": "C2", "phone": "+14155550100"})
    before = stored(memory_app)
    outcome = memory_app.ledger.submit_raw(cmd)
    assert outcome.status == "rejected" and outcome.error
    assert stored(memory_app) == before
