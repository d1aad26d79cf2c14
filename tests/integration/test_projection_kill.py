"""GIVEN a ledger whose stream feeds `acme-txn project` WHEN the projector is killed with
SIGKILL mid-run and restarted THEN nothing is counted twice and nothing is missed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from typing import Any

from acme_base.settings import Settings
from acme_txn.bootstrap import App
from processor.services.ledger import Ledger
from projections.reconcile import reconcile
from projections.reports import daily_report
from tests.integration.test_projection_delivery import make_log

PROJECT_SECONDS_LIMIT = 120  # a safety net for a hung child, not an assertion


def project_command(settings: Settings, *extra: str) -> tuple[list[str], dict[str, str]]:
    argv = [
        sys.executable,
        "-m",
        "acme_txn.cli.main",
        "project",
        "--json",
        "--endpoint-url",
        str(settings.endpoint_url),
        "--table-prefix",
        settings.table_prefix,
        "--batch-size",
        "2",
        "--poll-interval",
        "0.05",
        "--lease-seconds",
        "3",
        *extra,
    ]
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": str(settings.access_key),
        "AWS_SECRET_ACCESS_KEY": str(settings.secret_key),
    }
    return argv, env


def wait_for(predicate: Any, what: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + PROJECT_SECONDS_LIMIT
    while not predicate():
        assert proc.poll() is None or predicate(), f"projector exited before {what}"
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def test_sigkill_mid_run_then_restart(ledger: Ledger, app: App, settings: Settings) -> None:
    # GIVEN a log of ~60 events on a stream-enabled ledger
    log = make_log(ledger, accounts=3, commands=36, seed=9)
    views = app.views
    top = {a: max(e.seq for e in log if e.account_id == a) for a in {e.account_id for e in log}}

    def applied() -> int:
        return sum(v.applied_seq + 1 for v in views.snapshot().balances.values())

    # WHEN a projector runs with tiny batches and is SIGKILLed once it has applied something
    argv, env = project_command(settings)
    first = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: applied() > 0, "the first projected batch", first)
        first.send_signal(signal.SIGKILL)
    finally:
        first.wait(timeout=PROJECT_SECONDS_LIMIT)
    assert first.returncode == -signal.SIGKILL
    at_kill = applied()
    # AND a new projector drains the stream from the checkpoint (rerun while the dead one's
    # shard lease, 3 s here, has not expired yet: it reports the shard held elsewhere)
    argv, env = project_command(settings, "--until-idle")
    deadline = time.monotonic() + PROJECT_SECONDS_LIMIT
    while True:
        second = subprocess.run(
            argv, env=env, capture_output=True, timeout=PROJECT_SECONDS_LIMIT, check=False
        )
        # THEN it exits cleanly, and every read model equals the fold of the log
        assert second.returncode == 0, second.stderr.decode()[-2000:]
        outcome = json.loads(second.stdout.decode().strip().splitlines()[-1])
        if not outcome["shards_held_elsewhere"]:
            break
        assert time.monotonic() < deadline, "the killed projector's lease never expired"
        time.sleep(1.0)
    balances = views.snapshot().balances
    assert {a: v.applied_seq for a, v in balances.items()} == top
    result = reconcile(app.event_store, views)
    assert result.ok, [m.as_dict() for m in result.mismatches]
    # AND the daily counts add up to the number of non-open events: none twice, none missed
    days = sorted({e.txn_date for e in log})
    assert sum(row["txn_count"] for row in daily_report(views, days)) == sum(
        1 for e in log if e.kind != "open"
    )
    print(f"events applied before the kill: {at_kill} of {len(log)}")
