"""Concurrent bursts for the ledger state machine: what a burst is, running one on threads
released together by a barrier, and racing a second OS process (`acme-txn submit`)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from typing import Any

from hypothesis import strategies as st

from acme_base.settings import Settings
from processor.domain.outcomes import Outcome
from processor.services.ledger import Ledger
from processor.storage.ports import EventStore
from tests.property import backend as backends
from tests.property.strategies import money_commands


@st.composite
def bursts(draw: st.DrawFn) -> dict[str, Any]:
    """A few commands on overlapping accounts, with in-burst duplicates and conflicts."""
    base = draw(st.lists(money_commands(txn_id="_", with_time=False), min_size=2, max_size=6))
    copies = draw(st.lists(st.tuples(st.integers(0, 5), st.booleans()), max_size=3))
    return {
        "base": base,
        "copies": copies,
        "resubmit": draw(st.sampled_from([None, "same", "other"])),
        "mode": draw(st.sampled_from(["one_ledger", "two_ledgers"])),
    }


def run_threads(cmds: list[dict[str, Any]], ledgers: list[Ledger]) -> list[Outcome | BaseException]:
    results: list[Outcome | BaseException] = [RuntimeError("not run")] * len(cmds)
    barrier = threading.Barrier(len(cmds))

    def work(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = ledgers[i % len(ledgers)].submit_raw(cmds[i])
        except BaseException as exc:
            results[i] = exc

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(cmds))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def race_second_process(
    settings: Settings, store: EventStore, ledger: Ledger, cmds: list[dict[str, Any]]
) -> list[Outcome | BaseException]:
    """The even commands through `acme-txn submit` in another OS process, the odd ones on
    threads here, at once. The first command warms the process up: once its idempotency
    record shows up the process is running, and the rest of both halves are fired together.
    The outcomes come back in the commands' order."""
    warm = cmds[0]
    theirs, ours = cmds[0::2], cmds[1::2]
    proc = subprocess.Popen(
        [sys.executable, "-m", "acme_txn.cli.main", "submit", "-", "--workers", "4"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=backends.subprocess_env(settings),
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    try:
        proc.stdin.write(json.dumps(warm) + "\n")
        proc.stdin.flush()
        deadline = time.monotonic() + 60
        while (
            store.idempotency_record(warm["txn_id"]) is None
            and proc.poll() is None
            and time.monotonic() < deadline
        ):
            time.sleep(0.02)
        proc.stdin.write("".join(json.dumps(c) + "\n" for c in theirs[1:]))
        proc.stdin.close()
        our_outcomes = run_threads(ours, [ledger])
        out, err = proc.stdout.read(), proc.stderr.read()
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    their_outcomes = [
        Outcome.model_validate(json.loads(line)) for line in out.splitlines() if line.strip()
    ]
    assert len(their_outcomes) == len(theirs), (out, err)
    merged: list[Outcome | BaseException] = [
        their_outcomes[i // 2] if i % 2 == 0 else our_outcomes[i // 2] for i in range(len(cmds))
    ]
    return merged
