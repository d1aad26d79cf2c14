"""Pure laws of the decline reasons (issue 9): blocked accounts let no money out, check
deposits are credited iff the check reads, and histories mixing blocks, checks and money keep
every invariant of the log."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from acme_base.errors import InvalidInput
from acme_txn.invariants import check_log
from processor.domain.commands import parse_command
from processor.domain.decide import AccountState, apply_all, decide
from processor.domain.events import DepositDeclined, FundsCredited, LedgerEvent, signed_amount
from processor.domain.outcomes import outcome_of
from tests.property.model import cents, check_reads
from tests.property.strategies import (
    ACCOUNT_POOL,
    account_ids,
    check_credits,
    money_commands,
    opened_states,
)

NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
balances = st.dictionaries(account_ids, st.integers(0, 20_000), min_size=2, max_size=4)


def block_commands(txn_id: str = "B") -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda kind, account: {
            "type": kind,
            "txn_id": txn_id,
            "account_id": account,
            "reason": "suspected fraud",
        },
        st.sampled_from(["block_account", "unblock_account"]),
        account_ids,
    )


@given(start=balances, blocked=st.sets(account_ids), cmd=money_commands())
def test_no_money_leaves_a_blocked_account(
    start: dict[str, int], blocked: set[str], cmd: dict[str, Any]
) -> None:
    """GIVEN accounts, some blocked WHEN a credit, debit or transfer is decided THEN a debit or
    transfer from a blocked account is declined unauthorized (whatever the balance) and moves
    nothing; credits and transfers into a blocked account land; every event carries its
    account's block flag."""
    states = {a: replace(s, blocked=a in blocked) for a, s in opened_states(start).items()}
    touched = [cmd.get("account_id"), cmd.get("from_account"), cmd.get("to_account")]
    if any(a is not None and a not in states for a in touched):
        return
    events = decide(states, parse_command(cmd), NOW)
    first = events[0]
    after = apply_all(states, events)  # evolve checks the flag and the block on the way
    assert all(e.blocked == states[e.account_id].blocked for e in events)
    if cmd["type"] != "credit" and first.account_id in blocked:
        assert len(events) == 1 and first.decline_reason == "unauthorized"
        assert after[first.account_id].balance == states[first.account_id].balance
    elif cmd["type"] == "credit":
        assert first.approved
    elif first.approved and cmd["type"] == "transfer":
        assert events[1].blocked == (cmd["to_account"] in blocked)
        assert sum(signed_amount(e) for e in events) == 0


@given(start=balances, blocked=st.booleans(), cmd=check_credits())
def test_a_check_deposit_is_credited_iff_the_check_reads(
    start: dict[str, int], blocked: bool, cmd: dict[str, Any]
) -> None:
    """GIVEN an account (blocked or not) WHEN a check deposit is decided THEN it is credited
    (channel and number recorded) iff the check reads by the rules restated in the model;
    otherwise it is recorded as declined illegible_check with the balance unchanged."""
    states = {a: replace(s, blocked=blocked) for a, s in opened_states(start).items()}
    if cmd["account_id"] not in states:
        return
    state = states[cmd["account_id"]]
    [event] = decide(states, parse_command(cmd), NOW)
    assert event.seq == state.seq + 1
    if check_reads(cmd["check"], cents(cmd["amount"])):
        assert isinstance(event, FundsCredited)
        assert (event.channel, event.check_number) == ("check", cmd["check"]["number"])
        assert event.balance_after == state.balance + cents(cmd["amount"])
    else:
        assert isinstance(event, DepositDeclined)
        assert event.reason == "illegible_check" and event.detail
        assert event.balance_after == state.balance
        assert outcome_of([event]).detail == event.detail
    apply_all(states, [event])


mixed = st.lists(
    st.one_of(money_commands(), check_credits(), block_commands()), min_size=1, max_size=30
).map(lambda cmds: [{**c, "txn_id": f"T{i}"} for i, c in enumerate(cmds)])


@given(cmds=mixed)
def test_histories_with_blocks_and_checks_keep_every_invariant(
    cmds: list[dict[str, Any]],
) -> None:
    """GIVEN any mix of money commands, check deposits, blocks and unblocks WHEN each is
    decided in turn (refusals skipped, as the ledger writes nothing for them) THEN the
    independent log checker finds no violation: contiguous seqs, running balances, money
    conserved, no money out of a blocked account, outcomes equal to their events."""
    states: dict[str, AccountState] = {}
    events: list[LedgerEvent] = []
    for account in ACCOUNT_POOL:
        opening = {
            "type": "open_account",
            "account_id": account,
            "customer_id": "C1",
            "occurred_at": "2026-01-01T00:00:00Z",
        }  # before every command
        opened = decide(states, parse_command(opening), NOW)
        states, events = apply_all(states, opened), events + opened
    outcomes = []
    for raw in cmds:
        try:
            new = decide(states, parse_command(raw), NOW)
        except InvalidInput:
            assert raw["type"] in {"block_account", "unblock_account"}
            continue
        states = apply_all(states, new)
        events += new
        outcomes.append(outcome_of(new))
    check = check_log(events, outcomes)
    assert check.ok, check.problems
