"""Cost per transaction on AWS: WCU/RCU per command type, ours and the seed's (item 5).

Run: ``python -m bench.bench_costs``. Every command runs against DynamoDB Local through
``bench.costs.Recorder``, which costs the items actually sent (the real codec's items) by
DynamoDB's size rules and the indexes each item lands in (``bench.capacity``). Each command
runs on a ledger without a head cache, so the head read it may need is counted (the head
cache and group commit share it between commands: see BENCHMARKS.md). The projector then
projects every event written, through the same recorder: WCU per event.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from acme_base.aws import dynamodb_client
from acme_base.settings import Settings
from acme_base.tables import ensure_tables, ledger_spec, views_spec
from acme_txn.bootstrap import Options, bootstrap
from bench import seed_write
from bench.capacity import index_keys, price_per_million
from bench.common import backend
from bench.costs import Recorder, Units
from bench.results import print_table, save
from processor.domain.commands import parse_command
from processor.services.config import LedgerConfig

QUICK_ARGV: list[str] = []
PENDING = "pending (the pending engineer's events are not in this tree yet)"

CUSTOMER = {
    "type": "register_customer",
    "name": "Customer 1",
    "phone": "+12125550100",
    "state": "NY",
    "special_status": [],
}


def _ours(settings: Settings, recorder: Recorder) -> dict[str, Units | str]:
    """Each command type on fresh accounts (C1: A1 funded with 1000.00, A2 empty)."""
    options = Options(ledger=LedgerConfig(cache_heads=False))
    ledger = bootstrap(settings, options, dynamodb=recorder).ledger
    costs: dict[str, Units | str] = {}

    def run(label: str, cmd: dict[str, Any], expect: str) -> None:
        recorder.reset()
        outcome = ledger.submit_raw(cmd)
        if outcome.status != expect:
            raise RuntimeError(f"{label}: {outcome}")
        costs[label] = recorder.reset()

    run("register customer", {**CUSTOMER, "customer_id": "C1"}, "registered")
    run("open account", {"type": "open_account", "account_id": "A1", "customer_id": "C1"}, "opened")
    ledger.submit_raw({"type": "open_account", "account_id": "A2", "customer_id": "C1"})
    ledger.submit_raw({"type": "credit", "txn_id": "F1", "account_id": "A1", "amount": "1000"})
    run(
        "credit",
        {"type": "credit", "txn_id": "T1", "account_id": "A1", "amount": "12.34"},
        "approved",
    )
    run(
        "debit", {"type": "debit", "txn_id": "T2", "account_id": "A1", "amount": "2.34"}, "approved"
    )
    run(
        "debit, declined",
        {"type": "debit", "txn_id": "T3", "account_id": "A2", "amount": "5.00"},
        "declined",
    )
    run(
        "transfer (both legs)",
        {
            "type": "transfer",
            "txn_id": "T4",
            "from_account": "A1",
            "to_account": "A2",
            "amount": "1",
        },
        "approved",
    )
    _pending_and_linked(run, costs)
    return costs


def _pending_and_linked(run: Any, costs: dict[str, Units | str]) -> None:
    """The pending engineer's commands (issue 11), where they exist in this tree."""
    try:
        parse_command({"type": "post_pending", "txn_id": "P", "pending_txn_id": "Q"})
    except Exception:  # the command type does not exist (yet): say so
        costs["pending + post"] = costs["linked, per leg"] = PENDING
        return
    hold = {"type": "transfer", "from_account": "A1", "to_account": "A2", "amount": "3"}
    run("pending transfer", {**hold, "txn_id": "P1", "pending": True}, "pending")
    run("post pending", {"type": "post_pending", "txn_id": "P2", "pending_txn_id": "P1"}, "posted")
    first, second = costs["pending transfer"], costs["post pending"]
    if isinstance(first, Units) and isinstance(second, Units):
        costs["pending + post"] = Units(first.wcu + second.wcu, first.rcu + second.rcu)
    legs = [
        {"type": "transfer", "txn_id": f"L{n}", "from_account": "A1", "to_account": "A2",
         "amount": "1"}
        for n in range(4)
    ]  # fmt: skip
    run("linked, 4 transfer legs", {"type": "linked", "txn_id": "L", "legs": legs}, "approved")
    batch = costs["linked, 4 transfer legs"]
    if isinstance(batch, Units):
        costs["linked, per leg"] = Units(batch.wcu / 4, batch.rcu / 4)


def _seed(settings: Settings, recorder: Recorder) -> dict[str, Units | str]:
    table = settings.ledger_table
    seed_write.open_account(recorder, table, "C1", "S1", 100_000)
    seed_write.open_account(recorder, table, "C1", "S2", 0)
    costs: dict[str, Units | str] = {}
    for label, account, kind, expect in (
        ("seed: credit", "S1", "credit", "approved"),
        ("seed: debit", "S1", "debit", "approved"),
        ("seed: debit, declined", "S2", "debit", "declined"),
    ):
        recorder.reset()
        result = seed_write.submit(recorder, table, ("C1", account), f"{label}-1", 1234, kind=kind)
        if result.status != expect:
            raise RuntimeError(f"{label}: {result}")
        costs[label] = recorder.reset()
    return costs


def _projections(settings: Settings, recorder: Recorder) -> tuple[Units, int]:
    """The projector over every event the ledger holds: units and the event count."""
    app = bootstrap(settings, dynamodb=recorder)
    events = list(app.event_store.all_events())
    recorder.reset()
    app.projector.project(events)
    return recorder.reset(), len(events)


def measure(base: Settings) -> dict[str, Any]:
    ours = base.with_(table_prefix="costs-ours")
    seed = base.with_(table_prefix="costs-seed")
    client = dynamodb_client(ours)
    for settings in (ours, seed):
        ensure_tables(client, settings)
    indexes = {s.ledger_table: index_keys(ledger_spec(s).definition) for s in (ours, seed)} | {
        s.views_table: index_keys(views_spec(s).definition) for s in (ours, seed)
    }
    recorder = Recorder(client, indexes)
    rows = _ours(ours, recorder) | _seed(seed, recorder)
    projection, events = _projections(ours, recorder)
    table = {label: _priced(units) for label, units in rows.items()}
    table["projections, per event"] = _priced(
        Units(projection.wcu / events, projection.rcu / events)
    )
    return table


def _priced(units: Units | str) -> dict[str, Any] | str:
    if isinstance(units, str):
        return units
    return {
        "wcu": round(units.wcu, 2),
        "rcu": round(units.rcu, 2),
        "usd_per_million": price_per_million(units.wcu, units.rcu),
    }


def cost_table(base: Settings | None = None) -> dict[str, Any]:
    """WCU, RCU and on-demand USD per million, per command type (referenced by the deploy
    docs). Runs on ``base``'s endpoint, or a private DynamoDB Local."""
    if base is not None:
        return measure(base)
    with backend() as private:
        return measure(private)


def report(table: dict[str, Any]) -> None:
    rows = [
        [label, "", "", v]
        if isinstance(v, str)
        else [label, v["wcu"], v["rcu"], v["usd_per_million"]]
        for label, v in table.items()
    ]
    print_table(
        "AWS capacity per command (from item sizes; on-demand us-east-1 prices)",
        ["command", "WCU", "RCU", "USD / million"],
        rows,
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--save", action="store_true", help="also write a JSON file")
    args = parser.parse_args(argv)
    table = cost_table()
    report(table)
    if args.save:
        print(f"results: {save({'costs': table}, 'costs')}")
    return table


if __name__ == "__main__":
    main(["--save", *sys.argv[1:]])
