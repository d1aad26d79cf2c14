"""Statement and export timings for 100k events (run on demand: ACME_ANALYST_TIMING=1).

The event items are written straight to the ledger table with BatchWriteItem (a valid history:
credits and debits with a running ``balance_after``), which is far faster than the write path;
the reads under test do not care how the items got there.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from acme_base.aws import call, serialize
from acme_txn.bootstrap import App
from acme_txn.exporting import Exporter
from processor.domain.events import AccountOpened, FundsCredited, FundsDebited
from processor.storage.codec import event_to_item

EVENTS = int(os.environ.get("ACME_ANALYST_EVENTS", "100000"))
ACCOUNTS = 100
DAYS = 30
START = datetime(2024, 1, 1, tzinfo=UTC)

pytestmark = pytest.mark.skipif(
    not os.environ.get("ACME_ANALYST_TIMING"), reason="timings on demand: ACME_ANALYST_TIMING=1"
)


def _items(account: int) -> list[dict[str, Any]]:
    """One account's history: opened, then credits and debits spread over ``DAYS`` days."""
    aid = f"A{account:04d}"
    per = EVENTS // ACCOUNTS
    common = {"account_id": aid, "currency": "USD"}
    events: list[Any] = [
        AccountOpened(
            **common,
            seq=0,
            txn_id=f"open-{aid}",
            amount=0,
            balance_after=0,
            occurred_at=START,
            customer_id="C1",
        )
    ]
    balance = 0
    step = timedelta(days=DAYS) / per
    for seq in range(1, per):
        at, amount = START + step * seq, 100 + seq % 997
        if seq % 3:
            balance += amount
            cls: Any = FundsCredited
        else:
            amount = min(amount, balance)
            balance -= amount
            cls = FundsDebited
        events.append(cls(**common, seq=seq, txn_id=f"{aid}-{seq}", amount=amount,
                          balance_after=balance, occurred_at=at))  # fmt: skip
    return [event_to_item(e) for e in events]


def _write(app: App, items: list[dict[str, Any]]) -> None:
    table = app.settings.ledger_table
    for i in range(0, len(items), 25):
        requests = [{"PutRequest": {"Item": serialize(it)}} for it in items[i : i + 25]]
        while requests:
            resp = call("batch write", app.dynamodb.batch_write_item,
                        RequestItems={table: requests})  # fmt: skip
            requests = resp.get("UnprocessedItems", {}).get(table, [])


def test_timings_for_100k_events(app: App, tmp_path: Path) -> None:
    t0 = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda a: _write(app, _items(a)), range(ACCOUNTS)))
    wrote = time.perf_counter() - t0
    first, last = START.date().isoformat(), (START + timedelta(days=DAYS)).date().isoformat()
    t0 = time.perf_counter()
    statement = app.asof.statement("A0001", first, last, "USD")
    stated = time.perf_counter() - t0
    assert statement.reconciles and len(statement.entries) == EVENTS // ACCOUNTS - 1
    timings = {"write_items_s": round(wrote, 1), "statement_1000_entries_s": round(stated, 2)}
    for fmt in ("parquet", "csv", "jsonl"):
        t0 = time.perf_counter()
        summary = Exporter(app, tmp_path / fmt, first, last, fmt).run(["events"])
        timings[f"export_events_{fmt}_s"] = round(time.perf_counter() - t0, 1)
        assert summary["events"]["rows"] == EVENTS - ACCOUNTS
    print("\nANALYST TIMINGS", timings)
