"""The nemesis soak, run by hand: N minutes of mixed load (money commands with duplicates and
conflicting reuses from concurrent submitters, loyalty orders, pendings posted, voided or left
to expire, linked batches, customers, offers, budgets) while the three consumers run as CLI
processes and one of them is SIGKILLed every few seconds and restarted; the expiry sweeper
after every round; then `--until-idle` for each, `reconcile`, and the lanes' checks.

    .venv/bin/python -m tests.nemesis.soak --minutes 5 --kill-every 4 --seed 1

Prints one JSON line of figures; exits 1 on any violation.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from acme_base.settings import Settings, default_state_dir
from acme_txn.backend import dynamodb_local
from acme_txn.bootstrap import bootstrap
from tests.nemesis.workload import open_accounts, submit_concurrently, violations

CONSUMERS = {"projections": ["project"], "fraud": ["fraud", "run"], "apps": ["apps", "run"]}


def argv(settings: Settings, name: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "acme_txn.cli.main", *CONSUMERS[name], "--json",
            "--endpoint-url", str(settings.endpoint_url), "--table-prefix",
            settings.table_prefix, "--batch-size", "5", "--poll-interval", "0.05",
            "--lease-seconds", "300", *extra]  # fmt: skip


def env(settings: Settings) -> dict[str, str]:
    return {**os.environ, "AWS_ACCESS_KEY_ID": str(settings.access_key),
            "AWS_SECRET_ACCESS_KEY": str(settings.secret_key)}  # fmt: skip


def start(settings: Settings, name: str) -> subprocess.Popen[bytes]:
    out = subprocess.DEVNULL
    return subprocess.Popen(argv(settings, name), env=env(settings), stdout=out, stderr=out)


def soak(settings: Settings, minutes: float, kill_every: float, seed: int) -> dict[str, Any]:
    app = bootstrap(settings)
    app.ensure_tables()
    open_accounts(app)
    rng = random.Random(seed)
    procs = {n: start(settings, n) for n in CONSUMERS}
    stop = threading.Event()
    tallies: list[Any] = []
    expired: list[Any] = []

    def load() -> None:
        for round_ in itertools.count():
            if stop.is_set():
                return
            tallies.append(submit_concurrently(app, seed * 10_000 + round_, 3, 15, mixed=True))
            expired.extend(app.ledger.expire_pending())

    loader = threading.Thread(target=load)
    loader.start()
    kills = {n: 0 for n in CONSUMERS}
    end = time.monotonic() + minutes * 60
    while time.monotonic() < end:
        time.sleep(kill_every)
        name = rng.choice(sorted(CONSUMERS))
        procs[name].send_signal(signal.SIGKILL)
        procs[name].wait()
        kills[name] += 1
        procs[name] = start(settings, name)
    stop.set()
    loader.join()
    for proc in procs.values():  # the last kill of each: mid-work or idle, all dead
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    time.sleep(3)  # the last round's short pendings run out; the sweeper records them
    expired.extend(app.ledger.expire_pending())
    drains = {}
    for name in CONSUMERS:
        started = time.monotonic()
        run = subprocess.run(argv(settings, name, "--until-idle"), env=env(settings),
                             capture_output=True, check=False)  # fmt: skip
        out = json.loads(run.stdout.decode().strip().splitlines()[-1])
        drains[name] = {"exit": run.returncode, "idle": out["idle"],
                        "delivered": out["delivered"], "taken_over": out["taken_over"],
                        "seconds": round(time.monotonic() - started, 1)}  # fmt: skip
    rec = subprocess.run([sys.executable, "-m", "acme_txn.cli.main", "reconcile", "--json",
                          "--endpoint-url", str(settings.endpoint_url), "--table-prefix",
                          settings.table_prefix], env=env(settings), capture_output=True,
                         check=False)  # fmt: skip
    found: list[str] = []
    for tally in tallies:
        found += tally.bad_conflicts
    found += violations(app, tallies[0]) if tallies else []
    commands = sum(len(t.first) for t in tallies)
    by_kind: dict[str, dict[str, int]] = {}
    for tally in tallies:
        for (kind, status), n in tally.kinds.items():
            row = by_kind.setdefault(kind, {})
            row[status] = row.get(status, 0) + n
    return {"minutes": minutes, "seed": seed, "kill_every_s": kill_every, "kills": kills,
            "commands_decided": commands, "by_kind": by_kind, "rounds": len(tallies),
            "pendings_expired_by_sweeper": sum(o.status == "expired" for o in expired),
            "drains": drains,
            "reconcile_ok": rec.returncode == 0 and json.loads(rec.stdout)["ok"],
            "violations": found}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--kill-every", type=float, default=4.0, help="seconds between kills")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    state_dir = default_state_dir(os.environ)
    key = f"soak{uuid.uuid4().hex[:8]}"
    with (
        tempfile.TemporaryDirectory() as data,
        dynamodb_local.running(state_dir, data_dir=Path(data)) as server,
    ):
        settings = Settings(endpoint_url=server.endpoint, access_key=key, secret_key=key,
                            state_dir=state_dir, table_prefix="soak")  # fmt: skip
        figures = soak(settings, args.minutes, args.kill_every, args.seed)
    print(json.dumps(figures))
    ok = figures["reconcile_ok"] and not figures["violations"]
    ok = ok and all(d["exit"] == 0 and d["idle"] for d in figures["drains"].values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
