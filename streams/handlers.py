"""The stream handler for the ledger stream, built on aws-lambda-powertools.

``acme_txn.lambda_handlers.projection_handler`` (the Lambda entry point, assembled by the
composition root) and the local poller both invoke a ``StreamHandler`` with the same event
shape. The business logic is a *sink*: it applies a whole batch of events once and returns
the ``(account_id, seq)`` pairs it could not apply (raising means the whole batch failed).
Then the powertools ``BatchProcessor`` marks each failed record, and every later record of
the same account in the batch, as an item failure, so Lambda redelivers from the lowest of
them and per-account order holds. Records that fail validation are item failures too, never
a crashed batch; non-event items of the ledger table (txn idempotency records, customers,
accounts) succeed untouched.

Each record is parsed (``LedgerStreamRecord``: the powertools model, its images decoded) once,
before the sink; the ``BatchProcessor`` then gets the raw records and only reports, per
record, what that parse and the sink decided (the parse is most of a record's CPU).
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from pydantic import ValidationError

from processor.domain.archive import is_snapshot
from processor.domain.events import LedgerEvent
from streams.keys import account_of, created_at
from streams.records import LedgerStreamRecord

Sink = Callable[[list[LedgerEvent]], frozenset[tuple[str, int]]]
SERVICE = "acme-txn-streams"
NAMESPACE = "AcmeTxn"


class MetricsLike(Protocol):
    def add_metric(self, name: str, unit: Any, value: float) -> None: ...

    def flush_metrics(self, raise_on_empty_metrics: bool = False) -> None: ...


class CountingMetrics:
    """Metrics kept in memory (the local poller prints totals instead of EMF lines)."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = {}
        self.maxima: dict[str, float] = {}
        self._lock = threading.Lock()

    def add_metric(self, name: str, unit: Any, value: float) -> None:
        with self._lock:
            self.totals[name] = self.totals.get(name, 0.0) + value
            self.maxima[name] = max(self.maxima.get(name, value), value)

    def flush_metrics(self, raise_on_empty_metrics: bool = False) -> None:
        return None


class RecordNotApplied(Exception):
    """The sink could not apply this record (or an earlier one of its account)."""


_LOGGER: Logger | None = None


def stream_logger() -> Logger:
    """The powertools logger, made on first use (it reads POWERTOOLS_* variables)."""
    global _LOGGER
    if _LOGGER is None:
        _LOGGER = Logger(service=SERVICE, logger_handler=logging.StreamHandler(sys.stderr))
    return _LOGGER


class StreamHandler:
    """``handler(event, context) -> {"batchItemFailures": [...]}`` for DynamoDB Streams."""

    def __init__(
        self,
        sink: Sink,
        metrics: MetricsLike | None = None,
        logger: Logger | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.sink = sink
        self.metrics: MetricsLike = metrics if metrics is not None else CountingMetrics()
        self.logger = logger
        self.clock = clock

    def _log(self) -> Logger:
        return self.logger or stream_logger()

    def _apply(
        self, records: Sequence[dict[str, Any]], invalid: dict[int, ValidationError]
    ) -> set[str]:
        """Send the batch's events to the sink; return the sequence numbers to fail, and put
        each record that fails validation in ``invalid`` (by identity: it may have no
        sequence number)."""
        to_fail: set[str] = set()
        blocked: set[str] = set()  # accounts with an invalid record earlier in the batch
        entries: list[tuple[str, str, int]] = []
        events: list[LedgerEvent] = []
        for raw in records:
            try:
                record = LedgerStreamRecord.model_validate(raw)
            except ValidationError as exc:
                account = account_of(raw)
                if account is not None:
                    blocked.add(account)
                invalid[id(raw)] = exc  # the BatchProcessor reports it with this error
                continue
            event = record.event
            if event is None or is_snapshot(event):
                # an archival snapshot (a MODIFY of an archived event's item) is no new fact:
                # the event it replaced was delivered by its INSERT (processor.domain.archive)
                continue
            if event.account_id in blocked:
                to_fail.add(record.sequence_number)
                continue
            events.append(event)
            entries.append((record.sequence_number, event.account_id, event.seq))
        failed = self.sink(events) if events else frozenset()
        stopped: set[str] = set()
        for seq, account, n in entries:
            if account in stopped or (account, n) in failed:
                to_fail.add(seq)
                stopped.add(account)
        return to_fail

    def __call__(self, event: dict[str, Any], context: Any = None) -> dict[str, Any]:
        records = list(event.get("Records") or [])
        if not records:  # ESMs never send one; a manual invoke may (powertools would raise)
            return {"batchItemFailures": []}
        self._lag_metric(records)
        invalid: dict[int, ValidationError] = {}
        try:
            to_fail = self._apply(records, invalid)
        except Exception:
            self.metrics.add_metric("RecordsFailed", MetricUnit.Count, len(records))
            self.metrics.add_metric("BatchesFailed", MetricUnit.Count, 1)
            self._log().exception("projection of a batch failed", extra={"records": len(records)})
            self.metrics.flush_metrics()
            raise

        def record_handler(record: DynamoDBRecord) -> None:
            error = invalid.get(id(record.raw_event))
            if error is not None:
                raise error
            sequence_number = record.dynamodb.sequence_number if record.dynamodb else None
            if sequence_number in to_fail:
                raise RecordNotApplied(f"record {sequence_number} not applied")

        # no model: the records were parsed once, above (``record.raw_event`` is the same dict)
        processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
        try:
            response: dict[str, Any] = dict(
                process_partial_response(
                    event=event, record_handler=record_handler, processor=processor, context=context
                )
            )
        finally:
            failures = len(processor.fail_messages)
            self.metrics.add_metric("RecordsProcessed", MetricUnit.Count, len(records) - failures)
            self.metrics.add_metric("RecordsFailed", MetricUnit.Count, failures)
            if failures:
                self._log().warning(
                    "records failed",
                    extra={
                        "failed": failures,
                        "records": len(records),
                        "errors": [str(e[1]) for e in processor.exceptions][:5],
                    },
                )
            self.metrics.flush_metrics()
        if isinstance(event.get("window"), dict):  # a tumbling window: Lambda needs a state
            response["state"] = {}
        return response

    def _lag_metric(self, records: Sequence[dict[str, Any]]) -> None:
        created = [c for c in (created_at(r) for r in records) if c is not None]
        if created:
            age_ms = max(0.0, (self.clock() - min(created)) * 1000)
            self.metrics.add_metric("IteratorAgeMilliseconds", MetricUnit.Milliseconds, age_ms)
