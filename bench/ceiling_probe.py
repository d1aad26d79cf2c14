"""One measurement of the CPU ceilings, for ``bench_profile --against`` (run as a script).

It is copied out and run in a subprocess whose ``PYTHONPATH`` points at the tree under test
(the working tree or an earlier commit checked out beside it), so it imports only what every
version of the project has had: ``bootstrap(Settings(), memory=True)``, ``Ledger.submit_raw``,
``event_store.all_events`` and ``projector.project``. It prints one JSON line:
``{"write_txns_per_s": ..., "write_txns_per_cpu_s": ..., "projector_events_per_s": ...}``
(``write_txns_per_cpu_s``: the same credits per second of the thread's own CPU time,
``time.thread_time``, which the neighbours' load on a shared machine disturbs far less than
the wall clock).

Usage: ``python ceiling_probe.py COUNT`` (credits timed, after a warm-up of a tenth of them).
Each ceiling is the best of several slices (the write path: ``SLICES`` runs of COUNT/SLICES
credits; the projector: ``PROJECTOR_REPEATS`` fresh projectors over the whole log), as
``timeit`` takes the minimum: on a shared machine the least disturbed slice is the closest
to what the code costs.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from acme_base.settings import Settings
from acme_txn.bootstrap import bootstrap
from acme_txn.workload import (
    WorkloadSpec,
    customer_commands,
    funding_commands,
    opening_commands,
)

ACCOUNTS = 50
PROJECTOR_REPEATS = 5
SLICES = 5


def _credits(app: Any, accounts: list[str], tag: str, count: int) -> tuple[float, float]:
    """Seconds for ``count`` single-threaded credits round the accounts: wall clock, and the
    thread's own CPU time (what a shared machine's neighbours disturb least)."""
    started, cpu = time.perf_counter(), time.thread_time()
    for n in range(count):
        app.ledger.submit_raw(
            {
                "type": "credit",
                "txn_id": f"{tag}{n}",
                "account_id": accounts[n % len(accounts)],
                "amount": "1.00",
            }
        )
    return time.perf_counter() - started, time.thread_time() - cpu


def _projector_rate(events: list[Any]) -> float:
    """Events per second of a fresh projector over ``events`` (the best of a few)."""
    best = 0.0
    for _ in range(PROJECTOR_REPEATS):
        projector = bootstrap(Settings(), memory=True).projector
        started = time.perf_counter()
        projector.project(events)
        best = max(best, len(events) / (time.perf_counter() - started))
    return best


def measure(count: int) -> dict[str, float]:
    app = bootstrap(Settings(), memory=True)
    spec = WorkloadSpec(accounts=ACCOUNTS, prefix="P")
    for cmd in customer_commands(spec) + opening_commands(spec) + funding_commands(spec):
        app.ledger.submit_raw(cmd)
    accounts = [c["account_id"] for c in opening_commands(spec)]
    _credits(app, accounts, "W", max(count // 10, 1))  # warm-up
    size = max(count // SLICES, 1)
    slices = [_credits(app, accounts, f"C{n}-", size) for n in range(SLICES)]
    events = list(app.event_store.all_events())
    return {
        "write_txns_per_s": size / min(wall for wall, _ in slices),
        "write_txns_per_cpu_s": size / min(cpu for _, cpu in slices),
        "projector_events_per_s": _projector_rate(events),
        "events": len(events),
    }


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)))
