"""Linked batches, pure (``processor.domain.linked``): a batch is all its legs or none; a declined
leg leaves only its own decline, on the states before the batch; hypothesis over random
batches of transfers among three accounts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acme_base.errors import InvalidInput
from processor.domain import linked
from processor.domain.commands import Linked, parse_command
from processor.domain.decide import AccountState, apply_all, decide

NOW = datetime(2026, 5, 1, tzinfo=UTC)
ACCOUNTS = ("A", "B", "F")


def world() -> dict[str, AccountState]:
    states: dict[str, AccountState] = {}
    for raw in (
        *({"type": "open_account", "account_id": a, "customer_id": "C"} for a in ACCOUNTS),
        {"type": "credit", "txn_id": "F0", "account_id": "A", "amount": "100.00"},
    ):
        states.update(apply_all(states, decide(states, parse_command(raw), NOW)))
    return states


def batch(legs: list[tuple[int, int, int]]) -> Linked:
    cmd = parse_command(
        {
            "type": "linked",
            "txn_id": "L",
            "legs": [
                {"type": "transfer", "txn_id": f"L{i}", "from_account": ACCOUNTS[src],
                 "to_account": ACCOUNTS[(src + hop) % 3], "amount": f"{cents / 100:.2f}"}
                for i, (src, hop, cents) in enumerate(legs)
            ],
        }
    )  # fmt: skip
    assert isinstance(cmd, Linked)
    return cmd


LEGS = st.lists(
    st.tuples(st.integers(0, 2), st.integers(1, 2), st.integers(1, 6000)), min_size=1, max_size=8
)


@settings(max_examples=80, deadline=None)
@given(LEGS)
def test_given_any_batch_when_decided_then_all_legs_or_only_the_decline(
    legs: list[tuple[int, int, int]],
) -> None:
    states, cmd = world(), batch(legs)
    decision = linked.decide_linked(states, cmd, NOW)
    after = apply_all(states, decision.events)  # folds: every invariant holds
    if decision.declined_leg is None:
        assert [leg.txn_id for leg, _ in decision.legs] == [leg.txn_id for leg in cmd.legs]
        assert all(event.approved for event in decision.events)
    else:
        [(leg, events)] = decision.legs
        assert leg is cmd.legs[decision.declined_leg]
        assert not any(event.approved for event in events)
        assert all(after[a].balance == states[a].balance for a in ACCOUNTS)
    assert sum(after[a].balance for a in ACCOUNTS) == 10000


def test_given_a_leg_naming_an_unknown_account_when_decided_then_the_batch_is_refused() -> None:
    cmd = parse_command(
        {"type": "linked", "txn_id": "L", "legs": [
            {"type": "debit", "txn_id": "L0", "account_id": "A", "amount": "1.00"},
            {"type": "debit", "txn_id": "L1", "account_id": "Z", "amount": "1.00"},
        ]}
    )  # fmt: skip
    assert isinstance(cmd, Linked)
    with pytest.raises(InvalidInput, match="leg 1 \\(L1\\)"):
        linked.decide_linked(world(), cmd, NOW)
