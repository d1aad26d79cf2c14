"""The applications' consumer on the stream twin: commands only append (``sync_projection``
off), the ``apps`` consumer folds the loyalty views, the spend and the notifications, and a
second consumer's redelivery and shuffled copies change nothing; the app demos' views come
from the stream. The consumer on DynamoDB
Local's stream (a SIGKILLed consumer, the Lambda): tests/integration/test_apps_consumer.py."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from acme_txn.bootstrap import App
from tests.app.stream_twins import streamed_app
from tests.integration.test_apps_consumer import (
    assert_views_equal_the_fold,
    fast,
    notes,
    submit_expenses,
    submit_loyalty,
)


@pytest.fixture
def app() -> App:
    """The app on the twins, its log streamed."""
    return streamed_app()


@pytest.fixture
def stream_app() -> App:
    """The app on the twins, its log streamed, the views left to the stream consumer."""
    app = streamed_app()
    app.loyalty.sync_projection = False
    app.budgets.sync_projection = False
    return app


def test_given_app_commands_when_the_apps_consumer_runs_and_redelivers_then_views_are_the_fold(
    stream_app: App,
) -> None:
    # GIVEN loyalty commands (each sent twice) and expenses, nothing folded yet
    app = stream_app
    submit_loyalty(app)
    expected = submit_expenses(app)
    assert app.loyalty_store.member("u1") is None and notes(app) == []
    # WHEN the apps consumer drains the stream in small batches
    first = app.apps_poller(fast("apps")).run(until_idle=True)
    # AND a second consumer redelivers everything in other batches, then shuffled copies
    again = app.apps_poller(replace(fast("apps-again"), batch_size=5)).run(until_idle=True)
    events = list(app.event_store.all_events())
    random.Random(1).shuffle(events)
    for start in range(0, len(events), 7):
        app.apps_sink()(events[start : start + 7])
    # THEN the views are the fold of the log and each threshold was noted once
    assert first.stats.delivered > 0 and first.stats.dead_lettered == 0
    assert again.stats.delivered == first.stats.delivered
    assert_views_equal_the_fold(app)
    assert notes(app) == expected


def test_given_the_app_demos_when_run_then_their_views_come_from_the_stream(app: App) -> None:
    # GIVEN/WHEN the loyalty and budget demos (views left to the apps consumer, then the
    # whole log redelivered)
    from acme_txn.apps_demo import budget_demo, loyalty_demo

    loyalty = loyalty_demo(app, users=3, orders=16)
    budget = budget_demo(app, users=2, expenses=12)
    # THEN the consumer delivered their events and the checks hold
    assert loyalty["ok"] and loyalty["views_equal_fold"] and loyalty["stream"]["delivered"] > 0
    assert budget["ok"] and budget["spend_equals_ledger"] and budget["stream"]["delivered"] > 0
