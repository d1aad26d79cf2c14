"""GIVEN blocks, unauthorized debits and transfers, low balances and check deposits on the
twins WHEN projected and reported THEN the declined read model holds every reason, the daily
totals count declines and not money, reconcile agrees, a block survives a fresh process (the
state comes from the head event), and bad input writes nothing. The ledger's own sparse index
and the CLI's report over the stream are DynamoDB's (tests/integration/test_decline_reasons.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from acme_txn.bootstrap import App
from processor.domain.events import DeclineReason
from projections.reconcile import reconcile
from projections.reports import declined_report
from tests.app.conftest import project


@pytest.fixture
def bank(memory_app: App) -> App:
    open_accounts(memory_app)
    for cmd, status, reason in COMMANDS:
        outcome = memory_app.ledger.submit_raw(cmd)
        assert (outcome.status, outcome.reason) == (status, reason), (cmd, outcome)
    project(memory_app)
    return memory_app


DAY1, DAY2, DAY3 = "2026-11-20T10:00:00Z", "2026-11-21T10:00:00Z", "2026-11-22T10:00:00Z"


NOON2 = "2026-11-21T12:00:00Z"


GOOD = {"number": "1001", "routing": "021000021", "amount_in_words": "Twenty and 00/100"}


COMMANDS: list[tuple[dict[str, Any], str, str | None]] = [
    # (command, expected status, expected reason)
    ({"type": "credit", "txn_id": "F1", "account_id": "A1", "amount": "100.00",
      "occurred_at": DAY1}, "approved", None),
    ({"type": "credit", "txn_id": "F2", "account_id": "B2", "amount": "50.00",
      "occurred_at": DAY1}, "approved", None),
    ({"type": "debit", "txn_id": "L1", "account_id": "A1", "amount": "500.00",
      "occurred_at": DAY1}, "declined", "low_balance"),
    ({"type": "block_account", "txn_id": "K1", "account_id": "A1", "reason": "suspected fraud",
      "occurred_at": DAY1}, "blocked", None),
    ({"type": "debit", "txn_id": "U1", "account_id": "A1", "amount": "1.00",
      "occurred_at": DAY2}, "declined", "unauthorized"),
    ({"type": "transfer", "txn_id": "U2", "from_account": "A1", "to_account": "B2",
      "amount": "2.00", "occurred_at": DAY2}, "declined", "unauthorized"),
    ({"type": "transfer", "txn_id": "T1", "from_account": "B2", "to_account": "A1",
      "amount": "5.00", "occurred_at": DAY2}, "approved", None),
    ({"type": "credit", "txn_id": "C1", "account_id": "B2", "amount": "20.00",
      "channel": "check", "check": {**GOOD, "routing": "021000022"}, "occurred_at": DAY3},
     "declined", "illegible_check"),
    ({"type": "credit", "txn_id": "C2", "account_id": "B2", "amount": "20.00",
      "channel": "check", "check": GOOD, "occurred_at": DAY3}, "approved", None),
    ({"type": "unblock_account", "txn_id": "K2", "account_id": "A1", "occurred_at": DAY3},
     "unblocked", None),
    ({"type": "debit", "txn_id": "D1", "account_id": "A1", "amount": "1.00",
      "occurred_at": DAY3}, "approved", None),
    # issue 11: limits (B2 holds 65.00), dated on day 2 (day 3's totals are pinned below)
    ({"type": "set_limits", "txn_id": "S1", "account_id": "B2", "credit_limit": "10.00",
      "max_balance": "100.00", "occurred_at": NOON2}, "limits_set", None),
    ({"type": "debit", "txn_id": "X1", "account_id": "B2", "amount": "80.00",
      "occurred_at": NOON2}, "declined", "limit_exceeded"),
    ({"type": "credit", "txn_id": "X2", "account_id": "B2", "amount": "40.00",
      "occurred_at": NOON2}, "declined", "max_balance_exceeded"),
]  # fmt: skip


DECLINED = {
    "L1": "low_balance",
    "U1": "unauthorized",
    "U2": "unauthorized",
    "X1": "limit_exceeded",
    "X2": "max_balance_exceeded",
    "C1": "illegible_check",
}


def open_accounts(app: App) -> None:
    """Register the customer where the ledger knows ``register_customer`` (else it is
    rejected as an unknown command, harmlessly), then open both accounts."""
    app.ledger.submit_raw(
        {"type": "register_customer", "customer_id": "C1", "name": "Ada Li",
         "phone": "+12125550123", "state": "NY"}
    )  # fmt: skip
    for account in ("A1", "B2"):
        outcome = app.ledger.submit_raw(
            {
                "type": "open_account",
                "occurred_at": "2000-01-01T00:00:00Z",
                "account_id": account,
                "customer_id": "C1",
            }
        )
        assert outcome.status == "opened", outcome


def test_given_every_reason_when_projected_then_the_declined_index_holds_all_three(
    bank: App,
) -> None:
    per_reason = {
        r.value: {e.txn_id for e in bank.views.declined(r.value, "2026-11-20", "2026-11-22")}
        for r in DeclineReason
    }
    assert per_reason == {
        "low_balance": {"L1"},
        "unauthorized": {"U1", "U2"},
        "illegible_check": {"C1"},
        "limit_exceeded": {"X1"},
        "max_balance_exceeded": {"X2"},
    }
    rows = declined_report(bank.views, "2026-11-20", "2026-11-22")
    assert [(r["txn_id"], r["reason"]) for r in rows] == list(DECLINED.items())
    assert next(r for r in rows if r["txn_id"] == "C1")["kind"] == "credit"
    assert reconcile(bank.event_store, bank.views).ok


def test_given_blocks_and_declined_credits_when_totalled_then_declines_count_not_money(
    bank: App,
) -> None:
    totals = bank.views.daily(["2026-11-22"])["2026-11-22"]
    # C1 declined (20.00), C2 approved (20.00), D1 approved (1.00); the unblock is no txn
    assert (totals.txn_count, totals.declined_count, totals.declined_total) == (3, 1, 2000)
    assert (totals.credit_total, totals.debit_total) == (2000, 100)
    balances = {a: bank.views.balance(a) for a in ("A1", "B2")}
    assert {a: b.balance for a, b in balances.items() if b is not None} == {
        "A1": 10_400,
        "B2": 6_500,
    }


def test_given_a_blocked_account_when_a_fresh_process_decides_then_it_stays_blocked(
    memory_app: App,
) -> None:
    open_accounts(memory_app)
    memory_app.ledger.submit_raw(
        {"type": "credit", "txn_id": "F", "account_id": "A1", "amount": "9"}
    )
    block = {"type": "block_account", "txn_id": "K", "account_id": "A1", "reason": "court order"}
    assert memory_app.ledger.submit_raw(block).status == "blocked"
    fresh = memory_app.new_ledger()  # no head cache: the state is read from the head event
    state = fresh.store.state("A1")
    assert state is not None and state.blocked
    debit = {"type": "debit", "txn_id": "D", "account_id": "A1", "amount": "1"}
    assert fresh.submit_raw(debit).reason == "unauthorized"
    again = fresh.submit_raw(block)
    assert (again.status, again.original_status, again.seq) == ("duplicate", "blocked", 2)
    before = list(fresh.store.events("A1"))
    other = fresh.submit_raw({**block, "txn_id": "K2"})
    assert other.status == "rejected" and "already blocked" in str(other.error)
    conflict = fresh.submit_raw({**block, "reason": "another reason"})
    assert conflict.status == "rejected" and "different command" in str(conflict.error)
    assert list(fresh.store.events("A1")) == before
    assert fresh.store.idempotency_record("K2") is None


@pytest.mark.parametrize(
    "line",
    [
        '{"type":"credit","txn_id":"X1","account_id":"A1","amount":"20.00","channel":"check"}',
        '{"type":"credit","txn_id":"X2","account_id":"A1","amount":"20.00","channel":"check",'
        '"check":{"number":"1","routing":"021000021","amount_in_words":"Twenty","memo":"x"}}',
        '{"type":"credit","txn_id":"X3","account_id":"A1","amount":20.0,"channel":"check",'
        '"check":{"number":"1","routing":"021000021","amount_in_words":"Twenty"}}',
        '{"type":"block_account","txn_id":"X4","account_id":"A1"}',
        '{"type":"block_account","txn_id":"X5","account_id":"A1","reason":"x","extra":1}',
        '{"type":"unblock_account","txn_id":"X6","account_id":"NOPE"}',
        '{"type":"block_account","txn_id":"X7","account_id":"A1","reason":"x"',
    ],
)
def test_given_bad_decline_input_when_submitted_then_rejected_and_nothing_written(
    memory_app: App, line: str
) -> None:
    open_accounts(memory_app)
    before = list(memory_app.event_store.all_events())
    outcome = memory_app.ledger.submit_raw(line)
    assert outcome.status == "rejected" and outcome.error
    assert list(memory_app.event_store.all_events()) == before
