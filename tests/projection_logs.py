"""Valid event logs for the projection tests (pure, no I/O), and delivery schedules."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime

from hypothesis import strategies as st

from processor.domain.events import (
    AccountOpened,
    DebitDeclined,
    DeclineReason,
    FundsCredited,
    FundsDebited,
    LedgerEvent,
    TransferDeclined,
    TransferReceived,
    TransferSent,
)

DAYS = ("2026-11-20", "2026-11-21", "2026-11-22")
KINDS = ("credit", "debit", "transfer_out", "transfer_in")
Op = tuple[str, int, int, int]  # kind, amount (minor), day index, hour


def build_log(accounts: dict[str, Sequence[Op]]) -> list[LedgerEvent]:
    """Each account: opened at seq 0, then its ops with correct seqs and running balances."""
    events: list[LedgerEvent] = []
    for account, ops in accounts.items():
        opened = datetime(2026, 11, 19, 9, tzinfo=UTC)
        events.append(
            AccountOpened(
                account_id=account,
                seq=0,
                txn_id=f"open-{account}",
                currency="USD",
                amount=0,
                balance_after=0,
                occurred_at=opened,
                customer_id="C1",
            )
        )
        balance = 0
        for seq, (kind, amount, day, hour) in enumerate(ops, start=1):
            at = datetime.fromisoformat(f"{DAYS[day % len(DAYS)]}T{hour % 24:02d}:00:00+00:00")
            common = {
                "account_id": account,
                "seq": seq,
                "txn_id": f"T-{account}-{seq}",
                "currency": "USD",
                "amount": amount,
                "occurred_at": at,
            }
            other = "X" + account
            event: LedgerEvent
            if kind == "credit":
                balance += amount
                event = FundsCredited(**common, balance_after=balance)
            elif kind == "transfer_in":
                balance += amount
                event = TransferReceived(**common, balance_after=balance, counterparty=other)
            elif amount > balance:
                reason = DeclineReason.LOW_BALANCE
                event = (
                    DebitDeclined(**common, balance_after=balance, reason=reason)
                    if kind == "debit"
                    else TransferDeclined(
                        **common, balance_after=balance, reason=reason, counterparty=other
                    )
                )
            else:
                balance -= amount
                event = (
                    FundsDebited(**common, balance_after=balance)
                    if kind == "debit"
                    else TransferSent(**common, balance_after=balance, counterparty=other)
                )
            events.append(event)
    return events


ops = st.tuples(
    st.sampled_from(KINDS), st.integers(1, 5_000), st.integers(0, 2), st.integers(0, 23)
)
logs = st.dictionaries(
    st.sampled_from(["A1", "A2", "B7", "C3"]), st.lists(ops, max_size=12), min_size=1, max_size=3
).map(build_log)


def messy_batches(
    events: Sequence[LedgerEvent],
    rng: random.Random,
    batch_size: int = 5,
    dup_ratio: float = 0.3,
    drop_ratio: float = 0.0,
) -> list[list[LedgerEvent]]:
    """At-least-once delivery: shuffled, duplicated across and within batches, optionally
    with some events never delivered (gaps the projector must heal from the log)."""
    delivered = [e for e in events if rng.random() >= drop_ratio]
    delivered += [e for e in events if rng.random() < dup_ratio]
    rng.shuffle(delivered)
    return [delivered[i : i + batch_size] for i in range(0, len(delivered), batch_size)]


def simple_log(accounts: int = 2, per_account: int = 6, seed: int = 1) -> list[LedgerEvent]:
    rng = random.Random(seed)
    return build_log(
        {
            f"A{i}": [
                (rng.choice(KINDS), rng.randint(100, 9_000), rng.randint(0, 2), rng.randint(0, 23))
                for _ in range(per_account)
            ]
            for i in range(accounts)
        }
    )
