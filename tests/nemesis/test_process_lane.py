"""The nemesis process lane (DynamoDB Local, real processes): concurrent submitters with
duplicates and conflicting reuses; then the consumers (projections, fraud, apps) started as
CLI processes, all at once, each SIGKILLed when it is provably mid-work (its checkpoint moved,
records still behind); then `--until-idle` for each (it takes the dead holder's shard at once)
and a full `reconcile`, both in this process: no violation, for several seeds per run.

Seeds are fresh each run (printed on failure); ``ACME_NEMESIS_SEEDS=1,2,3`` replays some.
Run this lane alone with ``pytest -m nemesis``.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from typing import Any

import pytest

from acme_base.settings import Settings
from acme_txn.bootstrap import App
from streams.lag import consumer_lag
from tests.cli_support import CliRunner, cli_runner
from tests.consumer_support import LIMIT, child_env
from tests.nemesis.workload import open_accounts, submit_concurrently, violations

pytestmark = pytest.mark.nemesis

#: fresh seeds each run, the same in every pytest-xdist worker of one run (their test ids
#: must agree): drawn from the run's id there
_DRAW = random.Random(os.environ.get("PYTEST_XDIST_TESTRUNUID"))
SEEDS = [int(s) for s in os.environ.get("ACME_NEMESIS_SEEDS", "").split(",") if s] or [
    _DRAW.randrange(1, 10**6) for _ in range(3)
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


def kill_all_mid_work(app: App, settings: Settings) -> None:
    """Start every consumer as its CLI process, all at once, and SIGKILL each as soon as its
    first checkpoint moved; records must still be behind each, its lease left behind."""
    label = app.shard_source().describe().label
    leases = {
        name: app.lease_table.open(name, label, "observer", 1, time.time) for name in CONSUMERS
    }
    children = {
        name: subprocess.Popen(
            consumer_argv(settings, name, "--batch-size", "2", "--lease-seconds", "300"),
            env=child_env(settings),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name in CONSUMERS
    }
    try:
        deadline = time.monotonic() + LIMIT
        live = dict(children)
        while live:
            for name, child in list(live.items()):
                if checkpointed(leases[name]):
                    child.send_signal(signal.SIGKILL)
                    child.wait(timeout=LIMIT)
                    del live[name]
                else:
                    assert child.poll() is None, f"{name} exited before it was to be killed"
            assert time.monotonic() < deadline, "a consumer never got there"
            time.sleep(0.05)
    finally:
        for child in children.values():
            if child.poll() is None:
                child.kill()
            child.wait(timeout=LIMIT)
    for name in CONSUMERS:
        after = lag(app, name)
        assert after.records_behind > 0, f"{name} was not mid-work when killed"
        assert any(s.lease_owner for s in after.shards), f"{name}'s lease was not left behind"


def checkpointed(leases: Any) -> bool:
    return any(s.checkpoint for s in leases.load_all().values())


def in_process(run: CliRunner, *args: str) -> tuple[int, dict[str, Any]]:
    """`acme-txn ARGS --json` in this process (its interpreter start is not the subject);
    the exit code and the last JSON line it printed."""
    code, out = run(*args, "--json")
    return code, json.loads(out.strip().splitlines()[-1])


@pytest.mark.parametrize("seed", SEEDS)
def test_kills_mid_work_then_until_idle_and_reconcile_find_no_violation(
    seed: int,
    app: App,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    open_accounts(app)
    tally = submit_concurrently(app, seed, submitters=3, each=20)
    kill_all_mid_work(app, settings)
    run = cli_runner(settings, monkeypatch, capsys, json_lines=False)
    for name, verb in CONSUMERS.items():
        # a lease of 300 s: only the dead holder's takeover can finish in time
        args = ["--until-idle", "--poll-interval", "0.05", "--lease-seconds", "300"]
        code, result = in_process(run, *verb, *args, "--max-seconds", str(LIMIT))
        assert code == 0, (seed, name, result)
        assert result["idle"] and result["taken_over"], (seed, name, result)
        assert lag(app, name).records_behind == 0, (seed, name)
    code, reconciled = in_process(run, "reconcile")
    assert code == 0 and reconciled["ok"], (seed, reconciled)
    assert violations(app, tally) == [], seed
