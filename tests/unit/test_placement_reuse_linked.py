"""Three decisions that must say what really happens: a pending transfer into an account
whose max_balance its pending credits already fill is declined at placement; an opening
resent with another payload is rejected (not a duplicate); a declined linked batch records
its declining leg on the state that leg was judged on, and names it. Pure rules and the
in-memory ledger."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acme_base.errors import InvalidInput
from acme_base.settings import Settings
from acme_txn.bootstrap import bootstrap
from processor.domain import linked
from processor.domain.commands import Linked, parse_command
from processor.domain.decide import AccountState, apply_all, decide
from processor.domain.events import DebitDeclined, LedgerEvent
from processor.services.linked_jobs import linked_outcome
from tests.customer_support import register

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def run(states: dict[str, AccountState], **raw: Any) -> list[LedgerEvent]:
    events = decide(states, parse_command(raw), NOW)
    states.update(apply_all(states, events))
    return events


def world(**receiver_limits: Any) -> dict[str, AccountState]:
    states: dict[str, AccountState] = {}
    run(states, type="open_account", account_id="A", customer_id="C")
    run(states, type="open_account", account_id="B", customer_id="C", **receiver_limits)
    run(states, type="credit", txn_id="F", account_id="A", amount="500.00")
    return states


def pending_transfer(states: dict[str, AccountState], txn: str, amount: str) -> LedgerEvent:
    return run(
        states, type="transfer", txn_id=txn, from_account="A", to_account="B", amount=amount,
        pending=True, timeout_s=600,
    )[0]  # fmt: skip


# --- the receiver's max_balance counts its pending credits ------------------------------------


def test_given_pendings_that_together_pass_max_balance_when_placed_then_the_second_declined() -> (
    None
):
    # GIVEN B may hold at most 100.00, and a pending transfer of 60.00 into it
    states = world(max_balance="100.00")
    assert pending_transfer(states, "P1", "60.00").event_type == "PendingPlaced"
    # WHEN another 60.00 is placed (both could never post)
    second = pending_transfer(states, "P2", "60.00")
    # THEN it is declined at placement, nothing more is held
    assert (second.event_type, second.decline_reason) == (
        "TransferDeclined",
        "max_balance_exceeded",
    )
    assert [h.txn_id for h in states["B"].pendings] == ["P1"]
    # and what fits beside the first one is still placed
    assert pending_transfer(states, "P3", "40.00").event_type == "PendingPlaced"


def test_given_a_pending_credit_when_a_pending_transfer_passes_max_balance_then_declined() -> None:
    states = world(max_balance="100.00")
    [held] = run(states, type="credit", txn_id="H", account_id="B", amount="70.00", pending=True)
    assert held.event_type == "PendingPlaced"
    declined = pending_transfer(states, "P1", "40.00")
    assert declined.decline_reason == "max_balance_exceeded"


# --- open_account resent ----------------------------------------------------------------------


OPEN = {"type": "open_account", "account_id": "A1", "customer_id": "C1", "currency": "USD"}
LIMIT_FIELDS = {
    "credit_limit": st.sampled_from(["0", "50.00", "100.00"]),
    "max_balance": st.sampled_from(["10.00", "500.00"]),
    "debits_must_not_exceed_credits": st.booleans(),
}


@pytest.mark.parametrize(
    "changed",
    [
        {"credit_limit": "100.00"},
        {"credit_limit": None},
        {"max_balance": "10.00"},
        {"debits_must_not_exceed_credits": False},
        {"currency": "EUR"},
        {"customer_id": "C2"},
    ],
    ids=["credit_limit", "no_limits", "max_balance", "flags", "currency", "customer"],
)
def test_given_an_opening_resent_with_another_payload_then_rejected(
    changed: dict[str, Any],
) -> None:
    # GIVEN A1 opened with an overdraft of 50.00 (in memory)
    app = bootstrap(Settings(table_prefix="memory"), memory=True)
    register(app.ledger, "C1", "C2")
    first = {**OPEN, "credit_limit": "50.00"}
    assert app.ledger.submit_raw(first).status == "opened"
    before = list(app.event_store.events("A1"))
    # WHEN resent identically, then with something changed
    same = app.ledger.submit_raw(dict(first))
    other = {k: v for k, v in {**first, **changed}.items() if v is not None}
    conflicting = app.ledger.submit_raw(other)
    # THEN the identical resend is a duplicate, the other payload a rejected reuse
    assert (same.status, same.original_status) == ("duplicate", "opened")
    assert conflicting.status == "rejected", conflicting
    assert "already exists" in (conflicting.error or "")
    assert list(app.event_store.events("A1")) == before


# --- a declined linked batch ------------------------------------------------------------------


def test_given_a_leg_declined_after_an_earlier_leg_then_the_decline_is_what_was_judged() -> None:
    # GIVEN A holds 100.00; leg 0 debits 90.00, leg 1 debits 20.00 (judged on 10.00)
    states: dict[str, AccountState] = {}
    run(states, type="open_account", account_id="A", customer_id="C")
    run(states, type="credit", txn_id="F", account_id="A", amount="100.00")
    cmd = parse_command(
        {"type": "linked", "txn_id": "L", "legs": [
            {"type": "debit", "txn_id": "L0", "account_id": "A", "amount": "90.00"},
            {"type": "debit", "txn_id": "L1", "account_id": "A", "amount": "20.00"},
        ]}
    )  # fmt: skip
    assert isinstance(cmd, Linked)
    # WHEN decided
    decision = linked.decide_linked(states, cmd, NOW)
    # THEN leg 1's decline records the balance it was judged on (10.00), and the ledger's
    # running balance (unchanged: the earlier leg is not written)
    [(leg, [event])] = decision.legs
    assert isinstance(event, DebitDeclined) and leg.txn_id == "L1"
    assert (event.judged_balance, event.balance_after, event.seq) == (1000, 10000, 2)
    apply_all(states, [event])  # it folds
    # and the outcome names the declining leg by index and txn id
    outcome = linked_outcome(cmd, decision).to_json_dict()
    assert (outcome["declined_leg"], outcome["declined_txn_id"]) == (1, "L1")
    assert outcome["legs"][0]["judged_balance"] == "10.00"


# --- laws (the mutation check plants the bugs these catch: tests/property/archive_mutants.py) ---


@settings(max_examples=60, deadline=None)
@given(
    cap=st.integers(1, 200),
    placements=st.lists(
        st.tuples(st.sampled_from(["transfer", "credit"]), st.integers(1, 120)), max_size=8
    ),
)
def test_given_any_pendings_into_a_capped_account_then_every_placed_one_can_post(
    cap: int, placements: list[tuple[str, int]]
) -> None:
    states = world(max_balance=f"{cap}.00")
    for i, (kind, whole) in enumerate(placements):
        amount = f"{whole}.00"
        if kind == "transfer":
            with contextlib.suppress(InvalidInput):  # refused outright: A's slots toward B
                pending_transfer(states, f"P{i}", amount)
        else:
            run(states, type="credit", txn_id=f"P{i}", account_id="B", amount=amount, pending=True)
        held = sum(h.amount for h in states["B"].pendings if h.side == "credit")
        assert states["B"].balance + held <= cap * 100  # posting them all stays in bounds


@settings(max_examples=30, deadline=None)
@given(
    first=st.fixed_dictionaries({}, optional=LIMIT_FIELDS),
    second=st.fixed_dictionaries({}, optional=LIMIT_FIELDS),
)
def test_given_any_two_openings_of_one_id_then_duplicate_iff_the_same_payload(
    first: dict[str, Any], second: dict[str, Any]
) -> None:
    app = bootstrap(Settings(table_prefix="memory"), memory=True)
    register(app.ledger, "C1")
    assert app.ledger.submit_raw({**OPEN, **first}).status == "opened"
    again = app.ledger.submit_raw({**OPEN, **second})
    # the same payload: the limits the resend asks for are the ones the account was opened with
    opened = next(iter(app.event_store.events("A1")))
    [asked] = decide({}, parse_command({**OPEN, **second}), NOW)
    same = asked.limits == opened.limits
    assert again.status == ("duplicate" if same else "rejected"), (first, second, again)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("AB"), st.integers(1, 150)), min_size=1, max_size=5))
def test_given_any_declined_batch_then_its_decline_carries_the_judged_balance(
    legs: list[tuple[str, int]],
) -> None:
    states = world()
    raw = [
        {"type": "debit", "txn_id": f"L{i}", "account_id": a, "amount": f"{whole}.00"}
        for i, (a, whole) in enumerate(legs)
    ]
    cmd = parse_command({"type": "linked", "txn_id": "L", "legs": raw})
    assert isinstance(cmd, Linked)
    decision = linked.decide_linked(states, cmd, NOW)
    if decision.declined_leg is None:
        return
    # the states the declining leg was judged on: the earlier legs applied
    judged = dict(states)
    for leg in cmd.legs[: decision.declined_leg]:
        judged = apply_all(judged, decide(judged, leg, NOW))
    [(_, [event])] = decision.legs
    assert event.judged_balance == judged[event.account_id].balance
    assert event.balance_after == states[event.account_id].balance
