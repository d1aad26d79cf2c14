"""Lambda's tumbling windows (``TumblingWindowInSeconds``) for the local poller, and the one
place the poller invokes a handler.

As AWS documents for DynamoDB streams ("Implementing stateful DynamoDB stream processing"):
each record belongs to the window ``[k*W, (k+1)*W)`` of its ``ApproximateCreationDateTime``;
a batch never spans two windows; every invocation gets ``window: {start, end}``, the
``state`` the function returned last time in this window (``{}`` at its start), ``shardId``,
``eventSourceARN``, ``isFinalInvokeForWindow`` and ``isWindowTerminatedEarly``; a response
without a ``state`` object is a failed invocation. When the window is over (a record of a
later window is next, or the clock passed its end) the poller makes the final invocation,
without records, carrying the window's state; after it succeeds the state is dropped. A state
over 1 MB ends the window early: the next invocation is a final one flagged
``isWindowTerminatedEarly`` and the same window continues with a fresh state.

Failure (the poller's choice where the docs are silent): a failed invocation, a function
error or any ``batchItemFailures`` entry, is retried as a whole, with the window's state as it
was before it (the state it returned is dropped), so no record is counted twice in the state.
Windows need ``ParallelizationFactor`` 1 and no bisection (``EsmConfig`` refuses both): the
state is one per shard. The state lives in the poller's memory, like Lambda's: a poller that
dies loses its open window's state (the consumer must be able to rebuild it; the fraud
consumer reloads its per-account items).
"""

from __future__ import annotations

import json
import logging
import math
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from streams.batches import Verdict, interpret
from streams.keys import Record, created_at

log = logging.getLogger("acme_txn.streams")
Handler = Callable[[dict[str, Any], Any], Any]
MAX_STATE_BYTES = 1_048_576  # Lambda: "Your state can be a maximum of 1 MB per shard"


@dataclass
class LocalContext:
    """What the handler gets as its Lambda context when the poller invokes it."""

    function_name: str = "acme-txn-local-poller"
    function_version: str = "$LATEST"
    invoked_function_arn: str = "arn:aws:lambda:local:000000000000:function:acme-txn-poller"
    memory_limit_in_mb: int = 0
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "local"
    log_stream_name: str = "local"
    deadline: float = field(default_factory=lambda: time.time() + 900)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.time()) * 1000))


def window_start(created: float | None, width: int, now: float) -> float:
    """The start of the window holding a record created at ``created`` (now if unknown)."""
    moment = now if created is None else created
    return math.floor(moment / width) * width


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class WindowBook:
    """One shard's tumbling window: its start, its state, and whether it ended early."""

    width: int
    shard_id: str
    arn: str
    max_state_bytes: int = MAX_STATE_BYTES
    start: float | None = None
    state: dict[str, Any] = field(default_factory=dict)
    ended_early: bool = False
    finals: int = 0  # final invocations made (tests, stats)

    def _of(self, record: Record, now: float) -> float:
        return window_start(created_at(record), self.width, now)

    def cut(self, records: Sequence[Record], now: float) -> list[Record]:
        """The head of ``records`` that falls in one window (the open one, or the next)."""
        if not records:
            return []
        first = self._of(records[0], now)
        return _prefix(records, lambda r: self._of(r, now) == first)

    def final_due(self, pending: Sequence[Record], now: float) -> bool:
        """Is the open window over (early, a later record is next, or the clock passed it)?"""
        if self.start is None:
            return False
        if self.ended_early:
            return True
        if pending:
            return self._of(pending[0], now) != self.start
        return now >= self.start + self.width

    def event(self, records: list[Record], now: float, final: bool = False) -> dict[str, Any]:
        """The invocation's payload; opens the window of ``records`` if none is open."""
        if self.start is None:
            self.start = window_start(created_at(records[0]) if records else None, self.width, now)
        return {
            "Records": records,
            "window": {"start": iso(self.start), "end": iso(self.start + self.width)},
            "state": json.loads(json.dumps(self.state)),  # the function may not alter ours
            "shardId": self.shard_id,
            "eventSourceARN": self.arn,
            "isFinalInvokeForWindow": final,
            "isWindowTerminatedEarly": final and self.ended_early,
        }

    def accept(self, response: Any, final: bool) -> str | None:
        """Take a successful invocation's state; an error message if the response lacks it."""
        state = response.get("state") if isinstance(response, Mapping) else None
        if not isinstance(state, Mapping):
            return "the response of a tumbling-window invocation has no state object"
        if final:
            self.finals += 1
            if not self.ended_early:
                self.start = None
            self.state, self.ended_early = {}, False
            return None
        self.state = dict(state)
        if len(json.dumps(self.state, default=str).encode()) > self.max_state_bytes:
            log.warning("shard %s: window state too large; ending it early", self.shard_id)
            self.ended_early = True
        return None


def _prefix(records: Sequence[Record], keep: Callable[[Record], bool]) -> list[Record]:
    out: list[Record] = []
    for record in records:
        if not keep(record):
            break
        out.append(record)
    return out


def invoke(
    handler: Handler,
    lane: list[Record],
    report_failures: bool,
    *,
    book: WindowBook | None,
    now: float,
    final: bool = False,
) -> Verdict:
    """Invoke ``handler`` on ``lane`` as Lambda would, and read the response.

    With a window, a failure of any kind is a failure of the whole batch (retried with the
    state the window had before it); the state is taken only from a successful invocation.
    """
    event = book.event(lane, now, final) if book is not None else {"Records": lane}
    try:
        response = handler(event, LocalContext())
    except Exception as exc:  # a function error, as Lambda sees it
        log.warning("handler failed on %d records: %s", len(lane), exc)
        return Verdict(ok=False, failed_from=0, error=f"{type(exc).__name__}: {exc}")
    verdict = interpret(response, lane, report_failures)
    if book is None:
        return verdict
    if not verdict.ok:
        return Verdict(ok=False, failed_from=0, failed=verdict.failed, error=verdict.error)
    problem = book.accept(response, final)
    if problem is not None:
        return Verdict(ok=False, failed_from=0, error=problem)
    return verdict
