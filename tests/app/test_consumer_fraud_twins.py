"""The fraud consumer on the stream twin: the same alerts with tumbling windows (state
carried, profiles written at each window's end) and without them (profiles read and written
per batch), and the same again under redelivery and reordering across batches. On DynamoDB
Local's stream (a SIGKILLed consumer): tests/integration/test_fraud_consumer.py."""

from __future__ import annotations

import random

import pytest

from acme_txn.bootstrap import App
from processor.domain.events import LedgerEvent
from projections.fraud.engine import FraudEngine
from projections.fraud.memory import MemoryFraudStore
from streams.memory_ledger import StreamedEventStore
from tests.app.stream_twins import streamed_app
from tests.integration.test_fraud_consumer import LIMIT, days, demo_history, fast, ids, in_order


@pytest.fixture
def app() -> App:
    return streamed_app()


@pytest.fixture
def history(app: App) -> list[LedgerEvent]:
    """A demo bank (8 quiet accounts, one planted account per rule) in the ledger."""
    return demo_history(app)


def shared_store(app: App) -> StreamedEventStore:
    """``app``'s log and stream, for a second consumer of the same table."""
    store = app.event_store
    assert isinstance(store, StreamedEventStore)
    return store


def test_given_a_history_then_windows_no_windows_and_shuffled_redelivery_agree(
    app: App, history: list[LedgerEvent]
) -> None:
    expected = in_order(app, history)
    # WHEN the poller drives the consumer with tumbling windows of 2 s (many windows)
    windowed = fast("fraud", 2)
    assert app.fraud_poller(windowed).run(until_idle=True, max_seconds=LIMIT).idle
    # AND another consumer of the same stream without windows, on its own store
    plain_app = streamed_app(shared_store(app), fraud_store=MemoryFraudStore())
    plain = fast("fraud-plain", 0)
    assert plain_app.fraud_poller(plain).run(until_idle=True, max_seconds=LIMIT).idle
    # AND the events again, in shuffled batches with every event delivered twice
    store = MemoryFraudStore()
    engine = FraudEngine(store, app.history, app.options.fraud_rules)
    twice = history + history
    random.Random(5).shuffle(twice)
    for start in range(0, len(twice), 11):
        failed, _ = engine.process(twice[start : start + 11])
        assert not failed
    # THEN all three raised exactly the reference alerts
    assert ids(app.fraud_store.alerts(days())) == expected
    assert ids(plain_app.fraud_store.alerts(days())) == expected
    assert ids(store.alerts(days())) == expected
    # AND without windows every profile was written at the account's last event
    heads = {e.account_id: e.seq for e in history}
    for account, seq in heads.items():
        profile = plain_app.fraud_store.profile(account)
        assert profile is not None and profile.applied_seq == seq
