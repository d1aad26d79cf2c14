"""The applications' views from the ledger's real stream (DynamoDB Local): commands only append
(``sync_projection`` off), the ``apps`` consumer folds the loyalty views, the spend and the
notifications; the Lambda's redelivered batches change nothing, and a SIGKILLed consumer
restarted from its checkpoint raises no notification twice. The consumer's fold under
redelivery and reordering, and the app demos, run on the stream twin:
tests/app/test_consumer_apps_twins.py."""

from __future__ import annotations

import random
import sys
from dataclasses import replace
from typing import Any

import pytest

from acme_base.settings import Settings
from acme_txn import lambda_handlers
from acme_txn.bootstrap import APPS_CONSUMER, App
from apps.budgets.model import expense_account, fold_expenses
from apps.loyalty.model import MemberView, fold, member_account
from streams.config import EsmConfig
from tests.consumer_support import (
    child_env,
    drain_after_kill,
    kill_when,
    lambda_env,
    stream_records,
)

USERS = ("u1", "u2", "u3")


def fast(consumer: str) -> EsmConfig:
    return replace(
        APPS_CONSUMER, consumer=consumer, poll_interval=0.05, batch_size=3, lease_seconds=3.0
    )


@pytest.fixture
def stream_app(app: App) -> App:
    """The app with the views left to the stream consumer."""
    app.loyalty.sync_projection = False
    app.budgets.sync_projection = False
    return app


def submit_loyalty(app: App) -> None:
    rng = random.Random(5)
    for i in range(30):
        user = rng.choice(USERS)
        raw: dict[str, Any] = {"transaction_id": f"T{i}", "user_id": user}
        if i % 4 == 3:
            raw |= {"type": "redeem", "points": rng.randint(50, 900)}
        else:
            raw |= {"type": "earn", "order_id": f"O{i}", "amount": f"{rng.randint(50, 900)}.00"}
        for _ in range(2):  # every command delivered twice
            assert app.loyalty.submit(raw).status in {"approved", "declined", "duplicate"}


def submit_expenses(app: App, user: str = "u1") -> list[tuple[str, str]]:
    """A budget per category; expenses crossing 80% then 100% of each: the expected notes."""
    categories = ("food", "fun", "travel")
    for category in categories:
        done = app.budgets.submit(
            {"type": "set_budget", "user_id": user, "category": category, "month": "2025-01",
             "amount": "100.00", "threshold_pct": 80}
        )  # fmt: skip
        assert isinstance(done, dict) and done["status"] == "set"
    for i in range(12):  # 30.00 each: 4 per category cross 80% (at 90) and 100% (at 120)
        raw = {"type": "expense", "expense_id": f"X{i}", "user_id": user, "amount": "30.00",
               "category": categories[i % 3], "description": "d",
               "date": f"2025-01-{i + 1:02d}"}  # fmt: skip
        assert app.budgets.submit(raw).status == "approved"  # type: ignore[union-attr]
    return sorted((c, level) for c in categories for level in ("alert", "exceeded"))


def notes(app: App, user: str = "u1") -> list[tuple[str, str]]:
    return sorted((n["category"], n["level"]) for n in app.budgets.notifications(user))


def assert_views_equal_the_fold(app: App) -> None:
    for user in USERS:
        view = app.loyalty_store.member(user)
        log = app.event_store.events(member_account(user))
        folded = fold(MemberView(user), log, app.loyalty_rules).view
        assert view == (folded if folded.seq >= 0 else None)
    spend = fold_expenses("u1", -1, app.event_store.events(expense_account("u1"))).added
    for (category, month), total in spend.items():
        assert app.budget_store.spend("u1", category, month) == total


def apps_run(settings: Settings, *extra: str) -> tuple[list[str], dict[str, str]]:
    argv = [
        sys.executable, "-m", "acme_txn.cli.main", "apps", "run", "--json",
        "--endpoint-url", str(settings.endpoint_url), "--table-prefix", settings.table_prefix,
        "--batch-size", "1", "--poll-interval", "0.05", "--lease-seconds", "3", *extra,
    ]  # fmt: skip
    return argv, child_env(settings)


def test_given_a_sigkilled_apps_consumer_when_restarted_then_no_note_is_raised_twice(
    stream_app: App, settings: Settings
) -> None:
    # GIVEN expenses crossing every threshold, not yet folded
    app = stream_app
    expected = submit_expenses(app)
    # WHEN the consumer is SIGKILLed once it has raised a notification
    kill_when(*apps_run(settings), done=lambda: bool(notes(app)))
    at_kill = len(notes(app))
    # AND a new consumer drains the stream from the checkpoint (once the lease expired)
    outcome = drain_after_kill(*apps_run(settings, "--until-idle"))
    # THEN every threshold was noted exactly once and the spend is the fold
    assert outcome["consumer"] == "apps"
    assert notes(app) == expected
    assert 1 <= at_kill <= len(expected)
    assert_views_equal_the_fold(app)


def test_given_stream_records_when_the_apps_lambda_gets_them_twice_then_notes_once(
    stream_app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN expenses crossing every threshold, as stream records, and a cold Lambda
    expected = submit_expenses(stream_app)
    records = stream_records(settings)
    lambda_env(settings, monkeypatch)
    lambda_handlers.reset()
    # WHEN ``apps_handler`` gets the batch, then the same batch again (a redelivery)
    first = lambda_handlers.apps_handler({"Records": records}, None)
    second = lambda_handlers.apps_handler({"Records": records}, None)
    # THEN nothing failed, each threshold was noted once and the spend is the fold
    assert first == second == {"batchItemFailures": []}
    assert notes(stream_app) == expected
    assert_views_equal_the_fold(stream_app)
