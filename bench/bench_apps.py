"""Loyalty points: the seed 004 design next to ours, on one DynamoDB Local (issue 13, item 4).

Run: ``python -m bench.bench_apps [--count N] [--quick]``. The seed's design: one item per user
(``userId``) holding ``points``, ``tier``, ``lastUpdated`` and the whole ``rewardHistory`` list;
an EARN reads the item, scans the history for its ``transactionId`` (idempotency) and writes
``points + n`` with the entry appended, on condition that ``lastUpdated`` is unchanged (else it
re-reads and retries). Ours: ``app.loyalty`` (a credit of the member's ``PTS`` account, the
engine's conditional append and idempotency records, the member view folded right after).

Measured, 8 submitter threads, every member already holding one EARN (untimed): EARNs/s
and p50/p99 for one hot user and for many users,
conflicts (lost optimistic-lock races) per EARN, the hot user's item size after the run and
the seed's EARN latency as its history grows, and where the seed's item stops taking EARNs
(DynamoDB's 400 KB item limit, with the seed's own 200-character descriptions).
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import ClientError

from acme_txn.bootstrap import bootstrap
from bench.common import backend, fresh_tables
from bench.results import latency_ms, print_table, ratio, save

WORKERS = 8
QUICK_ARGV = ["--quick"]
DESCRIPTION = "x" * 200  # the seed's estimate of an average description


class SeedLoyalty:
    """Seed 004's ``LoyaltyPoints`` table and its EARN, as the seed describes them."""

    def __init__(self, client: Any, table: str) -> None:
        self.client, self.table = client, table
        self.conflicts = 0
        self._lock = threading.Lock()

    def create(self) -> None:
        self.client.create_table(
            TableName=self.table,
            AttributeDefinitions=[{"AttributeName": "userId", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "userId", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )

    def earn(self, user: str, txn: str, order: str, points: int) -> str:
        while True:
            got = self.client.get_item(
                TableName=self.table, Key={"userId": {"S": user}}, ConsistentRead=True
            ).get("Item")
            history = got["rewardHistory"]["L"] if got else []
            if any(e["M"]["transactionId"]["S"] == txn for e in history):  # scan the list
                return "duplicate"
            entry = {"M": {
                "transactionId": {"S": txn}, "type": {"S": "EARN"}, "amount": {"N": str(points)},
                "timestamp": {"N": str(int(time.time() * 1000))}, "orderId": {"S": order},
                "description": {"S": DESCRIPTION},
            }}  # fmt: skip
            try:
                self._write(user, got, entry, points)
                return "approved"
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                with self._lock:
                    self.conflicts += 1

    def _write(self, user: str, got: dict[str, Any] | None, entry: Any, points: int) -> None:
        now = {"N": str(time.time_ns())}
        if got is None:
            self.client.put_item(
                TableName=self.table,
                Item={"userId": {"S": user}, "points": {"N": str(points)}, "tier": {"S": "Bronze"},
                      "lastUpdated": now, "rewardHistory": {"L": [entry]}},
                ConditionExpression="attribute_not_exists(userId)",
            )  # fmt: skip
            return
        self.client.update_item(
            TableName=self.table,
            Key={"userId": {"S": user}},
            UpdateExpression="SET points = points + :p, lastUpdated = :now, "
            "rewardHistory = list_append(rewardHistory, :e)",
            ConditionExpression="lastUpdated = :prev",
            ExpressionAttributeValues={
                ":p": {"N": str(points)}, ":now": now, ":e": {"L": [entry]},
                ":prev": got["lastUpdated"],
            },
        )  # fmt: skip

    def item_bytes(self, user: str) -> int:
        got = self.client.get_item(TableName=self.table, Key={"userId": {"S": user}})
        return _size(got.get("Item", {}))

    def fill_until_full(self, user: str, chunk: int = 25, most: int = 10_000) -> int:
        """Append history entries (``chunk`` per write) until DynamoDB refuses the item (or
        ``most`` are there)."""
        entries = 0
        while entries < most:
            batch = [{"M": {"transactionId": {"S": f"fill-{entries + i:036d}"},
                            "type": {"S": "EARN"}, "amount": {"N": "1"},
                            "timestamp": {"N": "1700000000000"},
                            "orderId": {"S": f"{entries + i:036d}"},
                            "description": {"S": DESCRIPTION}}} for i in range(chunk)]  # fmt: skip
            try:
                self.client.update_item(
                    TableName=self.table,
                    Key={"userId": {"S": user}},
                    UpdateExpression="SET rewardHistory = list_append("
                    "if_not_exists(rewardHistory, :empty), :e), points = :p, lastUpdated = :t",
                    ExpressionAttributeValues={":e": {"L": batch}, ":empty": {"L": []},
                                               ":p": {"N": "0"}, ":t": {"N": "1"}},
                )  # fmt: skip
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ValidationException":
                    raise
                if chunk == 1:
                    return entries
                chunk = 1
                continue
            entries += chunk
        return entries


def _size(value: Any) -> int:
    """DynamoDB's item size rule, roughly: names plus UTF-8 strings, numbers ~ digits/2 + 1."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in {"S", "N", "L", "M"}:
        kind, inner = next(iter(value.items()))
        if kind == "S":
            return len(inner.encode())
        if kind == "N":
            return len(inner) // 2 + 1
        if kind == "L":
            return 3 + sum(1 + _size(v) for v in inner)
        return 3 + sum(len(k) + 1 + _size(v) for k, v in inner.items())
    return sum(len(k) + _size(v) for k, v in value.items())


def _timed(fn: Callable[[int], str], count: int) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    lock = threading.Lock()

    def one(i: int) -> None:
        started = time.perf_counter()
        status = fn(i)
        with lock:
            latencies.append(time.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1

    started = time.perf_counter()
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(one, range(count)))
    seconds = time.perf_counter() - started
    return {"earns": count, "per_second": round(count / seconds, 1), "statuses": statuses,
            **latency_ms(latencies)}  # fmt: skip


def run(count: int, users: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with backend() as base:
        settings, client = fresh_tables(base, "apps")
        app = bootstrap(settings)
        seed = SeedLoyalty(client, f"{settings.table_prefix}-LoyaltyPoints")
        seed.create()
        results["one hot user"] = _workload(seed, app, "hot", lambda i: "hot", count)
        results["many users"] = _workload(seed, app, "many", lambda i: f"u{i % users}", count)
        results["item_bytes"] = {
            "seed_hot_user_after_run": seed.item_bytes("hot"),
            "seed_bytes_per_entry": round(seed.item_bytes("hot") / count),
            "ours_member_view": _size(client.get_item(
                TableName=settings.views_table,
                Key={"PK": {"S": "LOYALTY#hot"}, "SK": {"S": "MEMBER"}})["Item"]),
        }  # fmt: skip
        results["seed_limit"] = _limit(seed, app)
    return results


def _workload(
    seed: SeedLoyalty, app: Any, tag: str, pick: Callable[[int], str], count: int
) -> dict[str, Any]:
    """The same EARNs (10 points each) on both designs; the seed's first."""
    seed.conflicts = 0

    def seed_earn(i: int) -> str:
        return seed.earn(pick(i), f"{tag}-{i}", f"o{i}", 10)

    def our_earn(i: int) -> str:
        raw = {"type": "earn", "transaction_id": f"{tag}-{i}", "user_id": pick(i),
               "order_id": f"o{i}", "amount": "10.00", "description": DESCRIPTION}  # fmt: skip
        return str(app.loyalty.submit(raw).status)

    def our_write_only(i: int) -> str:
        return our_earn(count + i)

    for user in sorted({pick(i) for i in range(count)}):  # members exist: steady state, untimed
        seed.earn(user, f"{tag}-first-{user}", "o", 10)
        app.loyalty.submit({"type": "earn", "transaction_id": f"{tag}-first-{user}",
                            "user_id": user, "order_id": "o", "amount": "10.00"})  # fmt: skip
    s = _timed(seed_earn, count)
    s["conflicts_per_earn"] = round(seed.conflicts / count, 3)
    retries = app.ledger.stats.get("retries", 0)
    o = _timed(our_earn, count)
    o["retries_per_earn"] = round((app.ledger.stats.get("retries", 0) - retries) / count, 3)
    app.loyalty.sync_projection = False  # the views left to the stream consumer
    try:
        w = _timed(our_write_only, count)
    finally:
        app.loyalty.sync_projection = True
    return {"seed": s, "ours": o, "ours_stream_views": w,
            "ours_over_seed": ratio(o["per_second"], s["per_second"]),
            "ours_stream_views_over_seed": ratio(w["per_second"], s["per_second"])}  # fmt: skip


def _limit(seed: SeedLoyalty, app: Any) -> dict[str, Any]:
    """Where the seed's item stops, and its EARN latency on the way (ours: flat)."""
    full = seed.fill_until_full("full")
    seed.fill_until_full("big", most=1000)
    latencies = {}
    for label, user in (("empty item", "fresh"), ("1000 entries", "big")):
        started = time.perf_counter()
        status = seed.earn(user, f"probe-{label}", "o", 1)
        latencies[label] = {
            "status": status,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        }
    try:
        after = seed.earn("full", "one-more", "o", 1)
    except ClientError as exc:
        after = exc.response["Error"]["Code"]
    return {"entries_at_400kb": full, "earn_when_full": after, "earn_ms": latencies,
            "full_item_bytes": seed.item_bytes("full"), "seed_estimate": 1160}  # fmt: skip


def report(results: dict[str, Any]) -> None:
    rows = []
    for workload in ("one hot user", "many users"):
        r = results[workload]
        rows.append([workload, r["seed"]["per_second"], r["ours"]["per_second"],
                     r["ours_stream_views"]["per_second"], r["ours_over_seed"],
                     r["seed"]["p99_ms"], r["ours"]["p99_ms"],
                     r["seed"]["conflicts_per_earn"], r["ours"]["retries_per_earn"]])  # fmt: skip
    print_table("loyalty EARN: seed 004 vs ours (8 threads)",
                ["workload", "seed/s", "ours/s", "ours, stream views/s", "x", "seed p99",
                 "ours p99", "seed conflicts/earn", "ours retries/earn"], rows)  # fmt: skip
    sizes, limit = results["item_bytes"], results["seed_limit"]
    print(f"item size: seed hot user {sizes['seed_hot_user_after_run']} B "
          f"(~{sizes['seed_bytes_per_entry']} B per entry), ours member view "
          f"{sizes['ours_member_view']} B (constant)")  # fmt: skip
    print(f"seed item full at {limit['entries_at_400kb']} entries; next EARN: "
          f"{limit['earn_when_full']}; EARN latency {limit['earn_ms']}")  # fmt: skip


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=400, help="EARNs per workload and design")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="60 EARNs per workload")
    args = parser.parse_args(argv)
    results = run(60 if args.quick else args.count, args.users)
    report(results)
    print(f"saved {save({'apps': results}, 'apps')}")
    return results


if __name__ == "__main__":
    main()
