"""The one backoff policy: bounded attempts, full-jitter exponential delays.

Used by every optimistic loop (the ledger's appends, the projector's guarded writes), so a
change of policy happens in one place. Pure apart from ``sleep``; the random source and the
sleeper can be injected for tests.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Backoff:
    """``max_attempts`` tries; before try n+1 wait uniform(0, min(cap, base * 2**n))."""

    max_attempts: int = 40
    base_delay: float = 0.004
    max_delay: float = 0.25
    rng: Callable[[float, float], float] = field(default=random.uniform, compare=False)
    sleeper: Callable[[float], None] = field(default=time.sleep, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("max_attempts must be >= 1 and delays >= 0")

    def delay(self, attempt: int) -> float:
        """Full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter")."""
        return self.rng(0, min(self.max_delay, self.base_delay * 2 ** min(attempt, 30)))

    def sleep(self, attempt: int) -> None:
        self.sleeper(self.delay(attempt))

    def attempts(self) -> Iterator[int]:
        """0, 1, ... max_attempts-1; the caller ``continue``s to retry, returns to stop."""
        return iter(range(self.max_attempts))
