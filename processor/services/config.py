"""The ledger's options, declared once (flags and Lambda variables are generated from them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from acme_base.errors import InvalidInput
from acme_base.retry import Backoff
from processor.domain.time_policy import DEFAULT_MAX_BACKDATE_S, DEFAULT_MAX_SKEW_S, TimePolicy

MAX_GROUP = 25  # 25 commands = 50 items: a transaction's item limit is 100


@dataclass(frozen=True)
class LedgerConfig:
    """Group commit and optimistic-retry settings of the write path."""

    group_size: int = field(
        default=MAX_GROUP,
        metadata={"help": f"credits/debits of one account committed together, 1..{MAX_GROUP}"},
    )
    cache_heads: bool = field(
        default=True,
        metadata={"help": "reuse account heads from our own commits (the condition checks them)"},
    )
    adopt_heads: bool = field(
        default=True,
        metadata={"help": "after a lost seq race, retry at once on the winner's returned head"},
    )
    max_attempts: int = field(
        default=40, metadata={"help": "optimistic attempts before ContentionExhausted"}
    )
    base_delay: float = field(
        default=0.004, metadata={"help": "first backoff bound in seconds (full jitter)"}
    )
    max_delay: float = field(default=0.25, metadata={"help": "backoff bound cap in seconds"})
    batch_writers: int = field(
        default=2,
        metadata={
            "help": "transactions in flight that many accounts' appends share (0: one "
            "append per transaction)",
            "flag": "--batch-writers",
        },
    )
    max_skew_s: int = field(
        default=DEFAULT_MAX_SKEW_S,
        metadata={"help": "seconds a command's occurred_at may run ahead of the ledger's clock"},
    )
    max_backdate_s: int = field(
        default=DEFAULT_MAX_BACKDATE_S,
        metadata={"help": "seconds back a non-operator may date occurred_at (the CLI operates)"},
    )

    def __post_init__(self) -> None:
        if not 1 <= self.group_size <= MAX_GROUP:
            raise InvalidInput(f"ledger group size must be 1..{MAX_GROUP}")
        if self.max_attempts < 1 or self.base_delay < 0 or self.max_delay < self.base_delay:
            raise InvalidInput("ledger retries: attempts >= 1 and 0 <= base delay <= max delay")
        if self.batch_writers < 0:
            raise InvalidInput("ledger batch writers must be >= 0 (0: no batching)")
        self.time_policy()  # InvalidInput on negative bounds

    def time_policy(self) -> TimePolicy:
        return TimePolicy(self.max_skew_s, self.max_backdate_s)

    def backoff(self) -> Backoff:
        return Backoff(self.max_attempts, self.base_delay, self.max_delay)
