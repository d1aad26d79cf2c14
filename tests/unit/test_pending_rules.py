"""The two-phase rules (``processor.domain.pending``), pure: placing, posting (partially),
voiding, expiry decided from the clock, the invariants evolve checks, and hypothesis: any
sequence of place/post/void/expire keeps posted - pending_debits = available and releases
each pending exactly once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acme_base.errors import InvalidInput, InvariantViolation
from processor.domain.commands import EARLIEST, LATEST, parse_command
from processor.domain.decide import AccountState, apply_all, decide, evolve
from processor.domain.events import LedgerEvent, PendingPlaced, PendingPosted, signed_amount
from processor.domain.pending import (
    available_now,
    balance_fields,
    expire_events,
    pending_credits,
    pending_debits,
)
from processor.storage.codec import event_to_item, item_to_event

NOW = datetime(2026, 5, 1, tzinfo=UTC)


def run(states: dict[str, AccountState], now: datetime = NOW, **raw: Any) -> list[LedgerEvent]:
    events = decide(states, parse_command(raw), now)
    states.update(apply_all(states, events))
    return events


def world(funds: int = 10000) -> dict[str, AccountState]:
    states: dict[str, AccountState] = {}
    for account in ("A", "B"):
        run(states, type="open_account", account_id=account, customer_id="C",
            occurred_at="1970-01-01T00:00:00Z")  # fmt: skip
    run(states, type="credit", txn_id="F", account_id="A", amount=f"{funds / 100:.2f}")
    return states


def pending(states: dict[str, AccountState], txn: str, amount: str, **more: Any) -> Any:
    return run(
        states, type="transfer", txn_id=txn, from_account="A", to_account="B", amount=amount,
        pending=True, timeout_s=600, **more,
    )  # fmt: skip


def test_given_a_pending_transfer_when_decided_then_it_reserves_without_posting() -> None:
    states = world()
    sender_event, receiver_event = pending(states, "T1", "30.00")
    assert (sender_event.event_type, sender_event.side, sender_event.balance_after) == (
        "PendingPlaced",
        "debit",
        10000,
    )
    assert receiver_event.side == "credit" and receiver_event.expires_at == NOW + timedelta(
        seconds=600
    )
    assert (pending_debits(states["A"], NOW), available_now(states["A"], NOW)) == (3000, 7000)
    assert pending_credits(states["B"], NOW) == 3000
    assert balance_fields(states["B"], NOW)["available"] == "0.00"


def test_given_more_than_available_when_held_then_declined_low_balance() -> None:
    states = world()
    pending(states, "T1", "80.00")
    [declined] = run(states, type="debit", txn_id="H", account_id="A", amount="30.00", pending=True)
    assert (declined.event_type, declined.decline_reason) == ("DebitDeclined", "low_balance")


def test_given_a_partial_post_when_decided_then_the_rest_is_released() -> None:
    states = world()
    pending(states, "T1", "30.00")
    out, into = run(states, type="post_pending", txn_id="P", pending_txn_id="T1", amount="10")
    assert isinstance(out, PendingPosted) and (out.kind, out.amount, out.released) == (
        "transfer_out",
        1000,
        2000,
    )
    assert (into.kind, states["A"].balance, states["B"].balance) == ("transfer_in", 9000, 1000)
    assert states["A"].pendings == () == states["B"].pendings


@pytest.mark.parametrize("kind", ["post_pending", "void_pending"])
def test_given_an_expired_pending_when_resolved_then_rejected(kind: str) -> None:
    states = world()
    pending(states, "T1", "30.00")
    later = NOW + timedelta(seconds=600)
    with pytest.raises(InvalidInput, match="expired"):
        run(states, later, type=kind, txn_id="P", pending_txn_id="T1")
    assert available_now(states["A"], later) == 10000  # released at expiry, unswept
    assert [e.event_type for e in expire_events(states, "T1", later)] == ["PendingExpired"] * 2
    assert expire_events(states, "T1", NOW) == []  # not expired yet: nothing to record


def test_given_a_resolved_pending_when_resolved_again_then_rejected() -> None:
    states = world()
    pending(states, "T1", "30.00")
    run(states, type="void_pending", txn_id="V", pending_txn_id="T1")
    with pytest.raises(InvalidInput, match="not open"):
        run(states, type="post_pending", txn_id="P", pending_txn_id="T1")


def test_given_a_post_above_the_hold_when_decided_then_rejected() -> None:
    states = world()
    pending(states, "T1", "30.00")
    with pytest.raises(InvalidInput, match="holds less"):
        run(states, type="post_pending", txn_id="P", pending_txn_id="T1", amount="30.01")


def test_given_a_backdated_pending_when_decided_then_it_lives_its_timeout_from_now() -> None:
    # occurred_at + timeout_s is long past; the ledger's clock decides: NOW + timeout_s
    placed = pending(world(), "T1", "1.00", occurred_at="2026-04-01T00:00:00Z")
    assert {e.expires_at for e in placed} == {NOW + timedelta(seconds=600)}


@given(
    offset=st.integers(-(10**9), 10**9),  # occurred_at up to ~31 years either side
    timeout=st.integers(1, 30 * 86_400),
    single=st.booleans(),
)
def test_given_any_occurred_at_then_a_pending_expires_at_recorded_at_plus_timeout(
    offset: int, timeout: int, single: bool
) -> None:
    when = min(max(NOW + timedelta(seconds=offset), EARLIEST), LATEST - timedelta(days=1))
    states = world()
    fields = {"amount": "1.00", "pending": True, "timeout_s": timeout, "occurred_at": when}
    if single:
        events = run(states, type="debit", txn_id="H", account_id="A", **fields)
    else:
        events = run(
            states, type="transfer", txn_id="H", from_account="A", to_account="B", **fields
        )
    assert events and all(isinstance(e, PendingPlaced) for e in events)
    assert {e.expires_at for e in events} == {NOW + timedelta(seconds=timeout)}
    assert {e.occurred_at for e in events} == {when}


@pytest.mark.parametrize(
    "raw",
    [
        {"type": "debit", "txn_id": "X", "account_id": "A", "amount": "1", "timeout_s": 5},
        {"type": "debit", "txn_id": "X", "account_id": "A", "amount": "1", "pending": "yes"},
        {"type": "debit", "txn_id": "X", "account_id": "A", "amount": "1", "pending": True,
         "timeout_s": 30 * 86400 + 1},
        {"type": "post_pending", "txn_id": "X"},
        {"type": "void_pending", "txn_id": "X", "pending_txn_id": "T", "amount": "1"},
        {"type": "post_pending", "txn_id": "X", "pending_txn_id": "T#1"},
    ],
)  # fmt: skip
def test_given_bad_pending_input_when_parsed_then_invalid(raw: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput):
        parse_command(raw)


def test_given_an_event_resolving_twice_when_folded_then_invariant_violation() -> None:
    states = world()
    pending(states, "T1", "30.00")
    [posted, _] = decide(states, parse_command(
        {"type": "post_pending", "txn_id": "P", "pending_txn_id": "T1"}), NOW)  # fmt: skip
    after = evolve(states["A"], posted)
    again = replace(posted, seq=after.seq + 1, balance_after=after.balance - 3000)
    with pytest.raises(InvariantViolation, match="not open"):
        evolve(after, again)


def test_given_a_void_that_does_not_release_when_folded_then_invariant_violation() -> None:
    states = world()
    pending(states, "T1", "30.00")
    [void, _] = decide(states, parse_command(
        {"type": "void_pending", "txn_id": "V", "pending_txn_id": "T1"}), NOW)  # fmt: skip
    with pytest.raises(InvariantViolation, match="carries pendings"):
        evolve(states["A"], replace(void, pendings=states["A"].pendings))


ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["place", "hold", "post", "void", "expire", "debit"]),
        st.integers(0, 4),
        st.integers(1, 6000),
        st.integers(0, 900),
    ),
    max_size=25,
)


def _step(
    states: dict[str, AccountState], now: datetime, action: str, txn: str, amount: str
) -> list[LedgerEvent]:
    """One action; ``txn`` is a new txn id (place, hold, debit) or an earlier pending's."""
    if action == "place":
        return list(pending(states, txn, amount, occurred_at=now.isoformat()))
    if action == "hold":
        return run(states, now, type="debit", txn_id=txn, account_id="A", amount=amount,
                   pending=True, timeout_s=600)  # fmt: skip
    if action in ("post", "void"):
        return run(states, now, type=f"{action}_pending", txn_id=f"R{txn}", pending_txn_id=txn)
    if action == "expire":
        events = expire_events(states, txn, now)
        states.update(apply_all(states, events))
        return events
    return run(states, now, type="debit", txn_id=txn, account_id="A", amount=amount)


