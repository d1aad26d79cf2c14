"""The local event source mapping: discovers the stream, leases shards, follows lineage, and
drives one ``ShardWorker`` per leased shard until stopped (or, with ``until_idle``, until every
shard it can own is caught up).

Stopping (``stop()``, wired to SIGTERM/SIGINT by the CLI) lets the batch in flight finish and
checkpoint, then releases the leases so another poller can take over at once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from acme_base.errors import AcmeError
from streams.config import EsmConfig
from streams.dlq import DeadLetters
from streams.keys import LATEST, TRIM_HORIZON
from streams.metrics_log import metrics_line
from streams.shards import ShardSource, plan_ready
from streams.state import LeaseLost, StreamState
from streams.worker import Handler, ShardWorker, Stats

log = logging.getLogger("acme_txn.streams")


def default_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class RunResult:
    stats: Stats
    idle: bool  # stopped because everything was caught up
    shards_owned: list[str] = field(default_factory=list)
    shards_held_elsewhere: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.stats.as_dict(),
            "idle": self.idle,
            "shards": self.shards_owned,
            "shards_held_elsewhere": self.shards_held_elsewhere,
        }


@dataclass
class Poller:
    source: ShardSource
    handler: Handler
    client: Any  # dynamodb client for the streams table
    table: str  # the <prefix>-streams table
    cfg: EsmConfig = field(default_factory=EsmConfig)
    owner: str = field(default_factory=default_owner)
    clock: Callable[[], float] = time.time
    stats: Stats = field(default_factory=Stats)
    _stop: threading.Event = field(default_factory=threading.Event)
    _workers: dict[str, ShardWorker] = field(default_factory=dict)
    _held_elsewhere: set[str] = field(default_factory=set)
    _owned: set[str] = field(default_factory=set)
    _finished: set[str] = field(default_factory=set)
    _lost: set[str] = field(default_factory=set)
    _need_refresh: bool = False
    _metrics_at: float = 0.0  # when the last metric line was logged

    def stop(self) -> None:
        """Finish the batch in flight, checkpoint, release leases, return from ``run``."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def dead_letters(self) -> DeadLetters:
        return DeadLetters(self.client, self.table, self.cfg.consumer)

    def run(self, until_idle: bool = False, max_seconds: float | None = None) -> RunResult:
        stream = self.source.describe()
        state = StreamState(
            self.client,
            self.table,
            self.cfg.consumer,
            stream.label,
            self.owner,
            self.cfg.lease_seconds,
            self.clock,
        )
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        idle = False
        done = threading.Event()
        renewer = threading.Thread(
            target=self._renew_loop, args=(state, done), daemon=True, name="lease-renewer"
        )
        renewer.start()
        with ThreadPoolExecutor(max_workers=self.cfg.parallelization_factor) as executor:
            try:
                last_refresh = -1e18
                refreshed_since_idle = False
                while not self._stop.is_set():
                    self._drop_lost()
                    if (
                        self._need_refresh
                        or time.monotonic() - last_refresh >= self.cfg.refresh_interval
                        or (until_idle and not refreshed_since_idle and self._all_caught_up())
                    ):
                        self._need_refresh = False
                        self._refresh(state, executor)
                        last_refresh = time.monotonic()
                        refreshed_since_idle = True
                    moved = self._poll_once()
                    self._log_metrics()
                    if moved:
                        refreshed_since_idle = False
                    if until_idle and refreshed_since_idle and self._all_caught_up():
                        idle = True
                        break
                    if deadline is not None and time.monotonic() >= deadline:
                        break
                    if not moved:
                        self._stop.wait(self.cfg.poll_interval)
            finally:
                done.set()
                renewer.join()
                for worker in list(self._workers.values()):
                    try:
                        state.release(worker.shard_id)
                    except AcmeError as exc:  # the lease simply expires
                        log.warning("could not release %s: %s", worker.shard_id, exc)
                self._workers.clear()
        return RunResult(self.stats, idle, sorted(self._owned), sorted(self._held_elsewhere))

    def _log_metrics(self) -> None:
        """Every ``metrics_log_interval`` seconds (0: never), one JSON metric line."""
        every = self.cfg.metrics_log_interval
        now = self.clock()
        if every <= 0 or now - self._metrics_at < every:
            return
        self._metrics_at = now
        log.info(metrics_line(self.cfg.consumer, self.stats, list(self._workers.values()), now))

    def _all_caught_up(self) -> bool:
        return all(w.caught_up for w in self._workers.values())

    def _renew_loop(self, state: StreamState, done: threading.Event) -> None:
        """Renew held leases in the background, so a slow batch does not lose its shard."""
        while not done.wait(self.cfg.lease_seconds / 3):
            for shard_id in list(self._workers):
                try:
                    state.renew(shard_id)
                except LeaseLost:
                    self._lost.add(shard_id)
                except AcmeError as exc:
                    log.warning("could not renew the lease on %s: %s", shard_id, exc)

    def _drop_lost(self) -> None:
        for shard_id in list(self._lost):
            self._lost.discard(shard_id)
            if self._workers.pop(shard_id, None) is not None:
                log.warning("lost the lease on %s; dropping it", shard_id)

    def _poll_once(self) -> bool:
        moved = False
        for shard_id, worker in list(self._workers.items()):
            if self._stop.is_set():
                break
            try:
                moved |= worker.step()
            except LeaseLost:
                log.warning("lost the lease on %s; dropping it", shard_id)
                del self._workers[shard_id]
                continue
            if worker.finished:
                self._finished.add(shard_id)
                worker.state.release(shard_id)
                del self._workers[shard_id]
                self._need_refresh = True  # its children may be ready now
                moved = True
        return moved

    def _refresh(self, state: StreamState, executor: ThreadPoolExecutor) -> None:
        stream = self.source.describe()
        saved = state.load_all()
        self._finished |= {sid for sid, s in saved.items() if s.finished}
        self._held_elsewhere.clear()
        dlq = self.dead_letters()
        for shard in plan_ready(stream.shards, self._finished):
            if shard.shard_id in self._workers:
                continue
            lease = state.acquire(shard.shard_id)
            if lease is None:
                self._held_elsewhere.add(shard.shard_id)
                continue
            # LATEST applies to shards open when we first start, never to a child of a
            # parent we read (its records would be lost).
            parent_read = shard.parent_id is not None and shard.parent_id in self._finished
            start = (
                LATEST if self.cfg.starting_position == LATEST and not parent_read else TRIM_HORIZON
            )
            self._owned.add(shard.shard_id)
            self._workers[shard.shard_id] = ShardWorker(
                shard_id=shard.shard_id,
                source=self.source,
                stream=stream,
                state=state,
                dlq=dlq,
                cfg=self.cfg,
                handler=self.handler,
                executor=executor,
                stats=self.stats,
                checkpoint=lease.checkpoint,
                starting_position=start,
                clock=self.clock,
            )
