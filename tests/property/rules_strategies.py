"""Strategies for issue 11's rules: events with limits, tracing fields and both times, of
every type (the new ones included), and the older stored versions of an item."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from hypothesis import strategies as st

from processor.domain.events import (
    AccountClosed,
    DeclineReason,
    DepositDeclined,
    FundsCredited,
    LedgerEvent,
    LimitsSet,
)
from processor.domain.limit_model import Limits
from processor.domain.parsing import text_problem
from processor.storage.codec import event_to_item
from processor.storage.upcasting import CURRENT
from tests.property.strategies import aware_datetimes, ids, ledger_events

limits = st.builds(
    Limits,
    credit_limit=st.integers(0, 10**9),
    debits_must_not_exceed_credits=st.booleans(),
    credits_must_not_exceed_debits=st.just(False),
    max_balance=st.none() | st.integers(0, 10**12),
)
#: printable text: no C1 control, no bidirectional control (``processor.domain.parsing``)
_printable = st.characters(min_codepoint=32, max_codepoint=0x2FFF).filter(
    lambda c: text_problem(c) is None
)
trace_values = st.text(_printable, max_size=40)
metadata = st.dictionaries(
    st.from_regex(r"\A[A-Za-z][A-Za-z0-9_.-]{0,10}\Z"), trace_values, min_size=1, max_size=5
)


@st.composite
def rules_events(draw: st.DrawFn) -> LedgerEvent:
    """Any event, maybe carrying limits, tracing fields and a recorded_at; or a new type."""
    event = draw(ledger_events())
    kind = draw(st.sampled_from(["as is", "limits_set", "closed", "limit_decline", "check"]))
    common: dict[str, Any] = {
        "account_id": event.account_id,
        "txn_id": event.txn_id,
        "currency": event.currency,
        "occurred_at": event.occurred_at,
    }
    common |= {"seq": max(event.seq, 1), "balance_after": event.balance_after}
    if kind == "limits_set":
        event = LimitsSet(**common, amount=0, limits=draw(limits))
    elif kind == "closed":
        event = AccountClosed(**common, amount=0, note=draw(st.none() | st.just("done")))
    elif kind == "check":  # optional fields of version 1 that an upcaster must keep
        event = FundsCredited(
            **common, amount=event.amount, channel="check", check_number=draw(ids)
        )
    elif kind == "limit_decline":
        event = DepositDeclined(
            **common,
            amount=event.amount,
            reason=draw(
                st.sampled_from([DeclineReason.LIMIT_EXCEEDED, DeclineReason.MAX_BALANCE_EXCEEDED])
            ),
            detail="the balance would exceed the account's max_balance",
        )
    update: dict[str, Any] = {}
    if draw(st.booleans()):
        update["recorded_at"] = draw(aware_datetimes)
    if draw(st.booleans()):
        update["correlation_id"] = draw(ids)
        update["causation_id"] = draw(st.none() | ids)
        update["metadata"] = draw(st.none() | metadata)
    if kind != "limits_set" and draw(st.booleans()):
        update["limits"] = draw(limits)
    return replace(event, **update)


def downcast(item: dict[str, Any], version: int) -> dict[str, Any]:
    """The item as a writer of ``version`` stored it (the inverse of the upcaster chain)."""
    old = dict(item)
    if version < 2:
        old.pop("schema_version", None)  # version 1 items have no version attribute
        old.pop("recorded_at", None)
    else:
        old["schema_version"] = version
    return old


def stored_versions(event: LedgerEvent) -> list[tuple[int, dict[str, Any]]]:
    """The event's item as every version 1..CURRENT stored it."""
    item = event_to_item(event)
    return [(version, downcast(item, version)) for version in range(1, CURRENT + 1)]
