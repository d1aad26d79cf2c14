"""Test helpers for running a stream consumer the way production does: as a CLI child process
(``child_env``, ``kill_when``, ``drain_after_kill``), as a Lambda given the stream's records
(``lambda_env``, ``stream_records``)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from typing import Any

import pytest

from acme_base.aws import dynamodb_client, streams_client
from acme_base.settings import Settings
from streams.records import to_lambda_record
from streams.shards import TRIM_HORIZON, DynamoDBShardSource

LIMIT = 120  # seconds: a safety net for a hung child, not an assertion


def child_env(settings: Settings) -> dict[str, str]:
    """The environment of an `acme-txn` child process on ``settings``' DynamoDB."""
    return {
        **os.environ,
        "AWS_ACCESS_KEY_ID": str(settings.access_key),
        "AWS_SECRET_ACCESS_KEY": str(settings.secret_key),
    }


def lambda_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Lambda's environment for ``settings`` (its handlers read it on a cold start)."""
    for name, value in {
        "AWS_ENDPOINT_URL": settings.endpoint_url,
        "AWS_ACCESS_KEY_ID": settings.access_key,
        "AWS_SECRET_ACCESS_KEY": settings.secret_key,
        "ACME_TABLE_PREFIX": settings.table_prefix,
    }.items():
        monkeypatch.setenv(name, value or "")


def stream_records(settings: Settings) -> list[Any]:
    """Every record of the ledger's stream (up to 1,000 a shard), as Lambda receives them."""
    source = DynamoDBShardSource(
        dynamodb_client(settings), streams_client(settings), settings.ledger_table
    )
    info = source.describe()
    out: list[Any] = []
    for shard in info.shards:
        page = source.read(source.iterator(shard.shard_id, TRIM_HORIZON), 1000)
        out += [to_lambda_record(r, info.arn) for r in page.records]
    return out


def kill_when(argv: list[str], env: dict[str, str], done: Callable[[], bool]) -> None:
    """Start the consumer ``argv`` and SIGKILL it as soon as ``done()`` holds."""
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + LIMIT
        while not done():
            assert child.poll() is None, "the consumer exited before it was to be killed"
            assert time.monotonic() < deadline, "the consumer never got there"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=LIMIT)


def drain_after_kill(argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``argv`` (an ``--until-idle --json`` consumer) until it held every shard (the
    killed consumer's leases expire meanwhile); returns its last JSON line."""
    deadline = time.monotonic() + LIMIT
    while True:
        run = subprocess.run(argv, env=env, capture_output=True, timeout=LIMIT, check=False)
        assert run.returncode == 0, run.stderr.decode()[-2000:]
        outcome: dict[str, Any] = json.loads(run.stdout.decode().strip().splitlines()[-1])
        if not outcome["shards_held_elsewhere"]:
            return outcome
        assert time.monotonic() < deadline, "the killed consumer's lease never expired"
        time.sleep(1.0)
