"""Shared benchmark plumbing: a private DynamoDB Local, fresh settings, timed thread pools."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from acme_base.aws import dynamodb_client
from acme_base.settings import Settings, default_state_dir
from acme_base.tables import ensure_tables
from acme_txn.backend import dynamodb_local

T = TypeVar("T")


@dataclass(frozen=True)
class Rate:
    label: str
    count: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


@contextmanager
def backend() -> Iterator[Settings]:
    """A private DynamoDB Local (or BENCH_ENDPOINT) and settings with a fresh access key."""
    key = f"b{uuid.uuid4().hex[:10]}"
    state_dir = default_state_dir(os.environ)
    if os.environ.get("BENCH_ENDPOINT"):
        yield Settings(
            endpoint_url=os.environ["BENCH_ENDPOINT"],
            access_key=key,
            secret_key=key,
            state_dir=state_dir,
        )
        return
    with dynamodb_local.running(state_dir) as server:
        yield Settings(
            endpoint_url=server.endpoint, access_key=key, secret_key=key, state_dir=state_dir
        )


def fresh_tables(base: Settings, prefix: str) -> tuple[Settings, Any]:
    settings = base.with_(table_prefix=f"{prefix}{uuid.uuid4().hex[:6]}")
    client = dynamodb_client(settings)
    ensure_tables(client, settings)
    return settings, client


def timed_pool(label: str, fn: Callable[[T], Any], items: Sequence[T], workers: int) -> Rate:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(fn, items))
    return Rate(label, len(items), time.perf_counter() - started)


def warm_up(seconds: float, fn: Callable[[int], Any], workers: int = 8) -> None:
    """A fresh JVM roughly doubles its speed over its first ~20 s of load (DESIGN.md)."""
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        timed_pool("warm-up", fn, list(range(n, n + 100)), workers)
        n += 100


def print_rates(title: str, rates: Sequence[Rate], floor: Rate) -> None:
    print(f"\n== {title}")
    print(f"{'what':<58} {'ops':>6} {'ops/s':>9} {'x floor':>8}")
    for rate in rates:
        ratio = rate.per_second / floor.per_second if floor.per_second else 0
        print(f"{rate.label:<58} {rate.count:>6} {rate.per_second:>9.1f} {ratio:>8.2f}")
