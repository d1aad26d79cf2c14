"""The nemesis process lane (DynamoDB Local, real processes): concurrent submitters with
duplicates and conflicting reuses; then each consumer (projections, fraud, apps) started as
the CLI and SIGKILLed when it is provably mid-work (its checkpoint moved, records still
behind); then `--until-idle` for each (it takes the dead holder's shard at once) and a full
`reconcile`: no violation, for several seeds per run.

Seeds are fresh each run (printed on failure); ``ACME_NEMESIS_SEEDS=1,2,3`` replays some.
Run this lane alone with ``pytest -m nemesis``.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from typing import Any

import pytest

from acme_base.settings import Settings
from acme_txn.bootstrap import App
from streams.lag import consumer_lag
from tests.consumer_support import LIMIT, child_env, kill_when
from tests.nemesis.workload import open_accounts, submit_concurrently, violations

pytestmark = pytest.mark.nemesis

SEEDS = [int(s) for s in os.environ.get("ACME_NEMESIS_SEEDS", "").split(",") if s] or [
    random.randrange(1, 10**6) for _ in range(3)
]
CONSUMERS = {"projections": ["project"], "fraud": ["fraud", "run"], "apps": ["apps", "run"]}


def cli(settings: Settings, *args: str) -> list[str]:
    return [sys.executable, "-m", "acme_txn.cli.main", *args, "--json",
            "--endpoint-url", str(settings.endpoint_url),
            "--table-prefix", settings.table_prefix]  # fmt: skip


def consumer_argv(settings: Settings, name: str, *extra: str) -> list[str]:
    return cli(settings, *CONSUMERS[name], "--poll-interval", "0.05", *extra)


def lag(app: App, name: str) -> Any:
    return consumer_lag(app.shard_source(), app.dynamodb, app.settings.streams_table, name)


def kill_mid_work(app: App, settings: Settings, name: str) -> None:
    """SIGKILL the consumer once its first checkpoint moved; records must still be behind."""
    argv = consumer_argv(settings, name, "--batch-size", "2", "--lease-seconds", "300")

    label = app.shard_source().describe().label
    leases = app.lease_table.open(name, label, "observer", 1, time.time)

    def checkpointed() -> bool:
        return any(s.checkpoint for s in leases.load_all().values())

    kill_when(argv, child_env(settings), checkpointed)
    after = lag(app, name)
    assert after.records_behind > 0, f"{name} was not mid-work when killed"
    assert any(s.lease_owner for s in after.shards), f"{name}'s lease was not left behind"


def until_idle(settings: Settings, name: str) -> dict[str, Any]:
    # a lease of 300 s: only the dead holder's takeover can finish in time
    argv = consumer_argv(settings, name, "--until-idle", "--lease-seconds", "300",
                         "--max-seconds", str(LIMIT))  # fmt: skip
    run = subprocess.run(argv, env=child_env(settings), capture_output=True, timeout=LIMIT + 30,
                         check=False)  # fmt: skip
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    out: dict[str, Any] = json.loads(run.stdout.decode().strip().splitlines()[-1])
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_kills_mid_work_then_until_idle_and_reconcile_find_no_violation(
    seed: int, app: App, settings: Settings
) -> None:
    open_accounts(app)
    tally = submit_concurrently(app, seed, submitters=3, each=20)
    for name in CONSUMERS:
        kill_mid_work(app, settings, name)
    for name in CONSUMERS:
        result = until_idle(settings, name)
        assert result["idle"] and result["taken_over"], (seed, name, result)
        assert lag(app, name).records_behind == 0, (seed, name)
    run = subprocess.run(cli(settings, "reconcile"), env=child_env(settings),
                         capture_output=True, timeout=LIMIT, check=False)  # fmt: skip
    assert run.returncode == 0, (seed, run.stdout.decode()[-2000:])
    assert json.loads(run.stdout)["ok"], seed
    assert violations(app, tally) == [], seed
