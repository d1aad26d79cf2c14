"""Loyalty points on the twins: EARN/REDEEM through the ledger, tiers and multipliers, bad
input writing nothing, an unknown member. The reads of history, by-order and by-tier (the
ledger's indexes), concurrent duplicate delivery, the CLI and the demo are DynamoDB's
(tests/integration/test_loyalty.py)."""

from __future__ import annotations

from typing import Any

import pytest

from acme_base.errors import InvalidInput
from acme_txn.bootstrap import App


def earn(app: App, txn: str, user: str, order: str, amount: str) -> Any:
    return app.loyalty.submit(
        {"type": "earn", "transaction_id": txn, "user_id": user, "order_id": order,
         "amount": amount}
    )  # fmt: skip


def redeem(app: App, txn: str, user: str, points: Any) -> Any:
    return app.loyalty.submit(
        {"type": "redeem", "transaction_id": txn, "user_id": user, "points": points}
    )


def test_given_silver_member_when_earning_then_the_multiplier_applies(memory_app: App) -> None:
    app = memory_app
    # GIVEN a Silver member (x1.25)
    assert earn(app, "t1", "u1", "o1", "1000.00").status == "approved"
    # WHEN it earns on 10.00
    outcome = earn(app, "t2", "u1", "o2", "10.00")
    # THEN it gets 12 points (floor of 12.5), 1012 in all
    assert outcome.balance_after == "1012"


@pytest.mark.parametrize(
    "raw",
    [
        {"type": "earn", "transaction_id": "t9", "user_id": "u1", "order_id": "o", "amount": 1.5},
        {"type": "earn", "transaction_id": "t9", "user_id": "u1", "order_id": "o", "amount": "-1"},
        {"type": "earn", "transaction_id": "t9", "user_id": "u1", "order_id": "o",
         "amount": "0.50"},
        {"type": "earn", "transaction_id": "t9", "user_id": "u1", "order_id": "o", "amount": "5",
         "extra": 1},
        {"type": "redeem", "transaction_id": "t9", "user_id": "u1", "points": "10"},
        {"type": "redeem", "transaction_id": "t9", "user_id": "u1", "points": 0},
        {"type": "redeem", "transaction_id": "t9", "user_id": "nobody", "points": 1},
        {"type": "redeem", "transaction_id": "bad id!", "user_id": "u1", "points": 1},
    ],
)  # fmt: skip
def test_given_bad_input_when_submitted_then_rejected_and_nothing_written(
    memory_app: App, raw: dict[str, Any]
) -> None:
    app = memory_app
    # GIVEN a member with 100 points
    assert earn(app, "t1", "u1", "o1", "100").status == "approved"
    # WHEN a bad command comes
    outcome = app.loyalty.submit(raw)
    # THEN it is rejected with an error, and the member is as it was
    assert outcome.status == "rejected" and outcome.error
    assert app.event_store.idempotency_record("t9") is None
    assert app.loyalty.balance("u1")["points"] == 100


def test_given_an_unknown_member_when_balance_is_read_then_invalid_input(memory_app: App) -> None:
    app = memory_app
    with pytest.raises(InvalidInput):
        app.loyalty.balance("nobody")
