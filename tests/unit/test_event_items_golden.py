"""The stored layout of every event type, pinned: the codec must write exactly these items
(same attributes, same values, same order) and read them back as the same events.

``data/event_items.json`` was written by the pydantic-model codec before events became plain
dataclasses; regenerate it only for a deliberate format change (with an upcaster).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from processor.domain.events import (
    AccountBlocked,
    AccountClosed,
    AccountOpened,
    AccountUnblocked,
    DebitDeclined,
    DeclineReason,
    DepositDeclined,
    FundsCredited,
    FundsDebited,
    HistoryArchived,
    LedgerEvent,
    LimitsSet,
    PendingExpired,
    PendingPlaced,
    PendingPosted,
    PendingVoided,
    TransferDeclined,
    TransferReceived,
    TransferSent,
)
from processor.domain.limit_model import Limits
from processor.domain.pending_model import Hold
from processor.storage.codec import event_to_item, item_to_event

GOLDEN = Path(__file__).parent / "data" / "event_items.json"
AT = datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)
WHOLE = datetime(2026, 3, 4, 23, 59, 59, tzinfo=UTC)
HOLD = Hold(txn_id="h1", side="debit", amount=500, expires_at=AT + timedelta(days=1))
HOLD_IN = Hold(txn_id="h2", side="credit", amount=7, expires_at=WHOLE, counterparty="B2")
LIMITS = Limits(credit_limit=10_000, max_balance=90_000)


def _common(seq: int, **extra: Any) -> dict[str, Any]:
    return {
        "account_id": "A1",
        "seq": seq,
        "txn_id": f"t{seq}",
        "currency": "USD",
        "amount": 1250,
        "balance_after": -300,
        "occurred_at": WHOLE if seq % 2 else AT,
        **extra,
    }


FULL = {
    "recorded_at": AT,
    "blocked": True,
    "limits": LIMITS,
    "correlation_id": "corr",
    "causation_id": "cause",
    "metadata": {"k": "v", "a": "b"},
    "principal": "ops@acme",
    "pendings": (HOLD, HOLD_IN),
}


def events() -> list[LedgerEvent]:
    low = DeclineReason.LOW_BALANCE
    return [
        AccountOpened(**_common(0, amount=0, balance_after=0), customer_id="C1"),
        AccountOpened(**_common(0, amount=0, balance_after=0, **FULL), customer_id="C1"),
        FundsCredited(**_common(1)),
        FundsCredited(**_common(2, **FULL), channel="check", check_number="0042"),
        FundsDebited(**_common(3, recorded_at=WHOLE)),
        DebitDeclined(**_common(4, **FULL), reason=low, judged_balance=-12),
        DebitDeclined(**_common(5), reason=DeclineReason.UNAUTHORIZED),
        TransferSent(**_common(6), counterparty="B2"),
        TransferReceived(**_common(7, limits=Limits()), counterparty="B2"),
        TransferDeclined(**_common(8), reason=low, counterparty="B2", judged_balance=3),
        DepositDeclined(
            **_common(9),
            reason=DeclineReason.ILLEGIBLE_CHECK,
            channel="check",
            check_number="x",
            detail="the amounts differ",
        ),
        DepositDeclined(
            **_common(10), reason=DeclineReason.MAX_BALANCE_EXCEEDED, detail="over max"
        ),
        AccountBlocked(**_common(11, amount=0), note="fraud"),
        AccountUnblocked(**_common(12, amount=0)),
        AccountUnblocked(**_common(13, amount=0), note="cleared"),
        LimitsSet(**_common(14, amount=0, limits=LIMITS)),
        AccountClosed(**_common(15, amount=0, balance_after=0), note="bye"),
        PendingPlaced(
            **_common(16, pendings=(HOLD,)),
            pending_txn_id="t16",
            side="debit",
            counterparty="B2",
            timeout_s=86_400,
            expires_at=AT + timedelta(days=1),
        ),
        PendingPosted(**_common(17), kind="transfer_out", pending_txn_id="t16", released=5),
        PendingPosted(
            **_common(18), kind="credit", pending_txn_id="t9", released=0, counterparty="B2"
        ),
        PendingVoided(**_common(19), pending_txn_id="t16"),
        PendingExpired(**_common(20, recorded_at=AT), pending_txn_id="t16"),
        HistoryArchived(
            **_common(21, amount=0, **FULL),
            customer_id="C1",
            closed=True,
            opened_at=AT,
            archived_events=21,
            archived_before="2026-03-01",
            archived_at=WHOLE,
        ),
        HistoryArchived(
            **_common(22, amount=0),
            version=1,
            customer_id="C1",
            archived_events=3,
            archived_before="2026-03-01",
            archived_at=AT,
        ),
    ]


def write_golden() -> None:  # pragma: no cover - run by hand for a deliberate format change
    GOLDEN.write_text(json.dumps([event_to_item(e) for e in events()], indent=1) + "\n")


CASES = list(zip(events(), json.loads(GOLDEN.read_text()), strict=True))


@pytest.mark.parametrize(("event", "stored"), CASES, ids=[type(e).__name__ for e, _ in CASES])
def test_the_codec_writes_the_pinned_item(event: LedgerEvent, stored: dict[str, Any]) -> None:
    """GIVEN an event of each type, optional fields absent and present WHEN encoded THEN the
    item is the pinned one, attribute for attribute and in the same order."""
    item = event_to_item(event)
    assert item == stored
    assert list(item) == list(stored)
    assert json.dumps(item) == json.dumps(stored)


@pytest.mark.parametrize(("event", "stored"), CASES, ids=[type(e).__name__ for e, _ in CASES])
def test_the_pinned_item_reads_back_as_its_event(
    event: LedgerEvent, stored: dict[str, Any]
) -> None:
    """GIVEN a pinned item WHEN decoded THEN it is the event it was written from."""
    back = item_to_event(dict(stored))
    assert back == event
    assert type(back) is type(event)
