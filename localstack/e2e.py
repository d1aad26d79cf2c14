"""Opt-in end-to-end check on LocalStack: its own stream ESM drives our Lambda handler.

    .venv/bin/python localstack/e2e.py                # starts LocalStack on the host, stops it
    .venv/bin/python localstack/e2e.py --endpoint-url http://127.0.0.1:4566 --no-start

Not part of the default test run (it takes ~1-2 minutes and a LocalStack). Steps:

1. start LocalStack on the host (``localstack/host/start.sh``) unless ``--no-start``;
2. deploy with ``localstack/deploy.py`` under a fresh table prefix, plus a probe function
   (``e2e_probe.py``) on the same stream to test the mapping's failure handling;
3. submit commands with ``acme-txn submit --endpoint-url ...``: a few single credits spaced
   out (latency), then a concurrent burst over several accounts (order, batching);
4. wait until the balance projection caught up with every account's event head, then check
   ``acme-txn balance --json`` against the event log and ``acme-txn reconcile --json``;
5. measure and print: write-to-handler latency (from the host executor's invocation trace)
   and write-to-projection latency (polling the view), whether each account's records reached
   the handler in order, duplicates, whether ``batchItemFailures`` made the mapping redeliver
   from the failed record, and whether a poison record reached the on-failure queue.

Exit 0 when the projection is complete and reconciles; 1 otherwise. Ordering, duplicates and
the failure semantics are measured and reported, not asserted: they are LocalStack's to get
right, and the projections must survive either way.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

from e2e_measure import (  # noqa: E402
    failure_report,
    handler_latency,
    latency_phase,
    order_report,
    poison_report,
    read_trace,
    summarise,
    wait_projected,
)

import deploy  # noqa: E402
from acme_base.aws import make_session  # noqa: E402
from acme_txn.bootstrap import bootstrap  # noqa: E402

CLI = str(ROOT / ".venv" / "bin" / "acme-txn")


def log(message: str) -> None:
    print(f"[e2e] {message}", file=sys.stderr, flush=True)


def run_dir() -> Path:
    home = os.environ.get("ACME_LOCALSTACK_HOME") or str(
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "acme-txn"
    )
    return Path(home) / "localstack-run"


# --- the CLI -------------------------------------------------------------------------------
def cli(args: argparse.Namespace, *argv: str, stdin: str | None = None) -> list[dict[str, Any]]:
    cmd = [CLI, *argv, "--endpoint-url", args.endpoint_url, "--table-prefix", args.prefix]
    cmd += ["--output", "jsonl"]  # lists one object a line, a single answer one line
    proc = subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 2):
        raise SystemExit(f"`{' '.join(cmd[:2])}` failed ({proc.returncode}): {proc.stderr}")
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def submit(
    args: argparse.Namespace, commands: list[dict[str, Any]], workers: int = 1
) -> list[dict[str, Any]]:
    lines = "".join(json.dumps(c) + "\n" for c in commands)
    return cli(args, "submit", "-", "--workers", str(workers), stdin=lines)


# --- deployment ----------------------------------------------------------------------------
def deploy_all(args: argparse.Namespace) -> dict[str, Any]:
    common = [
        "--endpoint-url",
        args.endpoint_url,
        "--table-prefix",
        args.prefix,
        "--no-vendor",
        "--batch-size",
        "100",
        "--batching-window",
        "0",
        "--parallelization-factor",
        str(args.parallelization_factor),
    ]
    result = deploy.deploy(deploy.parse_args(common))
    probe = deploy.parse_args(
        [
            *common,
            "--function-name",
            f"{args.prefix}-probe",
            "--handler",
            "e2e_probe.lambda_handler",
            "--max-retry-attempts",
            "2",
            "--env",
            "PROBE_STATE_DIR",
            str(args.state_dir),
        ]
    )
    session = make_session(deploy.settings_for(probe))
    lam = session.client("lambda", endpoint_url=args.endpoint_url)
    sqs = session.client("sqs", endpoint_url=args.endpoint_url)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as bundle:
        bundle.write(HERE / "e2e_probe.py", "e2e_probe.py")
    deploy.ensure_function(lam, probe, buf.getvalue())
    queue = deploy.ensure_queue(sqs, f"{args.prefix}-probe-onfailure")
    settings = deploy.mapping_settings(probe, queue)
    settings["BisectBatchOnFunctionError"] = False
    deploy.ensure_mapping(lam, probe.function_name, result["stream_arn"], settings)
    result["probe_queue_url"] = sqs.get_queue_url(QueueName=f"{args.prefix}-probe-onfailure")[
        "QueueUrl"
    ]
    return result


# --- workload ------------------------------------------------------------------------------
def burst_commands(accounts: list[str], count: int) -> list[dict[str, Any]]:
    commands: list[dict[str, Any]] = []
    for i in range(count):
        a, b = accounts[i % len(accounts)], accounts[(i + 1) % len(accounts)]
        txn = f"B{i:03d}"
        if i == count // 3:
            txn = "FAILONCE1"
        elif i == count // 2:
            txn = "POISON1"
        if i % 5 == 4:
            commands.append(
                {
                    "type": "transfer",
                    "txn_id": txn,
                    "from_account": a,
                    "to_account": b,
                    "amount": "7.00",
                }
            )
        elif i % 7 == 6:
            commands.append(
                {"type": "debit", "txn_id": txn, "account_id": a, "amount": "100000.00"}
            )  # declined: low balance
        else:
            commands.append(
                {"type": "credit", "txn_id": txn, "account_id": a, "amount": f"{10 + i}.25"}
            )
    return commands


def heads(args: argparse.Namespace, accounts: list[str]) -> dict[str, int]:
    out = {}
    for account in accounts:
        events = cli(args, "events", account)
        out[account] = max(int(e["seq"]) for e in events)
    return out


# --- main ----------------------------------------------------------------------------------
def check_projection(args: argparse.Namespace, want: dict[str, int]) -> dict[str, Any]:
    balances = {a: cli(args, "balance", a)[0] for a in want}
    events_ok = {}
    for account in want:
        last = cli(args, "events", account)[-1]
        b = balances[account]
        events_ok[account] = (
            b["balance"] == last["balance_after"]
            and int(b["applied_seq"]) == int(last["seq"])
            and b.get("source") == "projection"
        )
    reconcile = cli(args, "reconcile")[0]
    return {"balances": balances, "balances_match_events": events_ok, "reconcile": reconcile}


def run(args: argparse.Namespace) -> dict[str, Any]:
    log(f"deploying under prefix {args.prefix}")
    deployed = deploy_all(args)
    settings = deploy.settings_for(
        deploy.parse_args(["--endpoint-url", args.endpoint_url, "--table-prefix", args.prefix])
    )
    session = make_session(settings)
    ddb = session.client("dynamodb", endpoint_url=args.endpoint_url)
    sqs = session.client("sqs", endpoint_url=args.endpoint_url)
    app = bootstrap(settings, dynamodb=ddb)
    views = app.views
    accounts = ["W1", "W2", "W3", "W4"]
    owners = ["L1", *accounts]
    submit(  # an account needs a registered customer
        args,
        [
            {"type": "register_customer", "customer_id": f"C{a}", "name": f"Owner of {a}",
             "phone": f"+1838555{i:04d}", "state": "NY"}
            for i, a in enumerate(owners)
        ],
    )  # fmt: skip
    submit(
        args,
        [
            {"type": "open_account", "account_id": a, "customer_id": f"C{a}", "currency": "USD"}
            for a in owners
        ],
    )
    opened = time.time()
    log("latency phase: single credits, one a second")
    samples = latency_phase(app.ledger, views)
    log(f"burst: {args.burst} commands over {len(accounts)} accounts, 4 workers")
    t0 = time.time()
    outcomes = submit(args, burst_commands(accounts, args.burst), workers=4)
    submitted_s = time.time() - t0
    want = heads(args, ["L1", *accounts])
    caught_up = wait_projected(views, want, args.timeout)
    burst_s = time.time() - t0
    log(f"projection caught up: {caught_up is not None} ({burst_s:.1f}s after the burst)")
    result: dict[str, Any] = {
        "prefix": args.prefix,
        "deployed": deployed,
        "burst_outcomes": {
            s: sum(o["status"] == s for o in outcomes) for s in {o["status"] for o in outcomes}
        },
        "event_heads": want,
        "caught_up": caught_up is not None,
        "burst_submit_s": round(submitted_s, 2),
        "burst_submit_start_to_caught_up_s": round(burst_s, 2),
    }
    result["projection"] = check_projection(args, want)
    log("waiting for the probe's poison record to reach its on-failure queue")
    result["on_failure"] = poison_report(sqs, deployed["probe_queue_url"], 90)
    trace = run_dir() / "lambda" / "invocations.jsonl"
    calls = read_trace(trace, f"{args.prefix}-projections")
    probe_calls = read_trace(trace, f"{args.prefix}-probe")
    result["trace_available"] = bool(calls)
    result["latency"] = summarise(samples, handler_latency(samples, calls))
    if calls:  # the first invocation of a fresh function includes its environment's start
        result["latency"]["first_invocation_after_opening_s"] = round(
            calls[0]["t_start"] - opened, 3
        )
    result["order_projections"] = order_report(calls)
    result["order_probe"] = order_report(probe_calls)
    result["batch_item_failures"] = failure_report(probe_calls)
    result["invocations"] = {
        "projections": len(calls),
        "probe": len(probe_calls),
        "max_batch": max((len(c["records"]) for c in calls), default=0),
    }
    if calls:  # when the handler finished its last batch, after the burst's submit returned
        result["last_projection_end_after_burst_submit_s"] = round(
            max(c["t_end"] for c in calls) - (t0 + submitted_s), 3
        )
    lam = session.client("lambda", endpoint_url=args.endpoint_url)
    esm = lam.get_event_source_mapping(UUID=deployed["mapping_uuid"])
    result["esm_last_processing_result"] = esm.get("LastProcessingResult")
    proj = result["projection"]
    result["ok"] = bool(
        result["caught_up"]
        and proj["reconcile"].get("ok")
        and all(proj["balances_match_events"].values())
    )
    return result


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--endpoint-url", default="http://127.0.0.1:4566")
    p.add_argument(
        "--no-start",
        action="store_true",
        help="use a LocalStack that is already running at --endpoint-url",
    )
    p.add_argument("--keep-running", action="store_true", help="do not stop LocalStack")
    p.add_argument("--prefix", default=f"e2e{int(time.time())}")
    p.add_argument("--burst", type=int, default=60, help="commands in the burst")
    p.add_argument("--timeout", type=float, default=180, help="seconds to wait for catch-up")
    p.add_argument(
        "--parallelization-factor",
        type=int,
        default=1,
        help="ParallelizationFactor of both mappings (per-key order must hold)",
    )
    p.add_argument("--json", action="store_true", help="print only the JSON result")
    args = p.parse_args()
    args.state_dir = run_dir() / "probe-state" / args.prefix
    started = False
    if not args.no_start:
        proc = subprocess.run(
            [str(HERE / "host" / "start.sh")], capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            log(f"LocalStack did not start:\n{proc.stderr}")
            return 1
        started = "already running" not in proc.stderr
        args.endpoint_url = proc.stdout.strip().splitlines()[-1]
    try:
        result = run(args)
    finally:
        if started and not args.keep_running:
            with contextlib.suppress(OSError):
                subprocess.run([str(HERE / "host" / "stop.sh")], check=False)
    print(json.dumps(result, indent=None if args.json else 2, default=str))
    if not args.json:
        log("OK" if result["ok"] else "FAILED: projection incomplete or not reconciled")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
