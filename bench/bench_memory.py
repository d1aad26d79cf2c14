"""Memory: the poller + projector's RSS after 10k and 100k events, and ``submit``'s RSS on a
100k-line input (item 4).

Run: ``python -m bench.bench_memory [--small N] [--large N] [--quick]``. Event items (the
real codec's, 200 accounts) are written straight into the ledger table with BatchWriteItem
(loading fast, no ledger); the poller then delivers the stream to the projector in this
process, and RSS (``VmRSS``, after a GC) is taken once the first ``small`` events and then
all ``large`` have been projected. ``submit`` runs as a child process on a file of 1k and
then of 100k lines that are all rejected at parsing (a float amount): the backend is never
touched, so its peak RSS shows whether the input is streamed.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from acme_base.aws import call, serialize
from acme_base.settings import Settings
from acme_txn.bootstrap import bootstrap
from bench.common import backend, fresh_tables
from bench.results import print_table, ratio, save
from processor.domain.events import AccountOpened, FundsCredited, LedgerEvent
from processor.storage.codec import event_to_item

QUICK_ARGV = ["--quick"]
ACCOUNTS = 200
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def rss_mb() -> float:
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def events(start: int, stop: int) -> list[LedgerEvent]:
    """Events number ``start``..``stop - 1`` of a log over ``ACCOUNTS`` accounts (event n is
    seq n // ACCOUNTS of account n % ACCOUNTS; seq 0 opens it)."""
    out: list[LedgerEvent] = []
    for n in range(start, stop):
        account, seq = f"M{n % ACCOUNTS:04d}", n // ACCOUNTS
        at = T0 + timedelta(seconds=n)
        if seq == 0:
            out.append(
                AccountOpened(
                    account_id=account, seq=0, txn_id=f"open-{account}", currency="USD",
                    amount=0, balance_after=0, occurred_at=at, customer_id="C1",
                )
            )  # fmt: skip
        else:
            out.append(
                FundsCredited(
                    account_id=account, seq=seq, txn_id=f"{account}-{seq}", currency="USD",
                    amount=100, balance_after=100 * seq, occurred_at=at,
                )
            )  # fmt: skip
    return out


def load(client: Any, table: str, batch: list[LedgerEvent]) -> None:
    for i in range(0, len(batch), 25):
        requests = [
            {"PutRequest": {"Item": serialize(event_to_item(e))}} for e in batch[i : i + 25]
        ]
        pending: dict[str, Any] = {table: requests}
        while pending:
            resp = call("bench: load events", client.batch_write_item, RequestItems=pending)
            pending = resp.get("UnprocessedItems") or {}


def poller_rss(settings: Settings, client: Any, small: int, large: int) -> dict[str, Any]:
    app = bootstrap(settings, dynamodb=client)
    before = rss_mb()
    points: dict[str, Any] = {"before_mb": before}
    for label, (lo, hi) in (("small", (0, small)), ("large", (small, large))):
        load(client, settings.ledger_table, events(lo, hi))
        result = app.drain(max_seconds=1800)
        points[f"after_{hi}_events_mb"] = rss_mb()
        points[f"delivered_{label}"] = result.as_dict().get("delivered")
    first, last = points[f"after_{small}_events_mb"], points[f"after_{large}_events_mb"]
    points["growth_pct"] = round((last / first - 1) * 100, 1) if first else 0.0
    points["flat_within_10pct"] = abs(points["growth_pct"]) <= 10
    return points


#: runs its arguments as the only child of a fresh interpreter, then prints that child's peak
#: RSS in KB (so no other child of the bench, e.g. DynamoDB Local's start-up checks, counts)
PEAK_OF = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "assert code in (0, 2), code\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def submit_rss(settings: Settings, lines: int) -> float:
    """Peak RSS (MB) of ``acme-txn submit`` on ``lines`` rejected lines (a child process)."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        for n in range(lines):
            line = {"type": "credit", "txn_id": f"R{n}", "account_id": "A1", "amount": 1.5}
            f.write(json.dumps(line) + "\n")
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL_DYNAMODB": settings.endpoint_url or "",
        "AWS_ACCESS_KEY_ID": settings.access_key or "x",
        "AWS_SECRET_ACCESS_KEY": settings.secret_key or "x",
        "ACME_TABLE_PREFIX": settings.table_prefix,
    }
    cli = [sys.executable, "-m", "acme_txn.cli.main", "submit", f.name]
    proc = subprocess.run(
        [sys.executable, "-c", PEAK_OF, *cli], env=env, capture_output=True, check=False
    )
    os.unlink(f.name)
    if proc.returncode != 0:
        raise RuntimeError(f"submit: {proc.stderr.decode()[-500:]}")
    return round(int(proc.stdout.split()[-1]) / 1024, 1)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=100_000, help="submit's input lines")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--save", action="store_true", help="also write a JSON file")
    args = parser.parse_args(argv)
    small, large, lines = (
        (2_000, 10_000, 20_000) if args.quick else (args.small, args.large, args.lines)
    )
    with backend() as base:
        settings, client = fresh_tables(base, "bm")
        poller = poller_rss(settings, client, small, large)
        few = submit_rss(settings, 1_000)
        many = submit_rss(settings, lines)
    submit = {"lines_1000_peak_mb": few, f"lines_{lines}_peak_mb": many, "ratio": ratio(many, few)}
    results = {"poller_projector": poller, "submit": submit}
    print_table(
        "memory (RSS, MB)",
        ["what", "first", "then", "growth %"],
        [
            [f"poller + projector, {small} -> {large} events", poller[f"after_{small}_events_mb"],
             poller[f"after_{large}_events_mb"], poller["growth_pct"]],
            [f"submit peak, 1000 -> {lines} lines", few, many, round((many / few - 1) * 100, 1)],
        ],
    )  # fmt: skip
    if args.save:
        print(f"results: {save({'memory': results}, 'memory')}")
    return results


if __name__ == "__main__":
    main(["--save", *sys.argv[1:]])
