"""Why the seed comparison did not reproduce: DynamoDB Local's new tables start slow.

Run: ``python -m bench.bench_cold [--blocks N]`` (or ``./run bench --only cold``). On one
DynamoDB Local, after warming one ledger-shaped table with 600 transactions, the rate of raw
two-item transactions (a credit's event + idempotency record, the ledger's own shapes; 8
threads) per consecutive block of 100, into:

- the warmed table (the server and the table warm);
- a ledger-shaped table created now (six GSIs, a stream, TTL), on the warm server;
- the same table without its stream;
- a table of the same keys with no index and no stream.

Ratios within the run are what to read: if the new ledger-shaped table is slow for its
first blocks while the warm one is not, a comparison that warms one design's table only
measures that, not the designs.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from typing import Any

from acme_base.settings import Settings
from acme_base.tables import ledger_spec
from bench.bench_batch import raw
from bench.common import backend, fresh_tables
from bench.results import print_table, save
from processor.storage.store import DynamoEventStore

QUICK_ARGV = ["--blocks", "2", "--warm", "100"]


def _table(client: Any, base: Settings, *, indexes: bool, stream: bool) -> str:
    """A ledger-shaped table, optionally without its GSIs and its stream."""
    definition = dict(ledger_spec(base).definition)
    if not indexes:
        definition.pop("GlobalSecondaryIndexes")
        definition["AttributeDefinitions"] = [
            a for a in definition["AttributeDefinitions"] if a["AttributeName"] in {"PK", "SK"}
        ]
    if not stream:
        definition.pop("StreamSpecification")
    name = f"cold{uuid.uuid4().hex[:8]}"
    client.create_table(TableName=name, **definition)
    client.get_waiter("table_exists").wait(TableName=name)
    return name


def blocks(store: DynamoEventStore, tag: str, n: int) -> list[float]:
    return [round(raw(store, f"{tag}{b}", 1, 100).rate, 1) for b in range(n)]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--blocks", type=int, default=5, help="blocks of 100 per table")
    parser.add_argument("--warm", type=int, default=600, help="warm-up of the first table")
    parser.add_argument("--save", action="store_true")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()[0]
    results: dict[str, Any] = {}
    with backend() as base:
        settings, client = fresh_tables(base, "bw")
        warm = DynamoEventStore(client, settings.ledger_table)
        raw(warm, "w", 1, args.warm)
        results["warmed ledger table"] = blocks(warm, "wm", args.blocks)
        for label, indexes, stream in (
            ("new ledger table (GSIs, stream)", True, True),
            ("new ledger table, no stream", True, False),
            ("new table, no GSIs, no stream", False, False),
        ):
            store = DynamoEventStore(
                client, _table(client, settings, indexes=indexes, stream=stream)
            )
            results[label] = blocks(store, "n", args.blocks)
        results["warmed ledger table, again"] = blocks(warm, "wa", args.blocks)
    results["load_avg_1min"] = [load_before, os.getloadavg()[0]]
    rows = [[k, *v] for k, v in results.items() if k != "load_avg_1min"]
    load = results["load_avg_1min"]
    print_table(
        f"raw two-item transactions per block of 100, txns/s (load {load[0]:.1f}-{load[1]:.1f})",
        ["table", *(f"block {b + 1}" for b in range(args.blocks))],
        rows,
    )
    if args.save:
        print(f"results: {save({'cold': results}, 'cold')}")
    return results


if __name__ == "__main__":
    main(["--save", *sys.argv[1:]])
