"""The CPU ceilings of the working tree beside an earlier commit, in one run.

``python -m bench.bench_profile --against REV`` checks ``REV`` out into a temporary
``git worktree`` (removed afterwards), then alternates rounds A-B-A-B: in each round
``bench/ceiling_probe.py`` runs once in a fresh subprocess per tree (same interpreter and
venv, ``PYTHONPATH`` pointing at that tree), so both sides start equally cold and the
neighbours' load changes favour neither. Reported per round and as medians: the write path's
txns/s (in-memory store, one thread) and the projector's events/s, and working / earlier.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.results import print_table, ratio

WORKING_TREE = Path(__file__).resolve().parents[1]
PROBE = Path(__file__).with_name("ceiling_probe.py")
METRICS = ("write_txns_per_s", "write_txns_per_cpu_s", "projector_events_per_s")


def _git(*args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(WORKING_TREE), *args], check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


@contextmanager
def checked_out(rev: str) -> Iterator[Path]:
    """``rev`` in a temporary detached worktree, removed (and pruned) afterwards."""
    commit = _git("rev-parse", "--verify", f"{rev}^{{commit}}")
    parent = Path(tempfile.mkdtemp(prefix="acme-against-"))
    tree = parent / commit[:12]
    _git("worktree", "add", "--detach", str(tree), commit)
    try:
        yield tree
    finally:
        _git("worktree", "remove", "--force", str(tree))
        shutil.rmtree(parent, ignore_errors=True)


def probe(tree: Path, count: int, script: Path) -> dict[str, float]:
    """One measurement of ``tree`` in a fresh interpreter (the probe copied out of both
    trees, so ``sys.path[0]`` holds nothing of either)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, str(script), str(count)],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def compare(rev: str, rounds: int, count: int) -> dict[str, Any]:
    """Alternating rounds of the working tree (A) and ``rev`` (B)."""
    runs: dict[str, list[dict[str, float]]] = {"working": [], "earlier": []}
    with tempfile.TemporaryDirectory(prefix="acme-probe-") as scratch, checked_out(rev) as old:
        script = Path(scratch) / PROBE.name
        shutil.copy(PROBE, script)
        sides = [("working", WORKING_TREE), ("earlier", old)]
        for n in range(rounds):
            for name, tree in sides if n % 2 == 0 else sides[::-1]:
                runs[name].append(probe(tree, count, script))
                print(f"round {n + 1} {name}: {runs[name][-1]}", flush=True)
    return {"against": rev, "rounds": rounds, "count": count, **summary(runs)}


def summary(runs: dict[str, list[dict[str, float]]]) -> dict[str, Any]:
    """Medians per side and the per-round ratios working / earlier."""
    out: dict[str, Any] = {}
    every = runs["working"] + runs["earlier"]
    for metric in (m for m in METRICS if all(m in r for r in every)):  # what both probes gave
        working = [r[metric] for r in runs["working"]]
        earlier = [r[metric] for r in runs["earlier"]]
        ratios = [ratio(a, b) for a, b in zip(working, earlier, strict=True)]
        out[metric] = {
            "working": [round(v, 1) for v in working],
            "earlier": [round(v, 1) for v in earlier],
            "working_median": round(statistics.median(working), 1),
            "earlier_median": round(statistics.median(earlier), 1),
            "ratio_per_round": ratios,
            "ratio_median": round(statistics.median(ratios), 2),
        }
    return out


def report(result: dict[str, Any]) -> None:
    rows = [
        [
            metric,
            result[metric]["earlier_median"],
            result[metric]["working_median"],
            result[metric]["ratio_median"],
            ", ".join(f"{r:.2f}" for r in result[metric]["ratio_per_round"]),
        ]
        for metric in METRICS
        if metric in result
    ]
    print_table(
        f"CPU ceilings, working tree vs {result['against']} (medians of {result['rounds']} "
        "alternating rounds)",
        ["ceiling", "earlier", "working", "working/earlier", "per round"],
        rows,
    )
