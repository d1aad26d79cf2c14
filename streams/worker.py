"""One shard, read and delivered with Lambda's ESM semantics.

``step()`` does one poll: read a page (renewing an expired iterator, surviving trimmed data),
filter it, and deliver a batch when it is full, the batching window has passed, or a failed
batch is due for retry. After each delivery the checkpoint moves to the last record that is
done with every record before it also done (success, filtered out, or dead-lettered), so a
restart resumes exactly there and never skips a record.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

from streams.batches import RetryBook, Verdict, bisect_size, split_lanes, too_old
from streams.config import EsmConfig
from streams.dlq import RECORD_AGE_EXCEEDED, RETRIES_EXHAUSTED, DeadLetters
from streams.keys import AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, created_at, seq_of
from streams.lease_ports import LeaseStore
from streams.records import to_lambda_record
from streams.shards import ExpiredIterator, Page, ShardGone, ShardSource, StreamInfo, TrimmedData
from streams.stats import Stats
from streams.windows import Handler, WindowBook, invoke

__all__ = ["Handler", "ShardWorker", "Stats"]
log = logging.getLogger("acme_txn.streams")
Record = dict[str, Any]


@dataclass
class ShardWorker:
    shard_id: str
    source: ShardSource
    stream: StreamInfo
    state: LeaseStore
    dlq: DeadLetters
    cfg: EsmConfig
    handler: Handler
    executor: Executor
    stats: Stats
    checkpoint: str | None = None
    starting_position: str = TRIM_HORIZON
    clock: Callable[[], float] = time.time
    iterator: str | None = None
    closed: bool = False
    finished: bool = False
    pending: list[Record] = field(default_factory=list)
    scan_seq: str | None = None  # the last record read from the shard (passed filter or not)
    empty_reads: int = 0
    window_started: float | None = None
    not_before: float = 0.0  # retry backoff
    retrying: bool = False
    bisect_limit: int | None = None
    bisect_until: int | None = None
    retries: RetryBook = field(init=False)
    windows: WindowBook | None = field(init=False, default=None)  # tumbling windows

    def __post_init__(self) -> None:
        self.retries = RetryBook(self.cfg.max_retry_attempts)
        if self.cfg.tumbling_window_s:
            self.windows = WindowBook(self.cfg.tumbling_window_s, self.shard_id, self.stream.arn)

    @property
    def caught_up(self) -> bool:
        idle = not self.pending and self.empty_reads >= self.cfg.idle_polls
        return self.finished or (idle and not self._final_due())

    # --- reading --------------------------------------------------------------------------

    def _open_iterator(self) -> None:
        position = self.scan_seq or self.checkpoint
        try:
            if position is not None:
                self.iterator = self.source.iterator(self.shard_id, AFTER_SEQUENCE_NUMBER, position)
            else:
                self.iterator = self.source.iterator(self.shard_id, self.starting_position)
        except TrimmedData:
            self.stats.trimmed += 1
            log.warning(
                "shard %s: position %s is trimmed; resuming at TRIM_HORIZON",
                self.shard_id,
                position,
            )
            self.iterator = self.source.iterator(self.shard_id, TRIM_HORIZON)

    def _read(self) -> Page:
        if self.iterator is None:
            self._open_iterator()
        assert self.iterator is not None
        try:
            return self.source.read(self.iterator, self.cfg.fetch_limit)
        except ExpiredIterator:
            self.stats.expired_iterators += 1
        except TrimmedData:
            self.stats.trimmed += 1
            log.warning("shard %s: records at the iterator were trimmed", self.shard_id)
            self.scan_seq = None
            self.checkpoint = None
            self.iterator = self.source.iterator(self.shard_id, TRIM_HORIZON)
            return self.source.read(self.iterator, self.cfg.fetch_limit)
        self._open_iterator()
        assert self.iterator is not None
        return self.source.read(self.iterator, self.cfg.fetch_limit)

    def _fetch(self) -> int:
        try:
            page = self._read()
        except ShardGone:
            log.warning("shard %s is gone; treating it as finished", self.shard_id)
            self.closed, self.iterator = True, None
            return 0
        for raw in page.records:
            record = to_lambda_record(raw, self.stream.arn)
            self.scan_seq = seq_of(record)
            if self.cfg.filters(record):
                self.pending.append(record)
            else:
                self.stats.filtered += 1
        self.stats.fetched += len(page.records)
        self.iterator = page.next_iterator
        self.closed = page.next_iterator is None
        self.empty_reads = 0 if page.records else self.empty_reads + 1
        return len(page.records)

    # --- one poll -------------------------------------------------------------------------

    def step(self) -> bool:
        """One poll of this shard; True if anything moved (records read or delivered)."""
        now = self.clock()
        if now < self.not_before:
            return False
        want = self.cfg.batch_size * self.cfg.parallelization_factor
        moved = False
        if not self.closed and len(self.pending) < want and not self.retrying:
            moved = self._fetch() > 0
        if self._final_due():
            return self._final() or moved
        if self.pending:
            if self.window_started is None:
                self.window_started = now
            due = (
                self.retrying
                or len(self.pending) >= want
                or self.closed
                or now - self.window_started >= self.cfg.batching_window
            )
            if due:
                self._deliver()
                moved = True
        elif self.scan_seq is not None and self.scan_seq != self.checkpoint:
            self._save(self.scan_seq)  # everything read was filtered out
        if self.closed and not self.pending and not self.finished:
            self._save(self.scan_seq or self.checkpoint, finished=True)
            self.finished = True
            moved = True
        return moved

    def _save(self, seq: str | None, finished: bool = False) -> None:
        self.state.checkpoint(self.shard_id, seq, finished=finished)
        self.checkpoint = seq if seq is not None else self.checkpoint
        self.stats.checkpoints += 1

    # --- delivery -------------------------------------------------------------------------

    def _drop_aged(self) -> None:
        if self.cfg.max_record_age < 0:
            return
        now = self.clock()
        old = [r for r in self.pending if too_old(created_at(r), now, self.cfg.max_record_age)]
        if old:
            self._dead_letter(
                old, RECORD_AGE_EXCEEDED, f"older than {self.cfg.max_record_age:g} s", 0
            )
            self.stats.aged_out += len(old)
            gone = {seq_of(r) for r in old}
            self.pending = [r for r in self.pending if seq_of(r) not in gone]

    def _dead_letter(
        self, records: list[Record], condition: str, error: str, attempts: int
    ) -> None:
        if self.cfg.dead_letter and records:
            self.dlq.put(
                records,
                shard_id=self.shard_id,
                stream_arn=self.stream.arn,
                condition=condition,
                error=error,
                attempts=attempts,
            )
        self.stats.dead_lettered += len(records)

    def _invoke(self, lane: list[Record]) -> Verdict:
        report = self.cfg.report_batch_item_failures
        return invoke(self.handler, lane, report, book=self.windows, now=self.clock())

    def _final_due(self) -> bool:
        return self.windows is not None and self.windows.final_due(self.pending, self.clock())

    def _final(self) -> bool:
        """The window's final invocation (no records); on failure retried after a backoff."""
        assert self.windows is not None
        verdict = invoke(self.handler, [], True, book=self.windows, now=self.clock(), final=True)
        self.stats.invocations += 1
        if not verdict.ok:
            self.stats.failed_invocations += 1
            self.not_before = self.clock() + self.cfg.retry_backoff
        return True

    def _lanes(self) -> list[list[Record]]:
        head = int(seq_of(self.pending[0]))
        if self.bisect_until is not None and head > self.bisect_until:
            self.bisect_limit = self.bisect_until = None
        if self.bisect_limit is not None:
            return [self.pending[: self.bisect_limit]]
        if self.windows is not None:  # one lane, never across a window's end
            return [self.windows.cut(self.pending[: self.cfg.batch_size], self.clock())]
        return split_lanes(
            self.pending,
            self.cfg.parallelization_factor,
            self.cfg.batch_size,
            self.stream.hash_attribute,
        )

    def _deliver(self) -> None:
        self._drop_aged()
        if not self.pending:
            self._after_delivery(set(), failed=False)
            return
        lanes = self._lanes()
        if len(lanes) == 1:
            verdicts = [self._invoke(lanes[0])]
        else:
            verdicts = list(self.executor.map(self._invoke, lanes))
        self.stats.invocations += len(lanes)
        done: set[str] = set()
        failed_any = False
        for lane, verdict in zip(lanes, verdicts, strict=True):
            if verdict.ok:
                done |= {seq_of(r) for r in lane}
                self.stats.delivered += len(lane)
                continue
            failed_any = True
            self.stats.failed_invocations += 1
            start = verdict.failed_from or 0
            done |= {seq_of(r) for r in lane[:start]}
            self.stats.delivered += start
            done |= self._handle_failure(lane[start:], verdict)
        self._after_delivery(done, failed=failed_any)

    def _handle_failure(self, rest: list[Record], verdict: Verdict) -> set[str]:
        """Bisect, count a retry, or discard; returns the seqs that are now done."""
        if verdict.function_error and self.cfg.bisect_on_error and len(rest) > 1:
            self.stats.bisections += 1
            self.bisect_limit = bisect_size(len(rest))
            self.bisect_until = max(self.bisect_until or 0, int(seq_of(rest[-1])))
            return set()
        head = seq_of(rest[0])
        if not self.retries.failed(head):
            return set()
        # retries exhausted: discard the batch being retried; dead-letter what failed in it
        failed = (
            rest if verdict.function_error else [r for r in rest if seq_of(r) in verdict.failed]
        )
        ok_in_rest = len(rest) - len(failed)
        self.stats.delivered += ok_in_rest
        self._dead_letter(
            failed,
            RETRIES_EXHAUSTED,
            verdict.error or "record reported in batchItemFailures",
            self.retries.attempts(head),
        )
        self.retries.forget([seq_of(r) for r in rest])
        return {seq_of(r) for r in rest}

    def _after_delivery(self, done: set[str], failed: bool) -> None:
        before = self.pending
        self.pending = [r for r in before if seq_of(r) not in done]
        self.retries.forget(list(done))
        self.retrying = failed and bool(self.pending)
        if self.retrying:
            self.not_before = self.clock() + self.cfg.retry_backoff
        self.window_started = None
        if self.pending:
            head = int(seq_of(self.pending[0]))
            below = [seq_of(r) for r in before if int(seq_of(r)) < head]
            target = max(below, key=int) if below else None
        else:
            target = self.scan_seq
        if target is not None and target != self.checkpoint:
            self._save(target)
