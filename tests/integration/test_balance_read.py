"""Issue 11 round 2 on DynamoDB Local: `balance --as-of` and `report balances` show the
pendings (the CLI reads the ledger's indexes). The balance document and the as-of rules run on
the twins (tests/app/test_balance_read.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from acme_base.settings import Settings
from acme_txn.bootstrap import App
from tests.app.test_balance_read import bank_on
from tests.cli_support import cli_runner


@pytest.fixture
def bank(app: App) -> App:
    return bank_on(app)


@pytest.fixture
def cli(bank: App, settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> Any:
    return cli_runner(settings, monkeypatch, capsys, json_lines=False)


def test_given_the_cli_when_balance_as_of_then_the_json_has_the_pending_fields(cli: Any) -> None:
    # GIVEN B, announced 20.00 WHEN `balance B --as-of` a minute on and `report balances`
    at = (datetime.now(UTC) + timedelta(seconds=30)).isoformat()
    code, out = cli("balance", "B", "--as-of", at, "--json")
    data = json.loads(out)
    # THEN the pending credit shows beside the posted balance
    assert code == 0
    assert (data["balance"], data["posted"], data["pending_credits"]) == ("0.00", "0.00", "20.00")
    code, out = cli("report", "balances", "--as-of", at, "--json")
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]
    by_account = {d["account_id"]: d for d in lines if "account_id" in d}
    assert code == 0 and by_account["A"]["pending_debits"] == "20.00"
