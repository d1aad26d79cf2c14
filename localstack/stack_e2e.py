"""The full end-to-end check of the template deploy (``./run localstack-e2e``, after e2e.py).

    .venv/bin/python localstack/stack_e2e.py [--accounts 12] [--commands 240] [--workers 8]
        [--lag-samples 40] [--keep]

On the Docker-less LocalStack (started if not running): ``acme-txn deploy`` a fresh stack,
submit a concurrent workload through the HTTP API (function URL) with duplicate retries and
bad input, wait until LocalStack's own stream mapping has projected every account, reconcile
the views with the log (``acme-txn reconcile``), measure write-to-projection lag one write at
a time, write a poison record into the ledger and check that it reaches the on-failure queue
while later writes are still projected, check the alarms, undeploy. Prints JSON; exit 0 when
every check held.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import boto3  # noqa: E402

from acme_base.settings import Settings  # noqa: E402
from acme_txn.bootstrap import bootstrap  # noqa: E402
from tests.e2e import localstack_support as ls  # noqa: E402

BAD_INPUT: list[Any] = [
    {"type": "credit", "txn_id": "B1", "account_id": "A0", "amount": 1.5},  # float
    {"type": "credit", "txn_id": "B2", "account_id": "A0", "amount": "1.00", "x": 1},
    {"type": "debit", "txn_id": "B3", "account_id": "A0", "amount": "-5.00"},
    {"type": "no_such_command"},
    "not an object",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def setup_accounts(url: str, tag: str, n: int) -> list[str]:
    accounts = []
    for i in range(n):
        customer, account = f"C{tag}{i}", f"A{tag}{i}"
        phone = f"+1212{random.randint(2000000, 9999999)}"
        for body in (
            {
                "type": "register_customer",
                "customer_id": customer,
                "name": "Test Person",
                "phone": phone,
                "state": "NY",
            },
            {
                "type": "open_account",
                "account_id": account,
                "customer_id": customer,
                "currency": "USD",
            },
            {"type": "credit", "txn_id": f"F{tag}{i}", "account_id": account, "amount": "1000.00"},
        ):
            path = "/commands" if body["type"] == "credit" else "/admin/commands"
            status, answer = ls.api(url, "POST", path, body)
            assert status == 200, (status, answer)
        accounts.append(account)
    return accounts


def workload(url: str, tag: str, accounts: list[str], n: int, workers: int) -> dict[str, Any]:
    rng = random.Random(7)
    bodies: list[Any] = []
    for i in range(n):
        kind = rng.choice(["credit", "debit", "transfer"])
        body: dict[str, Any] = {
            "type": kind,
            "txn_id": f"W{tag}{i}",
            "amount": f"{rng.randint(1, 300)}.{rng.randint(0, 99):02d}",
        }
        if kind == "transfer":
            src, dst = rng.sample(accounts, 2)
            body.update(from_account=src, to_account=dst)
        else:
            body["account_id"] = rng.choice(accounts)
        bodies.append(body)
    duplicates = [bodies[i] for i in range(0, n, 10)]  # client retries of the same txn
    calls = bodies + duplicates + BAD_INPUT
    rng.shuffle(calls)
    with ThreadPoolExecutor(workers) as pool:
        answers = list(pool.map(lambda b: ls.api(url, "POST", "/commands", b), calls))
    codes: dict[int, int] = {}
    for status, _ in answers:
        codes[status] = codes.get(status, 0) + 1
    return {
        "sent": len(calls),
        "duplicates": len(duplicates),
        "bad": len(BAD_INPUT),
        "status_codes": codes,
    }


def wait_projected(app: Any, accounts: list[str], timeout: float = 120) -> bool:
    def caught_up() -> bool:
        for account in accounts:
            view, head = app.views.balance(account), app.event_store.state(account)
            if view is None or head is None or view.applied_seq < head.seq:
                return False
        return True

    return bool(ls.wait_for(caught_up, timeout))


def lag_samples(url: str, app: Any, account: str, tag: str, n: int) -> list[float]:
    lags = []
    for i in range(n):
        status, answer = ls.api(
            url,
            "POST",
            "/commands",
            {"type": "credit", "txn_id": f"L{tag}{i}", "account_id": account, "amount": "1.00"},
        )
        written = time.monotonic()
        assert status == 200, answer
        head = app.event_store.state(account).seq
        ls.wait_for(lambda h=head: (v := app.views.balance(account)) and v.applied_seq >= h, 30)
        lags.append(time.monotonic() - written)
        time.sleep(random.uniform(0.05, 0.3))
    return lags


def poison(
    app: Any, session: Any, prefix: str, url: str, *, account: str, tag: str
) -> dict[str, Any]:
    """A record the projection can never apply (an event item without its fields) and a good
    write right behind it; once the poison batch is on the on-failure queue, one more good
    write must be projected with everything before it (the gap repair reads the log)."""
    ddb, sqs = (session.client(s, endpoint_url=ls.ENDPOINT) for s in ("dynamodb", "sqs"))
    ddb.put_item(
        TableName=f"{prefix}-ledger",
        Item={"PK": {"S": f"ACCT#P{tag}"}, "SK": {"S": "TXN#000000000001"}, "junk": {"S": "x"}},
    )
    credit = {"type": "credit", "account_id": account, "amount": "2.00"}
    ls.api(url, "POST", "/commands", {**credit, "txn_id": f"G{tag}"})
    behind = app.event_store.state(account).seq
    queue = sqs.get_queue_url(QueueName=f"{prefix}-projections-onfailure")["QueueUrl"]

    def message() -> Any:
        got = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages")
        return got[0] if got else None

    found = ls.wait_for(message, 120)
    # did the good write in the poison's batch survive? (AWS bisects; LocalStack does not)
    neighbour = (v := app.views.balance(account)) is not None and v.applied_seq >= behind
    status, _ = ls.api(url, "POST", "/commands", {**credit, "txn_id": f"H{tag}"})
    head = app.event_store.state(account).seq
    flowed = bool(ls.wait_for(lambda: app.views.balance(account).applied_seq >= head, 60))
    return {
        "on_failure_message": json.loads(found["Body"]) if found else None,
        "neighbour_projected_before_next_write": neighbour,
        "next_write_projected": flowed and status == 200,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--accounts", type=int, default=12)
    p.add_argument("--commands", type=int, default=240)
    p.add_argument("--workers", type=int, default=8)
    p.add_argument("--lag-samples", type=int, default=40)
    p.add_argument(
        "--keep", action="store_true", help="leave the stack deployed and LocalStack running"
    )
    args = p.parse_args(argv)
    result: dict[str, Any] = {}
    t0 = time.monotonic()
    result["localstack_started"] = ls.start()
    result["localstack_start_s"] = round(time.monotonic() - t0, 1)
    tag = uuid.uuid4().hex[:6]
    stack = f"e2e-{tag}"
    deployed = ls.acme("deploy", "--stack", stack, *ls.auth_flags())
    result["deploy_s"] = deployed["seconds"]
    prefix, url = stack, deployed["api_url"]
    settings = Settings(table_prefix=prefix).with_(access_key="test", secret_key="test")
    app = bootstrap(settings.for_local(ls.ENDPOINT))
    session = boto3.session.Session("test", "test", region_name="us-east-1")
    try:
        accounts = setup_accounts(url, tag, args.accounts)
        t1 = time.monotonic()
        result["workload"] = workload(url, tag, accounts, args.commands, args.workers)
        result["workload"]["seconds"] = round(time.monotonic() - t1, 1)
        result["projected"] = wait_projected(app, accounts)
        result["reconcile"] = ls.acme("reconcile", "--table-prefix", prefix)
        lags = lag_samples(url, app, accounts[0], tag, args.lag_samples)
        result["lag_s"] = {
            "n": len(lags),
            "p50": round(statistics.median(lags), 3),
            "p99": round(percentile(lags, 0.99), 3),
            "max": round(max(lags), 3),
        }
        result["poison"] = poison(app, session, prefix, url, account=accounts[1], tag=tag)
        alarms = session.client("cloudwatch", endpoint_url=ls.ENDPOINT).describe_alarms(
            AlarmNamePrefix=f"{prefix}-"
        )["MetricAlarms"]
        result["alarms"] = len(alarms)
    finally:
        if not args.keep:
            result["undeploy_s"] = ls.acme("undeploy", "--stack", stack)["seconds"]
            if result["localstack_started"]:
                ls.stop()
    codes = result["workload"]["status_codes"]
    ok = (
        result["projected"]
        and codes.get(500, 0) == 0
        and codes.get(400, 0) >= 4
        and result["poison"]["next_write_projected"]
        and result["alarms"] >= 13
        and result["poison"]["on_failure_message"] is not None
    )
    result["ok"] = bool(ok)
    print(json.dumps(result, indent=2, default=str))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
