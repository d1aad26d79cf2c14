"""Pure laws of ``decide`` / ``evolve`` / ``fold``: the core the whole ledger rests on."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from acme_base.errors import InvalidInput
from acme_txn.invariants import check_log
from processor.domain.commands import parse_command
from processor.domain.decide import (
    AccountState,
    InvariantViolation,
    apply_all,
    decide,
    evolve,
    fold,
)
from processor.domain.events import LedgerEvent, signed_amount
from processor.domain.money import to_minor
from processor.domain.outcomes import outcome_of
from tests.property.strategies import ACCOUNT_POOL, account_ids, money_commands, opened_states

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
balances = st.dictionaries(account_ids, st.integers(0, 20_000), min_size=2, max_size=4)
# decide is pure: idempotency is the service's job, so a history uses distinct txn ids.
histories = st.lists(money_commands(), min_size=1, max_size=30).map(
    lambda cmds: [{**c, "txn_id": f"T{i}"} for i, c in enumerate(cmds)]
)


def run_history(
    cmds: list[dict[str, Any]],
) -> tuple[dict[str, AccountState], list[LedgerEvent], list[Any]]:
    """Open every pool account, then decide+apply each command in turn (as the ledger does)."""
    states: dict[str, AccountState] = {}
    events: list[LedgerEvent] = []
    for account in ACCOUNT_POOL:
        opened = decide(
            states,
            parse_command(
                {
                    "type": "open_account",
                    "account_id": account,
                    "customer_id": "C1",
                    "occurred_at": "2026-01-01T00:00:00Z",
                }
            ),  # before every command
            NOW,
        )
        states = apply_all(states, opened)
        events += opened
    outcomes = []
    for raw in cmds:
        new = decide(states, parse_command(raw), NOW)
        states = apply_all(states, new)  # evolve checks every invariant on the way
        events += new
        outcomes.append(outcome_of(new))
    return states, events, outcomes


@given(cmds=histories)
@example(cmds=[{"type": "debit", "txn_id": "T1", "account_id": "A1", "amount": "0.01"}])
def test_decided_histories_keep_every_invariant(cmds: list[dict[str, Any]]) -> None:
    """GIVEN any sequence of commands WHEN each is decided and evolved in turn THEN evolve never
    raises, no balance goes negative, money is conserved, and the independent log checker
    agrees with every outcome."""
    states, events, outcomes = run_history(cmds)
    assert all(s.balance >= 0 for s in states.values())
    credits = sum(signed_amount(e) for e in events if e.kind in {"credit", "debit"})
    assert sum(s.balance for s in states.values()) == credits
    check = check_log(events, outcomes)
    assert check.ok, check.problems


@given(cmds=histories)
def test_replay_is_deterministic(cmds: list[dict[str, Any]]) -> None:
    """GIVEN a decided history WHEN each account's events are folded from scratch (twice) THEN
    the fold equals the live state, and deciding the same history again gives equal events."""
    states, events, _ = run_history(cmds)
    by_account: dict[str, list[LedgerEvent]] = defaultdict(list)
    for event in events:
        by_account[event.account_id].append(event)
    for account, stream in by_account.items():
        assert fold(stream) == states[account]
        assert fold(stream) == fold(list(stream))
        assert [e.seq for e in stream] == list(range(len(stream)))
    assert run_history(cmds)[1] == events


@given(start=balances, cmd=money_commands())
@example(
    start={"A1": 500, "A2": 0},
    cmd={"type": "debit", "txn_id": "T", "account_id": "A1", "amount": "5.00"},
)
@example(
    start={"A1": 499, "A2": 0},
    cmd={
        "type": "transfer",
        "txn_id": "T",
        "from_account": "A1",
        "to_account": "A2",
        "amount": "5.00",
    },
)
def test_one_command_obeys_the_rules(start: dict[str, int], cmd: dict[str, Any]) -> None:
    """GIVEN opened accounts with balances WHEN one command is decided THEN: unknown accounts are
    refused; a debit or transfer is approved iff the sender has enough; a declined event leaves
    the balance unchanged; an approved transfer nets to zero over its two legs."""
    states = opened_states(start)
    command = parse_command(cmd)
    touched = [cmd.get("account_id"), cmd.get("from_account"), cmd.get("to_account")]
    if any(a is not None and a not in states for a in touched):
        with pytest.raises(InvalidInput):
            decide(states, command, NOW)
        return
    events = decide(states, command, NOW)
    amount = to_minor(command.amount)  # type: ignore[union-attr]
    first = events[0]
    payer = states[first.account_id]
    assert first.seq == payer.seq + 1
    after = apply_all(states, events)
    if cmd["type"] == "credit":
        assert first.approved and after[first.account_id].balance == payer.balance + amount
    elif payer.balance >= amount:
        assert first.approved and first.balance_after == payer.balance - amount
        if cmd["type"] == "transfer":
            assert len(events) == 2 and sum(signed_amount(e) for e in events) == 0
            assert events[1].account_id == cmd["to_account"]
            assert events[1].balance_after == states[cmd["to_account"]].balance + amount
    else:
        assert len(events) == 1 and not first.approved
        assert first.decline_reason == "low_balance"
        assert first.balance_after == payer.balance
        assert after == {**states, first.account_id: replace(payer, seq=first.seq)}
    assert sum(s.balance for s in after.values()) - sum(s.balance for s in states.values()) == (
        sum(signed_amount(e) for e in events if e.kind in {"credit", "debit"})
    )


@given(cmds=histories, data=st.data())
def test_evolve_rejects_tampered_events(cmds: list[dict[str, Any]], data: st.DataObject) -> None:
    """GIVEN a valid history WHEN one later event's balance_after or seq is altered THEN folding
    the account raises InvariantViolation (the checker is not vacuous)."""
    _, events, _ = run_history(cmds)
    later = [i for i, e in enumerate(events) if e.seq > 0]
    if not later:
        return
    i = data.draw(st.sampled_from(later))
    delta = data.draw(st.integers(-5, 5).filter(bool))
    field = data.draw(st.sampled_from(["balance_after", "seq"]))
    bad = replace(events[i], **{field: getattr(events[i], field) + delta})
    stream = [
        bad if j == i else e for j, e in enumerate(events) if e.account_id == events[i].account_id
    ]
    with pytest.raises(InvariantViolation):
        fold(stream)


@given(start=balances, cmd=money_commands())
def test_evolve_after_decide_equals_the_decided_balance(
    start: dict[str, int], cmd: dict[str, Any]
) -> None:
    """GIVEN any state and command WHEN decided THEN evolving each event gives exactly the
    balance_after the event announces (decide and evolve agree)."""
    states = opened_states(start)
    try:
        events = decide(states, parse_command(cmd), NOW)
    except InvalidInput:
        return
    for event in events:
        assert evolve(states[event.account_id], event).balance == event.balance_after
