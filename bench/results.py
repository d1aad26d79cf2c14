"""Latency statistics and the JSON file each benchmark run leaves (``bench/results/``)."""

from __future__ import annotations

import json
import math
import os
import platform
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).parent / "results"


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def latency_ms(values: Sequence[float]) -> dict[str, float]:
    """p50/p99/max of latencies given in seconds, in milliseconds."""
    return {
        "p50_ms": round(percentile(values, 50) * 1000, 2),
        "p99_ms": round(percentile(values, 99) * 1000, 2),
        "max_ms": round(max(values, default=0.0) * 1000, 2),
    }


def ratio(ours: float, theirs: float) -> float:
    return round(ours / theirs, 2) if theirs else 0.0


def machine() -> dict[str, Any]:
    """Where and under what load the numbers were taken."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load_avg_1_5_15": [round(x, 2) for x in load],
        "python": platform.python_version(),
        "endpoint": os.environ.get("BENCH_ENDPOINT", "private DynamoDB Local"),
    }


def save(results: dict[str, Any], name: str = "bench", directory: Path | None = None) -> Path:
    """Write one run's results as ``<dir>/<time>-<name>.json``; returns the path."""
    target = directory or RESULTS_DIR
    target.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = target / f"{stamp}-{name}.json"
    path.write_text(json.dumps({"machine": machine(), **results}, indent=2, sort_keys=True))
    return path


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain aligned table (first column left, the rest right)."""
    cells = [[str(h) for h in header]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    print(f"\n== {title}")
    for row in cells:
        first = row[0].ljust(widths[0])
        rest = " ".join(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True))
        print(f"{first} {rest}")


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 100 else f"{value:.1f}"
    return str(value)
