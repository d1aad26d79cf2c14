"""Test helpers for the stream consumers: a recording sink with injectable failures, and a
poller from the composition root delivering to it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from acme_base.settings import Settings
from acme_txn.bootstrap import bootstrap
from processor.domain.events import LedgerEvent
from streams.config import EsmConfig
from streams.poller import Poller
from streams.shards import ShardSource

Key = tuple[str, int]


@dataclass
class RecordingSink:
    """Records every batch it is given; fails ``poison`` keys (``raise_on`` raises instead).

    ``fail_times`` limits how many times each poison key fails (None: always).
    """

    poison: frozenset[Key] = frozenset()
    raise_on: frozenset[Key] = frozenset()
    fail_times: int | None = None
    on_batch: Callable[[list[Key]], None] | None = None
    batches: list[list[Key]] = field(default_factory=list)
    failures: dict[Key, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, events: list[LedgerEvent]) -> frozenset[Key]:
        keys = [(e.account_id, e.seq) for e in events]
        with self._lock:
            self.batches.append(keys)
            bad = [
                k
                for k in keys
                if k in self.poison | self.raise_on
                and (self.fail_times is None or self.failures.get(k, 0) < self.fail_times)
            ]
            for k in bad:
                self.failures[k] = self.failures.get(k, 0) + 1
        if self.on_batch is not None:
            self.on_batch(keys)
        if any(k in self.raise_on for k in bad):
            raise RuntimeError(f"poison event in batch: {bad}")
        return frozenset(bad)

    @property
    def delivered(self) -> list[Key]:
        """Every event handed over, in delivery order (with repeats)."""
        return [k for batch in self.batches for k in batch]


def make_poller(
    settings: Settings,
    sink: Any,
    cfg: EsmConfig | None = None,
    source: ShardSource | None = None,
    **kwargs: Any,
) -> Poller:
    """A poller on the ledger table's stream (Lambda's ESM defaults unless ``cfg``)."""
    return bootstrap(settings).poller(cfg or EsmConfig(), sink=sink, source=source, **kwargs)
