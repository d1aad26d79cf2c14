"""The poller's settings, named and bounded like Lambda's event source mapping for streams."""

from __future__ import annotations

from dataclasses import dataclass, field

from acme_base.errors import InvalidInput
from streams.filters import FilterCriteria
from streams.keys import LATEST, TRIM_HORIZON


@dataclass(frozen=True)
class EsmConfig:
    """Lambda ESM settings (defaults are Lambda's) plus the poller's own knobs.

    ``max_retry_attempts=-1`` and ``max_record_age=-1`` mean infinite, as in Lambda. Each
    field's ``metadata`` holds its ``help`` (naming the Lambda setting it mirrors) and its CLI
    ``flag``, from which the composition root makes the flags and Lambda variables.
    """

    consumer: str = field(
        default="projections",
        metadata={
            "help": "consumer name: its own checkpoints, leases and DLQ (the ESM's identity)",
            "flag": "--consumer",
        },
    )
    batch_size: int = field(
        default=100,
        metadata={"help": "BatchSize: records per invocation, 1..10000", "flag": "--batch-size"},
    )
    batching_window: float = field(
        default=0.0,
        metadata={
            "help": "MaximumBatchingWindowInSeconds: wait up to this long to fill a batch, 0..300",
            "flag": "--batching-window",
        },
    )
    starting_position: str = field(
        default=TRIM_HORIZON,
        metadata={
            "help": "StartingPosition for a shard with no checkpoint: TRIM_HORIZON or LATEST",
            "flag": "--starting-position",
            "choices": (TRIM_HORIZON, LATEST),
        },
    )
    max_retry_attempts: int = field(
        default=-1,
        metadata={
            "help": "MaximumRetryAttempts: retries of a failing record, -1 (infinite)..10000",
            "flag": "--max-retries",
        },
    )
    max_record_age: float = field(
        default=-1.0,
        metadata={
            "help": "MaximumRecordAgeInSeconds: discard older records, -1 (infinite) or 60..604800",
            "flag": "--max-record-age",
        },
    )
    bisect_on_error: bool = field(
        default=False,
        metadata={
            "help": "BisectBatchOnFunctionError: split a failing batch in two and retry",
            "flag": "--bisect",
        },
    )
    parallelization_factor: int = field(
        default=1,
        metadata={
            "help": "ParallelizationFactor: concurrent batches per shard, 1..10 (order kept "
            "per partition key)",
            "flag": "--parallelization-factor",
        },
    )
    report_batch_item_failures: bool = field(
        default=True,
        metadata={
            "help": "FunctionResponseTypes=[ReportBatchItemFailures]: read the handler's "
            "batchItemFailures",
            "flag": "--report-batch-item-failures",
        },
    )
    filters: FilterCriteria = field(
        default_factory=FilterCriteria,
        metadata={
            "help": 'FilterCriteria: a pattern, a list of patterns or {"Filters": ...} as JSON',
            "flag": "--filter",
        },
    )
    dead_letter: bool = field(
        default=True,
        metadata={
            "help": "DestinationConfig.OnFailure: keep discarded records as dead letters in "
            "the <prefix>-streams table",
            "flag": "--dead-letter",
        },
    )
    tumbling_window_s: int = field(
        default=0,
        metadata={
            "help": "TumblingWindowInSeconds: 0 (off) or 1..900; the handler's state is "
            "carried between invocations of a window (streams/windows.py)",
            "flag": "--tumbling-window",
        },
    )
    # the poller's own (no Lambda setting: Lambda's service does these)
    poll_interval: float = field(
        default=0.25,  # Lambda polls each shard about four times a second
        metadata={
            "help": "seconds between reads of a shard (none in Lambda, which polls about 4 "
            "times a second)",
            "flag": "--poll-interval",
        },
    )
    lease_seconds: float = field(
        default=30.0,
        metadata={
            "help": "shard lease time (none in Lambda, which assigns shards itself): how soon "
            "a crashed poller's shards are taken over",
            "flag": "--lease-seconds",
        },
    )
    metrics_log_interval: float = field(
        default=0.0,
        metadata={
            "help": "seconds between the poller's metric log lines (JSON: per shard "
            "checkpoint, records read but not yet applied, iterator age, retries; the "
            "figures Lambda's IteratorAge metric and `acme-txn status` show); 0: off",
            "flag": "--metrics-log-interval",
        },
    )
    refresh_interval: float = field(
        default=30.0,
        metadata={
            "help": "seconds between re-reads of the shard list (none in Lambda, which "
            "follows splits itself)",
            "flag": "--refresh-interval",
        },
    )
    idle_polls: int = field(
        default=2,
        metadata={
            "help": "empty reads in a row before a shard counts as caught up, for "
            "--until-idle (none in Lambda; raise it on AWS)",
            "flag": "--idle-polls",
        },
    )
    retry_backoff: float = field(
        default=0.25,
        metadata={
            "help": "seconds before a failed batch is delivered again (none in Lambda, "
            "which retries at once)",
            "flag": "--retry-backoff",
        },
    )
    fetch_limit: int = field(
        default=1000,
        metadata={
            "help": "records asked of one GetRecords call, 1..1000 (its Limit; Lambda "
            "uses the maximum)",
            "flag": "--fetch-limit",
        },
    )

    def __post_init__(self) -> None:
        checks = [
            (1 <= self.batch_size <= 10_000, "batch size must be 1..10000"),
            (0 <= self.batching_window <= 300, "batching window must be 0..300 s"),
            (
                self.starting_position in (TRIM_HORIZON, LATEST),
                "starting position must be TRIM_HORIZON or LATEST",
            ),
            (-1 <= self.max_retry_attempts <= 10_000, "max retry attempts must be -1..10000"),
            (
                self.max_record_age == -1 or 60 <= self.max_record_age <= 604_800,
                "max record age must be -1 or 60..604800 s",
            ),
            (1 <= self.parallelization_factor <= 10, "parallelization factor must be 1..10"),
            (
                bool(self.consumer) and "#" not in self.consumer,
                "consumer name must be non-empty, without '#'",
            ),
            (1 <= self.fetch_limit <= 1000, "fetch limit must be 1..1000"),
            (0 <= self.tumbling_window_s <= 900, "tumbling window must be 0..900 s"),
            (
                not self.tumbling_window_s
                or (self.parallelization_factor == 1 and not self.bisect_on_error),
                "a tumbling window needs parallelization factor 1 and no bisection",
            ),
            (
                self.poll_interval > 0 and self.lease_seconds > 0 and self.idle_polls >= 1,
                "poll interval, lease seconds and idle polls must be positive",
            ),
        ]
        for ok, message in checks:
            if not ok:
                raise InvalidInput(message)
