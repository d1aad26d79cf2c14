"""`balance --as-of` on the twins: the as-of balance is the fold of the log's prefix, a credit
recorded after a later one counts, what was known at an instant, and a command dated before
the opening refused. Statements and the CLI read the ledger's indexes, and the number of
Queries a read makes is DynamoDB's (tests/integration/test_statements.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from acme_txn.bootstrap import App
from processor.domain.decide import fold

DAYS = ("2024-03-01", "2024-03-02", "2024-03-03")


#: (txn, kind, amount, day, hour): A1's history, occurred_at increasing with seq
HISTORY = [
    ("T1", "credit", "100.00", 0, 9),
    ("T2", "debit", "30.00", 0, 15),
    ("T3", "debit", "500.00", 1, 10),  # declined: low balance
    ("T4", "credit", "12.34", 1, 11),
    ("T5", "debit", "2.34", 2, 8),
    ("T6", "credit", "1.00", 2, 20),
]


def _at(day: int, hour: int) -> str:
    return f"{DAYS[day]}T{hour:02d}:00:00Z"


def with_history(app: App) -> App:
    """C1's account A1, then ``HISTORY``."""
    customer = app.ledger.submit_raw(
        {"type": "register_customer", "customer_id": "C1", "name": "Ada Li",
         "phone": "+12125550101", "state": "NY", "special_status": []}
    )  # fmt: skip
    assert customer.status == "registered", customer
    opened = app.ledger.submit_raw(
        {"type": "open_account", "occurred_at": "2000-01-01T00:00:00Z",
         "account_id": "A1", "customer_id": "C1", "currency": "USD"}
    )  # fmt: skip
    assert opened.status == "opened", opened
    for txn, kind, amount, day, hour in HISTORY:
        app.ledger.submit_raw(
            {"type": kind, "txn_id": txn, "account_id": "A1", "amount": amount,
             "occurred_at": _at(day, hour)}
        )  # fmt: skip
    return app


@pytest.fixture
def bank(memory_app: App) -> App:
    return with_history(memory_app)


def _fold(app: App, at: datetime) -> int:
    """Fold (evolve) the log's seq prefix up to the last money event effective by ``at``
    (the opening is always in it: it was opened, at today's date, before this history)."""
    events = list(app.event_store.events("A1"))
    effective = [i for i, e in enumerate(events) if e.seq > 0 and e.occurred_at <= at]
    state = fold(events[: effective[-1] + 1] if effective else events[:1])
    assert state is not None
    return state.balance


@pytest.mark.parametrize(
    "at",
    ["2024-02-29T00:00:00Z", _at(0, 9), _at(0, 12), _at(1, 10), _at(1, 23), _at(2, 19)],
)
def test_given_a_history_when_asked_as_of_then_equals_the_fold_of_the_log_prefix(
    bank: App, at: str
) -> None:
    instant = datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(UTC)
    reads = bank.asof
    answer = reads.balance_at("A1", instant)
    assert (answer.balance if answer else 0) == _fold(bank, instant)


def test_given_a_credit_recorded_after_a_later_one_when_asked_as_of_then_it_counts(
    memory_app: App,
) -> None:
    """The three-command reproduction: an account, 10.00 effective an hour ago, then 70.00
    effective two hours ago (recorded later): as of 90 minutes ago, the balance is 70.00.
    (Dated in the past: the ledger refuses what is dated ahead of its clock.)"""
    app = memory_app
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    customer = {"type": "register_customer", "customer_id": "C1", "name": "Ada Li",
                "phone": "+12125550101", "state": "NY", "special_status": []}  # fmt: skip
    app.ledger.submit_raw(customer)
    app.ledger.submit_raw(
        {"type": "open_account", "account_id": "R", "customer_id": "C1",
         "occurred_at": now.isoformat()}
    )  # fmt: skip
    for txn, amount, hours in (("R1", "10.00", 2), ("R2", "70.00", 1)):
        outcome = app.ledger.submit_raw(
            {"type": "credit", "txn_id": txn, "account_id": "R", "amount": amount,
             "occurred_at": (now + timedelta(hours=hours)).isoformat()}
        )  # fmt: skip
        assert outcome.status == "approved", outcome
    answer = app.asof.balance_at("R", now + timedelta(minutes=90))
    assert answer is not None and answer.balance == 7000


def test_given_a_command_dated_before_the_opening_when_submitted_then_rejected(
    bank: App,
) -> None:
    outcome = bank.ledger.submit_raw(
        {"type": "credit", "txn_id": "OLD", "account_id": "A1", "amount": "70.00",
         "occurred_at": "1999-12-31T00:00:00Z"}
    )  # fmt: skip
    assert outcome.status == "rejected" and "before account 'A1' was opened" in str(outcome.error)
    assert bank.ledger.store.idempotency_record("OLD") is None


def test_given_known_at_when_asked_then_later_records_do_not_count(bank: App) -> None:
    before = datetime.now(UTC)
    late = bank.ledger.submit_raw(
        {"type": "credit", "txn_id": "T8", "account_id": "A1", "amount": "5.00",
         "occurred_at": _at(0, 12)}
    )  # fmt: skip
    assert late.status == "approved", late
    at = datetime(2024, 3, 1, 13, tzinfo=UTC)
    then = bank.asof.balance_at("A1", at, before)
    now = bank.asof.balance_at("A1", at)
    assert then is not None and now is not None and (then.balance, now.balance) == (10000, 10500)
