"""How current the projections are, for the reports that read them and `acme-txn status`.

A report that reads a projection prints one freshness line on stderr (stdout keeps its
shape): the projection consumer's checkpoints, the stream records not yet applied and the
age of the oldest of them. ``--require-fresh`` turns a lagging (or never started) projection
into exit 1 instead of an answer. Right after a first `submit`, nothing has been projected:
the line says so and names the command that projects.
"""

from __future__ import annotations

import sys
from typing import Any

from acme_base.errors import AcmeError
from streams.lag import ConsumerLag, consumer_lag

HINT = "run `acme-txn project --until-idle` (or keep `acme-txn project` running)"


class StaleProjection(AcmeError):
    """``--require-fresh`` and the projection lags (exit 1)."""


def projection_lag(app: Any, consumer: str | None = None) -> ConsumerLag | None:
    """The projection consumer's lag (None: the ledger has no stream to compare with)."""
    name = consumer if consumer is not None else app.options.consumer.consumer
    try:
        return consumer_lag(app.shard_source(), app.dynamodb, app.settings.streams_table, name)
    except AcmeError:
        return None  # no stream (the in-memory backend) or no streams table: unknowable


def describe(lag: ConsumerLag | None) -> str:
    """The one freshness line."""
    if lag is None:
        return "freshness unknown (no ledger stream to compare the projection with)"
    if not lag.started and lag.records_behind:
        return f"not projected yet: {lag.records_behind} stream records waiting; {HINT}"
    if lag.records_behind:
        capped = "+" if any(s.capped for s in lag.shards) else ""
        return (
            f"projection is {lag.records_behind}{capped} stream records behind "
            f"(oldest {lag.lag_seconds:.0f}s old); {HINT}"
        )
    return "projection is current (0 stream records behind)"


def freshness_json(lag: ConsumerLag | None) -> dict[str, Any]:
    if lag is None:
        return {"known": False}
    return {
        "known": True,
        "consumer": lag.consumer,
        "started": lag.started,
        "records_behind": lag.records_behind,
        "lag_seconds": lag.lag_seconds,
        "checkpoints": {s.shard_id: s.checkpoint for s in lag.shards},
    }


def guard(ctx: Any) -> None:
    """Print the freshness line; with ``--require-fresh`` a lag is ``StaleProjection``."""
    lag = projection_lag(ctx.app)
    line = describe(lag)
    print(f"acme-txn: {line}", file=sys.stderr, flush=True)
    if getattr(ctx.args, "require_fresh", False) and (lag is None or lag.records_behind):
        raise StaleProjection(f"--require-fresh: {line}")


#: what a read of the event log says about itself (it is the truth: never behind)
LEDGER_SOURCE = "source: ledger (the event log itself: current)"


def say_source(ctx: Any, source: str) -> None:
    """One stderr line naming the source a report read, and how fresh it is (a projection:
    its lag, and ``--require-fresh`` applies)."""
    if source == "ledger":
        print(f"acme-txn: {LEDGER_SOURCE}", file=sys.stderr, flush=True)
        return
    print("acme-txn: source: projection", file=sys.stderr, flush=True)
    guard(ctx)


def add_require_fresh(parser: Any) -> None:
    parser.add_argument(
        "--require-fresh",
        action="store_true",
        help="exit 1 instead of answering when the projection has not applied every record",
    )
