"""Budgets on DynamoDB Local: the demo end to end. Expenses, the spend projection, notifications
and the CLI run on the twins, the projection and the seed's queries on both backends
(tests/app/test_budgets.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from acme_base.settings import Settings
from acme_txn.cli.main import main


def test_given_the_demo_when_run_for_budgets_then_spend_equals_the_ledger(
    module_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    # GIVEN a DynamoDB Local endpoint WHEN `acme-txn demo --app budget` runs (on tables of its
    # own: the demo makes them)
    settings = module_settings
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", settings.access_key or "")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", settings.secret_key or "")
    code = main(["demo", "--app", "budget", "--endpoint-url", settings.endpoint_url or "",
                 "--table-prefix", f"{settings.table_prefix}demo", "--json"])  # fmt: skip
    report = json.loads(capsys.readouterr().out.splitlines()[-1])
    # THEN it passes and raised notifications
    assert code == 0 and report["ok"] and report["notifications"] > 0
