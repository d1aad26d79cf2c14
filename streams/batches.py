"""Pure pieces of the delivery logic: lanes for the parallelization factor, reading a
function's response the way Lambda does, and retry bookkeeping (no boto3, no powertools)."""

from __future__ import annotations

import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from streams.keys import Record, partition_key, seq_of


def split_lanes(
    records: Sequence[Record], factor: int, batch_size: int, hash_attribute: str | None = None
) -> list[list[Record]]:
    """Split the head of ``records`` into at most ``factor`` ordered lanes by partition key.

    Each lane holds at most ``batch_size`` records; the cut stops at the first record whose
    lane is full, so no record is delivered ahead of an earlier record of its key.
    """
    lanes: list[list[Record]] = [[] for _ in range(factor)]
    for record in records[: batch_size * factor]:
        key = partition_key(record, hash_attribute)
        lane = lanes[zlib.crc32(key.encode()) % factor] if factor > 1 else lanes[0]
        if len(lane) >= batch_size:
            break
        lane.append(record)
    return [lane for lane in lanes if lane]


@dataclass(frozen=True)
class Verdict:
    """How an invocation ended: all ok, partial (from the lowest failed record), or error."""

    ok: bool
    failed_from: int | None = None  # index in the batch of the lowest failed record
    failed: frozenset[str] = frozenset()  # sequence numbers reported failed
    error: str | None = None  # function error (the whole batch failed)

    @property
    def function_error(self) -> bool:
        return self.error is not None


def interpret(response: Any, batch: Sequence[Record], report_failures: bool = True) -> Verdict:
    """Read a handler's return value as Lambda's ESM does.

    Without ReportBatchItemFailures the response is ignored (success). With it: no response,
    an empty object or an empty/null ``batchItemFailures`` is success; an identifier that is
    empty, null, malformed or not a sequence number of this batch fails the whole batch;
    otherwise the batch is retried from the lowest failed sequence number.
    """
    if not report_failures or response is None:
        return Verdict(ok=True)
    if not isinstance(response, Mapping):
        return Verdict(ok=False, failed_from=0, error="invalid function response")
    items = response.get("batchItemFailures")
    if not items:
        return Verdict(ok=True)
    seqs = [seq_of(r) for r in batch]
    position = {s: i for i, s in enumerate(seqs)}
    failed: set[str] = set()
    for item in items:
        ident = item.get("itemIdentifier") if isinstance(item, Mapping) else None
        if not isinstance(ident, str) or ident not in position:
            return Verdict(
                ok=False, failed_from=0, error=f"invalid batchItemFailures entry: {item!r}"
            )
        failed.add(ident)
    lowest = min(position[s] for s in failed)
    return Verdict(ok=False, failed_from=lowest, failed=frozenset(failed))


def bisect_size(n: int) -> int:
    """The first half of a failing batch of ``n`` records (n >= 2)."""
    return (n + 1) // 2


@dataclass
class RetryBook:
    """Failed invocations counted per blocking record (the lowest failed one).

    ``MaximumRetryAttempts`` is spent when a record has failed ``1 + max`` invocations.
    Bisect halvings do not count (a single poison record still gets every retry).
    """

    max_retry_attempts: int
    counts: dict[str, int] = field(default_factory=dict)

    def failed(self, seq: str) -> bool:
        """Count one failure; True when the record's retries are exhausted."""
        self.counts[seq] = self.counts.get(seq, 0) + 1
        return 0 <= self.max_retry_attempts < self.counts[seq]

    def attempts(self, seq: str) -> int:
        return self.counts.get(seq, 0)

    def forget(self, seqs: Sequence[str]) -> None:
        for s in seqs:
            self.counts.pop(s, None)


def too_old(created: float | None, now: float, max_age: float) -> bool:
    return max_age >= 0 and created is not None and now - created > max_age
