"""8 threads and 2 OS processes writing to the same accounts at once, on DynamoDB Local."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from acme_base.settings import Settings
from acme_txn.invariants import check_log
from acme_txn.workload import WorkloadSpec, funding_commands, mixed_commands, opening_commands
from processor.outcomes import Outcome
from processor.service import Ledger
from processor.store import EventStore


def _cli_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "AWS_ACCESS_KEY_ID": settings.access_key or "",
            "AWS_SECRET_ACCESS_KEY": settings.secret_key or "",
            "AWS_ENDPOINT_URL": settings.endpoint_url or "",
            "ACME_TABLE_PREFIX": settings.table_prefix,
            "AWS_REGION": settings.region,
        }
    )
    return env


def _start_submitter(
    settings: Settings, commands: list[dict[str, Any]], path: Path
) -> subprocess.Popen[str]:
    path.write_text("".join(json.dumps(c) + "\n" for c in commands))
    return subprocess.Popen(
        [sys.executable, "-m", "acme_txn.cli.main", "submit", str(path), "--workers", "4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_cli_env(settings),
    )


def test_given_threads_and_processes_on_hot_accounts_then_every_invariant_holds(
    settings: Settings, store: EventStore, tmp_path: Path
) -> None:
    # GIVEN three funded accounts, and three disjoint command streams hammering them
    spec = WorkloadSpec(accounts=3, commands=90, seed=11, transfer_ratio=0.4, duplicate_ratio=0.1)
    ledger = Ledger(store)
    setup = [ledger.submit_raw(c) for c in opening_commands(spec) + funding_commands(spec)]
    streams = [
        mixed_commands(WorkloadSpec(accounts=3, commands=90, seed=s, transfer_ratio=0.4))
        for s in (21, 22, 23)
    ]
    # WHEN two OS processes and 8 threads in this one submit them all at the same time
    procs = [_start_submitter(settings, streams[i], tmp_path / f"in{i}.jsonl") for i in (0, 1)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        local = list(pool.map(ledger.submit_raw, streams[2]))
    remote: list[Outcome] = []
    for proc in procs:
        out, errors = proc.communicate(timeout=300)
        assert proc.returncode == 0, errors
        remote += [Outcome.model_validate_json(line) for line in out.splitlines()]
    outcomes = setup + local + remote
    # THEN every command got a definite outcome, and the log satisfies every invariant
    assert len(remote) == 180
    assert {o.status for o in outcomes} <= {"opened", "approved", "declined", "duplicate"}
    check = check_log(store.all_events(), outcomes)
    assert check.ok, check.problems
    decided = [o for o in outcomes if o.status in {"approved", "declined"}]
    assert check.events == len(decided) + 3 + sum(
        1 for o in decided if o.status == "approved" and o.to_seq is not None
    )
    assert len({o.txn_id for o in decided}) == len(decided)  # one decision per txn id
