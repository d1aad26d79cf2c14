"""Pure properties of issue 11's rules: a closed account refuses every command, and every
decided event carries the command's tracing fields and its write time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acme_base.errors import InvalidInput
from processor.domain.commands import parse_command
from processor.domain.decide import AccountState, decide
from tests.property.rules_machine import metadata
from tests.property.strategies import money_commands

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
ACCOUNTS = ["A1", "A2", "A3"]


def states(balances: list[int], closed: str | None = None) -> dict[str, AccountState]:
    return {
        a: AccountState(a, "C", "USD", b, 5, closed=a == closed)
        for a, b in zip(ACCOUNTS, balances, strict=True)
    }


@given(
    cmd=money_commands(txn_id="T", accounts=st.sampled_from(ACCOUNTS)),
    balances=st.lists(st.just(0) | st.integers(0, 10**6), min_size=3, max_size=3),
    closed=st.sampled_from(ACCOUNTS),
)
def test_a_closed_account_refuses_every_command(
    cmd: dict[str, Any], balances: list[int], closed: str
) -> None:
    """GIVEN any money command and a closed account WHEN decided THEN rejected iff the
    command names the closed account."""
    names = {cmd.get("account_id"), cmd.get("from_account"), cmd.get("to_account")}
    parsed = parse_command(cmd)
    if closed in names:
        with pytest.raises(InvalidInput, match="is closed"):
            decide(states(balances, closed), parsed, NOW)
    else:
        decide(states(balances, closed), parsed, NOW)


@given(
    cmd=money_commands(txn_id="T", accounts=st.sampled_from(ACCOUNTS)),
    trace=metadata,
    balances=st.lists(st.integers(0, 10**6), min_size=3, max_size=3),
)
def test_every_decided_event_carries_the_tracing_fields(
    cmd: dict[str, Any], trace: dict[str, Any], balances: list[int]
) -> None:
    events = decide(states(balances), parse_command({**cmd, **trace}), NOW)
    assert events
    for event in events:
        assert event.correlation_id == trace["correlation_id"]
        assert event.causation_id == trace.get("causation_id")
        assert event.metadata == (trace.get("metadata") or None)
        assert event.recorded_at == NOW
