"""Properties of the time the ledger controls (pure): the time policy's bounds, and hold slots
that others cannot use up."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acme_base.errors import InvalidInput
from processor.domain.commands import parse_command
from processor.domain.decide import AccountState, apply_all, decide
from processor.domain.events import PendingPlaced
from processor.domain.pending_model import MAX_HOLDS_PER_SENDER, MAX_INCOMING_HOLDS
from processor.domain.time_policy import TimePolicy
from projections.fraud.config import RulesConfig
from projections.fraud.model import Profile
from projections.fraud.rules import evaluate
from tests.fraud_support import T0, Story

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
POLICY = TimePolicy(max_skew_s=300, max_backdate_s=7 * 86_400)


@given(offset=st.integers(-(40 * 86_400), 40 * 86_400), operator=st.booleans())
def test_given_any_occurred_at_then_accepted_iff_within_the_callers_bounds(
    offset: int, operator: bool
) -> None:
    raw = {"type": "credit", "txn_id": "T", "account_id": "A", "amount": "1.00"}
    command = parse_command({**raw, "occurred_at": NOW + timedelta(seconds=offset)})
    allowed = offset <= POLICY.max_skew_s and (operator or offset >= -POLICY.max_backdate_s)
    if allowed:
        POLICY.check(command, NOW, operator=operator)
    else:
        with pytest.raises(InvalidInput):
            POLICY.check(command, NOW, operator=operator)


def _run(states: dict[str, AccountState], **raw: Any) -> list[Any]:
    try:
        events = decide(states, parse_command(raw), NOW)
    except InvalidInput:
        return []
    states.update(apply_all(states, events))
    return events


@given(
    senders=st.integers(1, 8),
    attempts=st.lists(st.integers(0, 7), min_size=0, max_size=40),
)
def test_given_any_incoming_holds_then_the_owners_own_hold_is_still_placed(
    senders: int, attempts: list[int]
) -> None:
    states: dict[str, AccountState] = {}
    accounts = ["A", *(f"S{i}" for i in range(senders))]
    for account in accounts:
        _run(states, type="open_account", account_id=account, customer_id="C")
        _run(states, type="credit", txn_id=f"F{account}", account_id=account, amount="100.00")
    for n, pick in enumerate(attempts):
        sender = f"S{pick % senders}"
        _run(states, type="transfer", txn_id=f"I{n}", from_account=sender, to_account="A",
             amount="0.01", pending=True)  # fmt: skip
    incoming = [h for h in states["A"].pendings if h.side == "credit"]
    assert len(incoming) <= MAX_INCOMING_HOLDS
    per_sender = [sum(h.counterparty == s for h in incoming) for s in accounts]
    assert max(per_sender) <= MAX_HOLDS_PER_SENDER
    own = _run(states, type="debit", txn_id="OWN", account_id="A", amount="1.00", pending=True)
    assert [type(e) for e in own] == [PendingPlaced]


@given(gaps=st.lists(st.integers(3_600, 30 * 86_400), min_size=12, max_size=20))
def test_given_payments_recorded_in_a_minute_however_dated_then_velocity_fires(
    gaps: list[int],
) -> None:
    story = Story()
    minutes = 0.0
    for i, gap in enumerate(gaps):
        minutes -= gap / 60  # each dated further back than the last claims
        story.debit(minutes, 1000 + i)
    recorded = T0 + timedelta(days=1)
    profile = Profile("A1")
    rules: list[str] = []
    for event in story.events:
        stamped = replace(event, recorded_at=recorded + timedelta(seconds=event.seq))
        profile, alerts = evaluate(profile, stamped, RulesConfig())
        rules += [a.rule for a in alerts]
    assert "velocity" in rules
