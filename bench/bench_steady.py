"""Projections under steady load, then a 10x burst (item 3).

Run: ``python -m bench.bench_steady [--seconds 60] [--quick]``. First the write path's max
rate is measured (8 workers, credits over 100 accounts, a few seconds). Then writes are
offered at half that rate for ``--seconds`` while the poller projects in a thread of this
process (the local event source mapping on DynamoDB Local's stream, 0.25 s polls); each
event's write-to-projection lag is its projection time minus its ``occurred_at``. Then a
burst: ten times the steady rate's count for one second, offered at once (as fast as the
write path takes them), and the drain time: from the burst's last write until the projector
has projected its last event.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from acme_txn.bootstrap import App, bootstrap
from acme_txn.workload import WorkloadSpec, customer_commands, opening_commands
from bench.common import backend, fresh_tables, warm_up
from bench.results import latency_ms, print_table, ratio, save

QUICK_ARGV = ["--quick"]
WORKERS = 8


class LagSink:
    """The projector's sink, noting when each event was projected (lag from occurred_at)."""

    def __init__(self, app: App) -> None:
        self._inner = app.projector_sink()
        self.lags: dict[str, list[float]] = {}  # by phase (the txn id's prefix)
        self.projected: dict[str, int] = {}
        self.last_at = time.monotonic()
        self._lock = threading.Lock()

    def __call__(self, events: list[Any]) -> frozenset[tuple[str, int]]:
        failed = self._inner(events)
        now = datetime.now(UTC)
        with self._lock:
            for e in events:
                phase = str(e.txn_id).split("-")[0]
                self.lags.setdefault(phase, []).append((now - e.occurred_at).total_seconds())
                self.projected[phase] = self.projected.get(phase, 0) + 1
            self.last_at = time.monotonic()
        return failed

    def count(self, phase: str) -> int:
        with self._lock:
            return self.projected.get(phase, 0)


class Writer:
    """Credits over the workload's accounts, paced to a rate (or unpaced: ``rate=0``)."""

    def __init__(self, app: App, accounts: list[str]) -> None:
        self.ledger = app.new_ledger()
        self.accounts = accounts
        self.n = 0
        self.phase = "max"
        self._lock = threading.Lock()

    def _next(self) -> dict[str, Any]:
        with self._lock:
            self.n += 1
            n = self.n
        account = self.accounts[n % len(self.accounts)]
        return {
            "type": "credit",
            "txn_id": f"{self.phase}-{n}",
            "account_id": account,
            "amount": "1.00",
        }

    def run(self, seconds: float, rate: float) -> int:
        """Submit for ``seconds`` at ``rate``/s (0: as fast as 8 workers go); count done."""
        started = time.monotonic()

        def worker(w: int) -> int:
            mine = 0
            k = 0
            while (elapsed := time.monotonic() - started) < seconds:
                if rate:
                    due = started + (k * WORKERS + w) / rate
                    if due > time.monotonic():
                        time.sleep(due - time.monotonic())
                    k += 1
                if elapsed < seconds and self.ledger.submit_raw(self._next()).status == "approved":
                    mine += 1
            return mine

        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            return sum(pool.map(worker, range(WORKERS)))

    def burst(self, count: int) -> int:
        """``count`` credits at once, as fast as 8 workers go; count approved."""
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            outcomes = pool.map(lambda _: self.ledger.submit_raw(self._next()), range(count))
            return sum(1 for o in outcomes if o.status == "approved")


def _settled(sink: LagSink, phase: str, target: int, timeout: float) -> float:
    """Wait until the sink has projected the phase's ``target`` events (or the timeout);
    the monotonic time of its last projection then."""
    started = time.monotonic()
    while sink.count(phase) < target and time.monotonic() - started < timeout:
        time.sleep(0.02)
    return sink.last_at


def measure(seconds: float, max_seconds: float) -> dict[str, Any]:
    with backend() as base:
        settings, client = fresh_tables(base, "bq")
        app = bootstrap(settings, dynamodb=client)
        spec = WorkloadSpec(accounts=100, prefix="Q")
        for cmd in customer_commands(spec) + opening_commands(spec):
            app.ledger.submit_raw(cmd)
        writer = Writer(app, [c["account_id"] for c in opening_commands(spec)])
        warm_up(max_seconds, lambda n: writer.ledger.submit_raw(writer._next()))
        writer.phase = "max"
        max_rate = writer.run(max_seconds, 0) / max_seconds
        sink = LagSink(app)
        poller = app.poller(sink=sink)
        thread = threading.Thread(target=poller.run, daemon=True)
        thread.start()
        _settled(sink, "max", writer.n, 300)  # the probes' backlog first
        writer.phase = "steady"
        steady_rate = max_rate / 2
        started = time.monotonic()
        written = writer.run(seconds, steady_rate)
        steady_wall = time.monotonic() - started
        projected_during = sink.count("steady")
        _settled(sink, "steady", written, 120)
        writer.phase = "burst"
        burst_started = time.monotonic()
        burst = writer.burst(int(steady_rate * 10))
        burst_ended = time.monotonic()
        last = _settled(sink, "burst", burst, 600)
        poller.stop()
        thread.join(timeout=10)
    return {
        "max_write_rate_per_s": round(max_rate, 1),
        "steady": {
            "offered_rate_per_s": round(steady_rate, 1),
            "written": written,
            "write_rate_per_s": round(written / steady_wall, 1),
            "projected_during_phase": projected_during,
            "projector_over_write_rate": ratio(projected_during, written),
            "lag": latency_ms(sink.lags.get("steady", [])),
        },
        "burst": {
            "events": burst,
            "write_seconds": round(burst_ended - burst_started, 1),
            "drain_seconds_after_burst": round(max(last - burst_ended, 0.0), 2),
            "lag": latency_ms(sink.lags.get("burst", [])),
        },
    }


def report(r: dict[str, Any]) -> None:
    s, b = r["steady"], r["burst"]
    print_table(
        f"projections under load (write path max {r['max_write_rate_per_s']}/s)",
        ["phase", "events", "write/s", "proj/write", "lag p50 ms", "lag p99 ms", "lag max ms"],
        [
            ["steady, half max", s["written"], s["write_rate_per_s"],
             s["projector_over_write_rate"], s["lag"]["p50_ms"], s["lag"]["p99_ms"],
             s["lag"]["max_ms"]],
            [f"burst, drained {b['drain_seconds_after_burst']} s after", b["events"],
             round(b["events"] / max(b["write_seconds"], 0.01), 1), "",
             b["lag"]["p50_ms"], b["lag"]["p99_ms"], b["lag"]["max_ms"]],
        ],
    )  # fmt: skip


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0, help="the steady phase")
    parser.add_argument("--quick", action="store_true", help="10 s steady, 3 s max-rate probe")
    parser.add_argument("--save", action="store_true", help="also write a JSON file")
    args = parser.parse_args(argv)
    results = measure(10.0, 3.0) if args.quick else measure(args.seconds, 8.0)
    report(results)
    if args.save:
        print(f"results: {save({'steady': results}, 'steady')}")
    return results


if __name__ == "__main__":
    main(["--save", *sys.argv[1:]])
