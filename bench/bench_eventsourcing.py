"""The eventsourcing library's recorders side by side: this project's DynamoDB module (on
DynamoDB Local) beside the library's own SQLite (a file) and in-memory (POPO) ones.

Per store, in one run: events per second inserted (1, 10, 100 events per call; 1 and 8
writers), notifications per second read back (pages of 500), one application's commands per
second (the library's example ``BankAccounts``: credit an account), and, for DynamoDB, the
capacity of each call as AWS would bill it (``bench.costs.Recorder`` on the same client).

``python -m bench.bench_eventsourcing [--calls N]`` or ``python -m bench --only eventsourcing``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import ApplicationRecorder, InfrastructureFactory, StoredEvent
from eventsourcing.tests.application import BankAccounts
from eventsourcing.utils import Environment

from acme_base.aws import deserialize
from acme_base.settings import Settings
from bench.capacity import PRICE_PER_MILLION_RRU, PRICE_PER_MILLION_WRU, item_size, read_units
from bench.common import backend, timed_pool, warm_up
from bench.costs import Recorder
from bench.results import print_table, save
from eventsourcing_dynamodb import DynamoDBApplicationRecorder

QUICK_ARGV = ["--calls", "16", "--commands", "20", "--read-events", "1000", "--warm-up", "1"]
PER_CALL = (1, 10, 100)
WRITERS = (1, 8)
STATE = b'{"amount": "10.00", "currency": "EUR", "note": "bench"}'


def store_envs(settings: Settings, tmp: Path) -> dict[str, Callable[[], dict[str, str]]]:
    """Per store, a maker of a fresh environment (a fresh database or log each call)."""
    aws = {
        "AWS_ENDPOINT_URL": settings.endpoint_url or "",
        "AWS_ACCESS_KEY_ID": settings.access_key or "",
        "AWS_SECRET_ACCESS_KEY": settings.secret_key or "",
        "AWS_REGION": settings.region,
    }
    table = f"bench-es-{uuid.uuid4().hex[:6]}"
    return {
        "dynamodb": lambda: {
            **aws,
            "PERSISTENCE_MODULE": "eventsourcing_dynamodb",
            "DYNAMODB_TABLE": table,
        },
        "sqlite": lambda: {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(tmp / f"{uuid.uuid4().hex[:8]}.db"),
        },
        "popo": lambda: {"PERSISTENCE_MODULE": "eventsourcing.popo"},
    }


@contextmanager
def recorder_of(env: dict[str, str]) -> Iterator[ApplicationRecorder]:
    factory = InfrastructureFactory.construct(Environment(f"b{uuid.uuid4().hex[:8]}", env))
    try:
        yield factory.application_recorder()
    finally:
        factory.close()


def calls(n: int, per_call: int) -> list[list[StoredEvent]]:
    out = []
    for _ in range(n):
        oid = uuid.uuid4()
        out.append([StoredEvent(oid, v, "bench.Event", STATE) for v in range(1, per_call + 1)])
    return out


def inserts(make_env: Callable[[], dict[str, str]], n_calls: int) -> dict[str, float]:
    rates = {}
    for per_call in PER_CALL:
        for writers in WRITERS:
            with recorder_of(make_env()) as recorder:
                work = calls(n_calls, per_call)
                rate = timed_pool("insert", recorder.insert_events, work, writers)
            rates[f"{per_call}/call x{writers}"] = rate.per_second * per_call
    return rates


def reads(make_env: Callable[[], dict[str, str]], n_events: int) -> float:
    with recorder_of(make_env()) as recorder:
        for chunk in calls(max(1, n_events // 100), 100):
            recorder.insert_events(chunk)

        def read_all(_: int) -> int:
            got, start = 0, 0
            while page := recorder.select_notifications(start, 500, inclusive_of_start=False):
                got += len(page)
                start = page[-1].id
            return got

        rate = timed_pool("read", read_all, [0, 1, 2], 1)
        return rate.per_second * (n_events // 100) * 100


def commands(make_env: Callable[[], dict[str, str]], n_commands: int) -> float:
    app: Application[Any] = BankAccounts(env=make_env())
    accounts = [app.open_account(f"n{i}", f"n{i}@example.com") for i in range(8)]

    def credit(i: int) -> None:
        app.credit_account(accounts[i % len(accounts)], Decimal("1.00"))

    rate = timed_pool("credit", credit, list(range(n_commands)), 1)
    app.close()
    return rate.per_second


def dynamodb_costs(make_env: Callable[[], dict[str, str]]) -> dict[str, dict[str, float]]:
    """WCU per call (one writer: nothing shared) and RCU per 500 notifications read."""
    out = {}
    with recorder_of(make_env()) as recorder:
        assert isinstance(recorder, DynamoDBApplicationRecorder)
        tally = Recorder(recorder.client, indexes={})
        recorder.client = tally
        for per_call in PER_CALL:
            tally.reset()
            for chunk in calls(10, per_call):
                recorder.insert_events(chunk)
            wcu = tally.reset().wcu / 10
            out[f"{per_call} events/call"] = {
                "wcu": round(wcu, 1),
                "usd_per_million_calls": round(wcu * PRICE_PER_MILLION_WRU, 2),
            }
        resp = tally.client.query(
            TableName=recorder.table,
            KeyConditionExpression="PK = :pk AND SK > :z",
            ExpressionAttributeValues={":pk": {"S": f"{recorder.scope}#LOG"}, ":z": {"N": "0"}},
        )
        sizes = [item_size(_plain(i)) for i in resp["Items"]]
        events = sum(len(i["e"]["L"]) for i in resp["Items"])
        rcu_per_500 = read_units(sizes, consistent=True) * 500 / max(events, 1)
        out["read 500 notifications"] = {
            "rcu": round(rcu_per_500, 1),
            "usd_per_million_calls": round(rcu_per_500 * PRICE_PER_MILLION_RRU, 2),
        }
    return out


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return deserialize(item)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--calls", type=int, default=64, help="calls per configuration")
    parser.add_argument("--commands", type=int, default=100, help="application commands")
    parser.add_argument("--read-events", type=int, default=5000)
    parser.add_argument("--save", action="store_true", help="write bench/results/*.json")
    parser.add_argument("--warm-up", type=float, default=10.0, help="seconds of DynamoDB load")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    with backend() as settings, tempfile.TemporaryDirectory() as tmp:
        envs = store_envs(settings, Path(tmp))
        with recorder_of(envs["dynamodb"]()) as recorder:  # a fresh JVM speeds up under load
            warm_up(args.warm_up, lambda _: recorder.insert_events(calls(1, 10)[0]))
        for name, make_env in envs.items():
            print(f"-- {name}", flush=True)
            results[name] = {
                "events_per_s": inserts(make_env, args.calls),
                "notifications_read_per_s": reads(make_env, args.read_events),
                "commands_per_s": commands(make_env, args.commands),
            }
        results["dynamodb_costs"] = dynamodb_costs(store_envs(settings, Path(tmp))["dynamodb"])
    report(results)
    if args.save:
        print(f"results: {save({'eventsourcing': results}, 'eventsourcing')}")
    return results


def report(results: dict[str, Any]) -> None:
    stores = ("dynamodb", "sqlite", "popo")
    keys = list(results["dynamodb"]["events_per_s"])
    rows = [[k, *(round(results[s]["events_per_s"][k]) for s in stores)] for k in keys]
    rows.append(
        ["notifications read/s", *(round(results[s]["notifications_read_per_s"]) for s in stores)]
    )
    rows.append(["app commands/s", *(round(results[s]["commands_per_s"], 1) for s in stores)])
    print_table("eventsourcing recorders (events/s unless named)", ["what", *stores], rows)
    cost_rows = [
        [k, v.get("wcu", v.get("rcu")), v["usd_per_million_calls"]]
        for k, v in results["dynamodb_costs"].items()
    ]
    print_table(
        "DynamoDB capacity per call (on-demand, us-east-1)",
        ["call", "units", "USD per 1M"],
        cost_rows,
    )


if __name__ == "__main__":
    main(["--save", *sys.argv[1:]])
