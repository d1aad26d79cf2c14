"""The poller's counters, shared by its shard workers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Stats:
    fetched: int = 0
    filtered: int = 0
    delivered: int = 0  # records the handler accepted
    invocations: int = 0
    failed_invocations: int = 0
    dead_lettered: int = 0
    aged_out: int = 0
    bisections: int = 0
    expired_iterators: int = 0
    trimmed: int = 0
    checkpoints: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))
