"""GIVEN blocks, unauthorized debits and transfers, low balances and check deposits on DynamoDB
Local, delivered to the projections by the stream WHEN reported THEN #13 (the ledger's sparse
index) and `report declined` merge one query per reason. The rules, the read model and bad
input run on the twins (tests/app/test_decline_reasons.py)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from acme_base.settings import Settings
from acme_txn.bootstrap import App, bootstrap
from acme_txn.cli.main import main
from processor.domain.events import DeclineReason
from tests.app.test_decline_reasons import COMMANDS, DECLINED, open_accounts


@pytest.fixture(scope="module")
def bank_settings(module_settings: Settings) -> Settings:
    """One bank, projected from the stream, for this module's tests (they only read it)."""
    settings = module_settings.with_(table_prefix=f"d{uuid.uuid4().hex[:8]}")
    app = bootstrap(settings)
    app.ensure_tables()
    open_accounts(app)
    for cmd, status, reason in COMMANDS:
        outcome = app.ledger.submit_raw(cmd)
        assert (outcome.status, outcome.reason) == (status, reason), (cmd, outcome)
    app.drain(max_seconds=120)
    return settings


@pytest.fixture
def settings(bank_settings: Settings) -> Settings:
    """The shared bank's settings (no tables of the test's own)."""
    return bank_settings


@pytest.fixture
def bank(bank_settings: Settings) -> App:
    return bootstrap(bank_settings)


def test_given_every_reason_when_the_ledger_index_is_queried_then_13_merges_them(
    bank: App,
) -> None:
    """#13 on the ledger's own sparse index: one query per reason of the enum, merged."""
    rows = list(bank.queries.stream_declined("2026-11-20", "2026-11-22"))
    assert {(r["txn_id"], r["reason"]) for r in rows} == set(DECLINED.items())


def test_given_every_reason_when_reported_by_the_cli_then_each_reason_is_accepted(
    bank: App, settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", str(settings.access_key))
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", str(settings.secret_key))
    where = ["--endpoint-url", str(settings.endpoint_url), "--table-prefix", settings.table_prefix]

    def run(*argv: str) -> tuple[int, list[dict[str, Any]]]:
        capsys.readouterr()
        code = main([*argv, *where])
        return code, [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    span = ("report", "declined", "--from", "2026-11-20", "--to", "2026-11-22", "-o", "jsonl")
    code, rows = run(*span)
    assert code == 0 and {r["txn_id"] for r in rows} == set(DECLINED)
    for reason in DeclineReason:
        code, rows = run(*span, "--reason", reason.value)
        assert code == 0
        assert {r["txn_id"] for r in rows} == {t for t, r in DECLINED.items() if r == reason}
        code, rows = run(*span, "--reason", reason.value, "--source", "ledger")
        assert code == 0 and {r["reason"] for r in rows} == {reason.value}
    assert main([*span, "--reason", "stolen_card", *where]) == 2
    assert "unknown decline reason 'stolen_card'" in capsys.readouterr().err
