"""Pure tests of issue 11's rules: limits and flags, freeze (= block), close, currencies."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acme_base.errors import InvalidInput
from processor.domain.commands import parse_command
from processor.domain.decide import AccountState, InvariantViolation, decide, evolve, fold
from processor.domain.events import AccountBlocked, AccountClosed, FundsDebited, LimitsSet
from processor.domain.limit_model import Limits
from processor.domain.limits import available
from processor.storage.ports import state_of_head

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def state(balance: int = 0, limits: Limits | None = None, **kw: Any) -> AccountState:
    return AccountState(
        "A", "C", kw.pop("currency", "USD"), balance, 3, limits=limits or Limits(), **kw
    )


def run(st_: AccountState, **fields: Any) -> list[Any]:
    return decide({st_.account_id: st_}, parse_command(fields), NOW)


def debit(amount: str) -> dict[str, Any]:
    return {"type": "debit", "txn_id": "T", "account_id": "A", "amount": amount}


def credit(amount: str) -> dict[str, Any]:
    return {"type": "credit", "txn_id": "T", "account_id": "A", "amount": amount}


def test_given_no_overdraft_when_overdrawn_then_low_balance() -> None:
    (event,) = run(state(1000), **debit("10.01"))
    assert (event.status, event.reason) == ("declined", "low_balance")


def test_given_an_overdraft_when_used_then_approved_and_past_it_limit_exceeded() -> None:
    limited = state(1000, Limits(credit_limit=5000))
    (event,) = run(limited, **debit("60.00"))
    assert isinstance(event, FundsDebited) and event.balance_after == -5000
    assert event.limits == Limits(credit_limit=5000)  # the limits ride on every event
    (event,) = run(limited, **debit("60.01"))
    assert (event.status, event.reason) == ("declined", "limit_exceeded")


def test_given_a_max_balance_when_a_credit_passes_it_then_max_balance_exceeded() -> None:
    capped = state(9000, Limits(max_balance=10000))
    (ok,) = run(capped, **credit("10.00"))
    assert ok.status == "approved" and ok.balance_after == 10000
    (event,) = run(capped, **credit("10.01"))
    assert (event.event_type, event.status, event.reason) == (
        "DepositDeclined",
        "declined",
        "max_balance_exceeded",
    )
    assert event.balance_after == 9000


def test_given_a_bank_side_account_then_it_goes_negative_and_never_above_zero() -> None:
    bank = state(
        0, Limits(debits_must_not_exceed_credits=False, credits_must_not_exceed_debits=True)
    )
    (event,) = run(bank, **debit("1000000.00"))
    assert event.status == "approved" and event.balance_after == -100000000
    assert available(bank) is None  # unbounded
    (event,) = run(replace(bank, balance=-100), **credit("1.01"))
    assert (event.status, event.reason) == ("declined", "limit_exceeded")


def test_given_a_transfer_into_a_capped_account_then_declined_on_the_sender() -> None:
    sender = replace(state(100000), account_id="S")
    receiver = replace(state(0, Limits(max_balance=500)), account_id="R")
    cmd = parse_command(
        {
            "type": "transfer",
            "txn_id": "T",
            "from_account": "S",
            "to_account": "R",
            "amount": "5.01",
        }
    )
    events = decide({"S": sender, "R": receiver}, cmd, NOW)
    assert [(e.account_id, e.decline_reason) for e in events] == [("S", "max_balance_exceeded")]


@given(
    balance=st.integers(0, 10**6),
    limit=st.integers(0, 10**6),
    past=st.integers(-1000, 1000),
)
def test_given_any_overdraft_when_debited_then_never_below_the_floor(
    balance: int, limit: int, past: int
) -> None:
    """GIVEN a balance and an overdraft WHEN a debit of about all that may be spent (up to
    10.00 short of it or past it) THEN approved iff it fits, never below -credit_limit."""
    amount = max(1, balance + limit + past)
    before = state(balance, Limits(credit_limit=limit))
    (event,) = run(before, **debit(f"{amount // 100}.{amount % 100:02d}"))
    assert event.decline_reason in (None, "low_balance", "limit_exceeded")
    after = evolve(before, event)
    assert after.balance >= -limit
    assert event.approved == (amount <= balance + limit)
    assert available(after) == after.balance + limit >= 0


def test_given_set_limits_then_only_given_fields_change_and_out_of_bounds_is_rejected() -> None:
    before = state(-2000, Limits(credit_limit=5000, max_balance=90000))
    (event,) = run(before, type="set_limits", txn_id="L", account_id="A", credit_limit="30")
    assert isinstance(event, LimitsSet)
    assert event.limits == Limits(credit_limit=3000, max_balance=90000)
    assert evolve(before, event).limits == event.limits
    with pytest.raises(InvalidInput, match="outside the new limits"):
        run(before, type="set_limits", txn_id="L", account_id="A", credit_limit="10")
    (cleared,) = run(before, type="set_limits", txn_id="L", account_id="A", max_balance=None)
    assert cleared.limits == Limits(credit_limit=5000)


@pytest.mark.parametrize(
    "fields",
    [
        {"credit_limit": "-1"},
        {"credit_limit": 1.5},
        {"debits_must_not_exceed_credits": True, "credits_must_not_exceed_debits": True},
        {"debits_must_not_exceed_credits": "yes"},
        {},
        {"max_balance": "1e3"},
    ],
)
def test_given_bad_limits_when_parsed_then_rejected(fields: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        parse_command({"type": "set_limits", "txn_id": "L", "account_id": "A", **fields})


def test_given_a_limit_finer_than_the_currency_when_decided_then_rejected() -> None:
    with pytest.raises(InvalidInput, match="more than 2 decimal places"):
        run(state(0), type="set_limits", txn_id="L", account_id="A", credit_limit="0.001")
    with pytest.raises(InvalidInput, match="more than 0 decimal places for JPY"):
        parse_command(
            {"type": "open_account", "account_id": "A", "customer_id": "C", "currency": "JPY",
             "max_balance": "1.5"}
        )  # fmt: skip


def test_given_an_event_breaking_the_limits_when_folded_then_invariant_violation() -> None:
    before = state(0, Limits(credit_limit=100))
    bad = FundsDebited(
        account_id="A", seq=4, txn_id="T", currency="USD", amount=101, balance_after=-101,
        occurred_at=NOW, limits=Limits(credit_limit=100),
    )  # fmt: skip
    with pytest.raises(InvariantViolation, match="outside the limits"):
        evolve(before, bad)
    with pytest.raises(InvariantViolation, match="carries limits"):
        evolve(before, replace(bad, amount=1, balance_after=-1, limits=None))


def test_given_freeze_when_decided_then_it_is_a_block_and_debits_are_unauthorized() -> None:
    (frozen,) = run(state(5000), type="freeze_account", txn_id="F", account_id="A", reason="why")
    assert isinstance(frozen, AccountBlocked) and frozen.blocked
    after = evolve(state(5000), frozen)
    (event,) = run(after, **debit("1.00"))
    assert event.reason == "unauthorized"
    (event,) = run(after, **credit("1.00"))
    assert event.status == "approved"  # credits still land
    (thawed,) = run(after, type="unfreeze_account", txn_id="G", account_id="A")
    assert not evolve(after, thawed).blocked


def test_given_a_balance_when_closed_then_rejected_and_at_zero_closed_for_good() -> None:
    with pytest.raises(InvalidInput, match="only an account at zero closes"):
        run(state(1), type="close_account", txn_id="X", account_id="A")
    (closed,) = run(state(0), type="close_account", txn_id="X", account_id="A")
    assert isinstance(closed, AccountClosed)
    after = evolve(state(0), closed)
    assert after.closed and state_of_head("A", closed) == replace(after, customer_id="")
    for fields in (
        credit("1.00"),
        debit("1.00"),
        {"type": "close_account", "txn_id": "Y", "account_id": "A"},
    ):
        with pytest.raises(InvalidInput, match="is closed"):
            run(after, **fields)
    other = replace(state(100), account_id="B")
    to_closed = parse_command(
        {"type": "transfer", "txn_id": "T", "from_account": "B", "to_account": "A", "amount": "1"}
    )
    with pytest.raises(InvalidInput, match="is closed"):
        decide({"A": after, "B": other}, to_closed, NOW)
    late = FundsDebited(
        account_id="A", seq=5, txn_id="Z", currency="USD", amount=0, balance_after=0,
        occurred_at=NOW,
    )  # fmt: skip
    with pytest.raises(InvariantViolation, match="after the close"):
        fold([late], after)


@pytest.mark.parametrize(
    ("currency", "amount", "minor", "shown"),
    [("JPY", "500", 500, "500"), ("BHD", "1.005", 1005, "1.005"), ("PTS", "12", 12, "12")],
)
def test_given_a_currency_when_credited_then_its_exponent_counts(
    currency: str, amount: str, minor: int, shown: str
) -> None:
    from processor.domain.outcomes import outcome_of

    account = state(0, currency=currency)
    events = run(account, **credit(amount), currency=currency)
    assert events[0].amount == minor and events[0].currency == currency
    assert outcome_of(events).balance_after == shown


def test_given_too_many_places_for_the_account_currency_then_rejected() -> None:
    with pytest.raises(InvalidInput, match="more than 0 decimal places for JPY"):
        run(state(0, currency="JPY"), **credit("1.50"))
    with pytest.raises(InvalidInput, match="does not match"):
        run(state(0, currency="JPY"), **credit("1"), currency="USD")


def test_given_accounts_of_two_currencies_when_transferring_then_rejected() -> None:
    states = {"A": state(1000), "B": replace(state(0, currency="EUR"), account_id="B")}
    cmd = parse_command(
        {"type": "transfer", "txn_id": "T", "from_account": "A", "to_account": "B", "amount": "1"}
    )
    with pytest.raises(InvalidInput, match="cannot transfer USD"):
        decide(states, cmd, NOW)
