"""Write path: the ledger's approved txns/s beside the backend's raw conditional writes.

Run: ``python -m bench.bench_write`` (or ``./run bench``). Measured on one DynamoDB Local in
one run: raw conditional put of an event-shaped item, raw two-item transaction (event +
idempotency record), then the Ledger with 8 workers over many accounts and over one hot
account (group commit), plus consumed capacity units per txn.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from acme_base.aws import serialize
from acme_txn.bootstrap import Options, bootstrap
from acme_txn.workload import (
    WorkloadSpec,
    customer_commands,
    funding_commands,
    opening_commands,
)
from bench.capacity import item_size, transaction_wcu
from bench.common import Rate, backend, fresh_tables, print_rates, timed_pool, warm_up
from processor.domain.events import FundsCredited
from processor.services.config import LedgerConfig
from processor.services.ledger import Ledger
from processor.storage.codec import event_to_item

WORKERS = 8


def _event_item(n: int, pk: str) -> dict[str, Any]:
    event = FundsCredited(
        account_id=f"{pk}{n}",
        seq=1,
        txn_id=f"{pk}-{n}",
        currency="USD",
        amount=100,
        balance_after=100,
        occurred_at=datetime.now(UTC),
    )
    return serialize(event_to_item(event))


def raw_put(client: Any, table: str, count: int) -> Rate:
    def put(n: int) -> None:
        client.put_item(
            TableName=table,
            Item=_event_item(n, "RAWP"),
            ConditionExpression="attribute_not_exists(PK)",
        )

    return timed_pool("raw conditional put (event item)", put, range(count), WORKERS)


def raw_transaction(client: Any, table: str, count: int) -> Rate:
    def txn(n: int) -> None:
        record = serialize({"PK": f"TXN#RAWT-{n}", "SK": f"TXN#RAWT-{n}", "outcome": "{}"})
        client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": table,
                        "Item": _event_item(n, "RAWT"),
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
                {
                    "Put": {
                        "TableName": table,
                        "Item": record,
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
            ]
        )

    return timed_pool("raw two-item transaction (event + idempotency)", txn, range(count), WORKERS)


def ledger_rate(ledger: Ledger, spec: WorkloadSpec, count: int, label: str) -> tuple[Rate, int]:
    for cmd in customer_commands(spec) + opening_commands(spec) + funding_commands(spec):
        ledger.submit_raw(cmd)
    accounts = [c["account_id"] for c in opening_commands(spec)]
    tag = "".join(ch for ch in label if ch.isalnum())[-20:]
    cmds = [
        {
            "type": "credit",
            "txn_id": f"{tag}-{n}",
            "account_id": accounts[n % len(accounts)],
            "amount": "1.00",
        }
        for n in range(count)
    ]
    approved = 0

    def submit(cmd: dict[str, Any]) -> None:
        nonlocal approved
        if ledger.submit_raw(cmd).status == "approved":
            approved += 1

    rate = timed_pool(label, submit, cmds, WORKERS)
    return Rate(label, approved, rate.seconds), ledger.stats["groups"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--warmup", type=float, default=15.0)
    args = parser.parse_args(argv)
    with backend() as base:
        settings, client = fresh_tables(base, "bw")
        table = settings.ledger_table
        warm_up(
            args.warmup, lambda n: client.put_item(TableName=table, Item=_event_item(n, "WARM"))
        )
        floor_put = raw_put(client, table, args.count)
        floor_txn = raw_transaction(client, table, args.count)
        many_app = bootstrap(settings, dynamodb=client, record_capacity=True)
        many, _ = ledger_rate(
            many_app.ledger,
            WorkloadSpec(accounts=200, prefix="M"),
            args.count,
            f"ledger credits, {WORKERS} workers, 200 accounts",
        )
        cu_many = many_app.event_store.consumed_capacity[-args.count :]  # type: ignore[attr-defined]
        hot_app = bootstrap(settings, dynamodb=client, record_capacity=True)
        hot_ledger = hot_app.ledger
        hot, groups = ledger_rate(
            hot_ledger,
            WorkloadSpec(accounts=1, prefix="H"),
            args.count,
            f"ledger credits, {WORKERS} workers, 1 hot account",
        )
        cu_hot = hot_app.event_store.consumed_capacity  # type: ignore[attr-defined]
        single = Options(ledger=LedgerConfig(group_size=1))
        no_group = bootstrap(settings, single, dynamodb=client).ledger
        hot1, _ = ledger_rate(
            no_group,
            WorkloadSpec(accounts=1, prefix="N"),
            args.count // 3,
            f"ledger credits, {WORKERS} workers, 1 hot account, group size 1",
        )
    print_rates(
        "write path (floor = raw two-item transaction)",
        [floor_put, floor_txn, many, hot, hot1],
        floor_txn,
    )
    print(
        f"\nhot account: {hot.count} txns committed in {groups} group transactions "
        f"({hot.count / max(groups, 1):.1f} txns per transaction); "
        f"no-grouping retries: {no_group.stats['retries']}"
    )
    _print_capacity(cu_many, cu_hot, hot.count / max(groups, 1))


def _print_capacity(cu_many: list[float], cu_hot: list[float], group: float) -> None:
    event = event_to_item(
        FundsCredited(
            account_id="A0001",
            seq=123,
            txn_id="T7-000123",
            currency="USD",
            amount=12345,
            balance_after=987654,
            occurred_at=datetime.now(UTC),
        )
    )
    outcome = (
        '{"account_id":"A0001","balance_after":"9876.54","seq":123,'
        '"status":"approved","txn_id":"T7-000123"}'
    )
    record = {
        "PK": "TXN#T7-000123",
        "SK": "TXN#T7-000123",
        "entity": "txn_record",
        "txn_id": "T7-000123",
        "fingerprint": "f" * 64,
        "status": "approved",
        "account_id": "A0001",
        "outcome": outcome,
        "recorded_at": "2026-11-22T00:00:00Z",
    }
    wcu = transaction_wcu([event, record])
    print(
        f"capacity per txn on AWS (from item sizes: event {item_size(event)} B, "
        f"record {item_size(record)} B): {wcu:.0f} WCU (2+2 transactional, +1 GSI1, +1 GSI2) "
        f"+ 1 RCU head read; with group commit the head read is shared by {group:.1f} txns."
    )
    if cu_many and cu_hot:
        print(
            f"DynamoDB Local reports {sum(cu_many) / len(cu_many):.1f} units per single-txn "
            f"transaction and {sum(cu_hot) / len(cu_hot):.1f} per group transaction: a fixed "
            "figure whatever the item count, so it is not used for costs."
        )


if __name__ == "__main__":
    main()
