"""Builders for the archival tests: accounts whose events span years, written through the
store (``occurred_at`` in the past), and a botocore hook that crashes after N writes."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from processor.domain.commands import OpenAccount
from processor.domain.decide import AccountState, decide, fold
from processor.domain.events import (
    DebitDeclined,
    DeclineReason,
    FundsCredited,
    FundsDebited,
    LedgerEvent,
)
from processor.storage.ports import EventStore
from tests.customer_support import register_in
from tests.property.faults import Injector

OLD = datetime(2011, 3, 1, 9, 0, tzinfo=UTC)
WRITES = ("TransactWriteItems", "PutItem", "DeleteItem", "BatchWriteItem", "UpdateItem")


def old_events(account: str, n: int, start: AccountState) -> list[LedgerEvent]:
    """``n`` events after ``start``, 20 days apart from 2011 on: credits, debits, declines."""
    events: list[LedgerEvent] = []
    balance, seq = start.balance, start.seq
    for i in range(n):
        seq += 1
        at = OLD + timedelta(days=20 * seq)
        common = {"account_id": account, "seq": seq, "txn_id": f"{account}-{seq}"}
        common |= {"currency": start.currency, "occurred_at": at}
        if i % 3 == 0:
            balance += 1000
            events.append(FundsCredited(**common, amount=1000, balance_after=balance))
        elif i % 3 == 1:
            balance -= 300
            events.append(FundsDebited(**common, amount=300, balance_after=balance))
        else:
            events.append(
                DebitDeclined(
                    **common,
                    amount=10**9,
                    balance_after=balance,
                    reason=DeclineReason.LOW_BALANCE,
                )
            )
    return events


def seed_old_account(store: EventStore, account: str, n_old: int) -> AccountState:
    """Open ``account`` in 2011 and append ``n_old`` events spanning the following years."""
    cmd = OpenAccount(type="open_account", account_id=account, customer_id="C1", currency="USD")
    (opened,) = decide({}, cmd, OLD)
    register_in(store, "C1")  # an opening needs a registered customer
    store.append([opened], [], opening=cmd)
    events = old_events(account, n_old, AccountState(account, "C1", "USD"))
    for start in range(0, len(events), 90):
        store.append(events[start : start + 90], [])
    state = fold([opened, *events])
    assert state is not None
    return state


@contextlib.contextmanager
def crash_after(client: Any, writes: int) -> Iterator[Injector]:
    """Every write call after the first ``writes`` fails (the process "dies" there: nothing
    later reaches DynamoDB)."""
    injector = Injector(None, after=writes)
    uid = f"archive-crash-{id(injector)}"
    for op in WRITES:
        client.meta.events.register(f"before-call.dynamodb.{op}", injector.before_call, uid)
    try:
        yield injector
    finally:
        for op in WRITES:
            client.meta.events.unregister(f"before-call.dynamodb.{op}", injector.before_call, uid)