@settings(max_examples=60, deadline=None)
@given(ACTIONS)
def test_given_any_two_phase_sequence_then_money_is_conserved_and_released_once(
    actions: list[tuple[str, int, int, int]],
) -> None:
    states, now, out = world(), NOW, 0
    settled: dict[str, int] = {}  # pending txn id -> amount released by its resolution
    placed: dict[str, int] = {}
    for step, (action, slot, cents, elapse) in enumerate(actions):
        now += timedelta(seconds=elapse)
        known = sorted(placed) or ["T0"]
        fresh = action in ("place", "hold", "debit")
        txn = f"T{step}" if fresh else known[slot % len(known)]
        try:
            events = _step(states, now, action, txn, f"{cents / 100:.2f}")
        except InvalidInput:
            continue
        for event in events:
            assert item_to_event(event_to_item(event)) == event  # the codec keeps it all
            out += -signed_amount(event) if event.kind == "debit" else 0
            pid = str(getattr(event, "pending_txn_id", ""))
            if isinstance(event, PendingPlaced) and event.side == "debit":
                placed[pid] = event.amount
            elif pid and event.event_type != "PendingPlaced" and event.account_id == "A":
                assert pid not in settled  # resolved at most once
                settled[pid] = event.amount + getattr(event, "released", 0)
                assert settled[pid] == placed[pid]  # releases exactly what it reserved
        a, b = states["A"], states["B"]
        assert a.balance + b.balance == 10000 - out  # conserved: transfers move, debits leave
        assert available_now(a, now) == a.balance - pending_debits(a, now) >= 0
        assert not {h.txn_id for h in a.pendings + b.pendings} & set(settled)
