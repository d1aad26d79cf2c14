"""The poller's settings, named and bounded like Lambda's event source mapping for streams."""

from __future__ import annotations

from dataclasses import dataclass, field

from acme_base.errors import InvalidInput
from streams.filters import FilterCriteria
from streams.shards import LATEST, TRIM_HORIZON


@dataclass(frozen=True)
class EsmConfig:
    """Lambda ESM settings (defaults are Lambda's) plus the poller's own knobs.

    ``max_retry_attempts=-1`` and ``max_record_age=-1`` mean infinite, as in Lambda.
    """

    consumer: str = "projections"
    batch_size: int = 100  # BatchSize, 1..10000
    batching_window: float = 0.0  # MaximumBatchingWindowInSeconds, 0..300
    starting_position: str = TRIM_HORIZON  # StartingPosition
    max_retry_attempts: int = -1  # MaximumRetryAttempts, -1..10000
    max_record_age: float = -1  # MaximumRecordAgeInSeconds, -1 or 60..604800
    bisect_on_error: bool = False  # BisectBatchOnFunctionError
    parallelization_factor: int = 1  # ParallelizationFactor, 1..10
    report_batch_item_failures: bool = True  # FunctionResponseTypes=[ReportBatchItemFailures]
    filters: FilterCriteria = field(default_factory=FilterCriteria)  # FilterCriteria
    dead_letter: bool = True  # DestinationConfig.OnFailure -> the <prefix>-streams table
    # the poller's own
    poll_interval: float = 0.25  # Lambda polls each shard about four times a second
    lease_seconds: float = 30.0
    refresh_interval: float = 30.0  # how often the shard list is re-read
    idle_polls: int = 2  # empty reads in a row before a shard counts as caught up
    retry_backoff: float = 0.25  # pause before redelivering a failed batch

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
            (
                self.poll_interval > 0 and self.lease_seconds > 0 and self.idle_polls >= 1,
                "poll interval, lease seconds and idle polls must be positive",
            ),
        ]
        for ok, message in checks:
            if not ok:
                raise InvalidInput(message)

    fetch_limit: int = 1000  # records asked of one GetRecords call (its maximum)
