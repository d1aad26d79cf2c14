"""Pure tests of decide/evolve: the rules of the ledger, no I/O."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acme_base.errors import AccountAlreadyExists, InvalidInput, UnknownAccount
from processor.domain.commands import parse_command
from processor.domain.decide import (
    AccountState,
    InvariantViolation,
    apply_all,
    decide,
    evolve,
    fold,
)
from processor.domain.events import DebitDeclined, FundsDebited, TransferDeclined

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def state(balance: int, seq: int = 3, account: str = "A", currency: str = "USD") -> AccountState:
    return AccountState(account, "C", currency, balance, seq)


def cmd(**fields: object):  # type: ignore[no-untyped-def]
    return parse_command(fields)


@given(balance=st.integers(0, 10**9), amount=st.integers(1, 10**9))
def test_given_any_balance_when_debit_then_approved_iff_covered(balance: int, amount: int) -> None:
    events = decide(
        {"A": state(balance)},
        cmd(type="debit", txn_id="T", account_id="A", amount=str(amount)),
        NOW,
    )
    event = events[0]
    assert event.seq == 4
    if amount * 100 <= balance:
        assert isinstance(event, FundsDebited)
        assert event.balance_after == balance - amount * 100
    else:
        assert isinstance(event, DebitDeclined)
        assert event.balance_after == balance  # a decline is recorded, money unchanged
        assert event.reason == "low_balance"
    assert evolve(state(balance), event).balance == event.balance_after


@given(a=st.integers(0, 10**7), b=st.integers(0, 10**7), amount=st.integers(1, 10**5))
def test_given_transfer_when_decided_then_money_is_conserved(a: int, b: int, amount: int) -> None:
    states = {"A": state(a, account="A"), "B": state(b, account="B", seq=9)}
    events = decide(
        states,
        cmd(type="transfer", txn_id="T", from_account="A", to_account="B", amount=str(amount)),
        NOW,
    )
    after = apply_all(states, events)
    assert after["A"].balance + after["B"].balance == a + b
    if isinstance(events[0], TransferDeclined):
        assert len(events) == 1 and after["B"] == states["B"]
    else:
        assert [e.seq for e in events] == [4, 10]


def test_given_unknown_account_when_decided_then_rejected() -> None:
    with pytest.raises(UnknownAccount):
        decide({}, cmd(type="credit", txn_id="T", account_id="Z", amount="1"), NOW)


def test_given_currency_mismatch_when_decided_then_invalid() -> None:
    with pytest.raises(InvalidInput, match="currency"):
        decide(
            {"A": state(0)},
            cmd(type="credit", txn_id="T", account_id="A", amount="1", currency="EUR"),
            NOW,
        )
    states = {"A": state(500, account="A"), "B": state(0, account="B", currency="EUR")}
    with pytest.raises(InvalidInput, match="cannot transfer"):
        decide(
            states,
            cmd(type="transfer", txn_id="T", from_account="A", to_account="B", amount="1"),
            NOW,
        )


def test_given_existing_account_when_opened_again_then_refused() -> None:
    with pytest.raises(AccountAlreadyExists):
        decide({"A": state(0)}, cmd(type="open_account", account_id="A", customer_id="C"), NOW)


def test_given_gap_or_wrong_balance_when_evolved_then_invariant_violation() -> None:
    opened = decide({}, cmd(type="open_account", account_id="A", customer_id="C"), NOW)
    s0 = fold(opened)
    assert s0 is not None
    credit = decide({"A": s0}, cmd(type="credit", txn_id="T", account_id="A", amount="2"), NOW)[0]
    with pytest.raises(InvariantViolation, match="does not follow"):
        evolve(s0, replace(credit, seq=5))
    with pytest.raises(InvariantViolation, match="fold gives"):
        evolve(s0, replace(credit, balance_after=999))


def test_given_occurred_at_when_decided_then_txn_date_is_its_utc_day() -> None:
    event = decide(
        {"A": state(0)},
        cmd(
            type="credit",
            txn_id="T",
            account_id="A",
            amount="1",
            occurred_at="2022-06-19T23:30:00-05:00",
        ),
        NOW,
    )[0]
    assert event.txn_date == "2022-06-20"
