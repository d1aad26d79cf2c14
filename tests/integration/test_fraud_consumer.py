"""The fraud consumer on the ledger's real stream (DynamoDB Local): the same alerts with
tumbling windows (state carried, profiles written at each window's end) and without them
(profiles read and written conditionally per batch, as on LocalStack), and the same again
under redelivery, reordering across batches and a SIGKILLed consumer. The consumer's logic
(windows, no windows, shuffled redelivery) runs on the stream twin:
tests/app/test_consumer_fraud_twins.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from acme_base.settings import Settings
from acme_txn.bootstrap import FRAUD_CONSUMER, App
from acme_txn.fraud_demo import fraud_history, planted_rule, replay
from processor.domain.events import LedgerEvent
from projections.fraud.engine import FraudEngine
from projections.fraud.memory import MemoryFraudStore
from projections.fraud.model import Alert
from projections.reports import date_range
from streams.config import EsmConfig

LIMIT = 120  # seconds: a safety net for a hung child, not an assertion


def fast(consumer: str, window: int) -> EsmConfig:
    """The fraud consumer's settings with small batches and quick polls."""
    return replace(
        FRAUD_CONSUMER,
        consumer=consumer,
        tumbling_window_s=window,
        poll_interval=0.05,
        batch_size=7,
        lease_seconds=3.0,
    )


@pytest.fixture
def history(app: App) -> list[LedgerEvent]:
    return demo_history(app)


def demo_history(app: App) -> list[LedgerEvent]:
    """A demo bank (8 quiet accounts, one planted account per rule) in the ledger."""
    commands, _ = fraud_history(seed=3, normal=8, planted=1)
    outcomes = replay(app.new_ledger, commands)
    assert not [o for o in outcomes if o.status in {"rejected", "failed"}]
    return sorted(app.event_store.all_events(), key=lambda e: (e.account_id, e.seq))


def days() -> list[str]:
    today = datetime.now(UTC).date()
    return date_range((today - timedelta(days=130)).isoformat(), today.isoformat())


def ids(alerts: list[Alert]) -> set[str]:
    return {a.alert_id for a in alerts}


def in_order(app: App, events: list[LedgerEvent]) -> set[str]:
    """The alerts of the log evaluated once, in order, on a memory store: the reference."""
    store = MemoryFraudStore()
    FraudEngine(store, app.history, app.options.fraud_rules).process(events)
    found = store.alerts(days())
    assert found and all(planted_rule(a.account_id) == a.rule for a in found)
    return ids(found)


def fraud_run(settings: Settings, *extra: str) -> tuple[list[str], dict[str, str]]:
    argv = [
        sys.executable, "-m", "acme_txn.cli.main", "fraud", "run", "--json",
        "--endpoint-url", str(settings.endpoint_url), "--table-prefix", settings.table_prefix,
        "--batch-size", "2", "--poll-interval", "0.05", "--lease-seconds", "3",
        "--tumbling-window", "1", *extra,
    ]  # fmt: skip
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": str(settings.access_key),
        "AWS_SECRET_ACCESS_KEY": str(settings.secret_key),
    }
    return argv, env


def test_given_a_sigkilled_consumer_when_restarted_then_no_alert_is_raised_twice(
    app: App, settings: Settings, history: list[LedgerEvent]
) -> None:
    expected = in_order(app, history)
    store = app.fraud_store
    # WHEN the consumer is SIGKILLed once it has raised an alert
    argv, env = fraud_run(settings)
    first = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + LIMIT
        while not store.alerts(days()):
            assert first.poll() is None, "the consumer exited before raising an alert"
            assert time.monotonic() < deadline, "no alert was raised"
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
    finally:
        first.wait(timeout=LIMIT)
    at_kill = len(store.alerts(days()))
    # AND a new consumer drains the stream from the checkpoint (once the lease expired)
    argv, env = fraud_run(settings, "--until-idle")
    deadline = time.monotonic() + LIMIT
    while True:
        second = subprocess.run(argv, env=env, capture_output=True, timeout=LIMIT, check=False)
        assert second.returncode == 0, second.stderr.decode()[-2000:]
        outcome = json.loads(second.stdout.decode().strip().splitlines()[-1])
        if not outcome["shards_held_elsewhere"]:
            break
        assert time.monotonic() < deadline, "the killed consumer's lease never expired"
        time.sleep(1.0)
    # THEN the alerts are exactly the reference ones: none twice, none missed
    assert ids(store.alerts(days())) == expected
    assert 1 <= at_kill <= len(expected)
