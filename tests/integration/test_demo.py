"""The main job end to end (small): workload, stream drain, projections, reconciliation."""

from __future__ import annotations

import json

import pytest

from acme_base.settings import Settings
from acme_txn.cli.main import main


def test_given_a_small_demo_when_run_then_every_invariant_and_reconcile_hold(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", settings.access_key or "")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", settings.secret_key or "")
    code = main(
        [
            "demo",
            "--accounts",
            "4",
            "--commands",
            "60",
            "--workers",
            "4",
            "--endpoint-url",
            settings.endpoint_url or "",
            "--table-prefix",
            f"{settings.table_prefix}demo",
            "--json",
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report["problems"]
    assert report["invariants_ok"] and report["problems"] == []
    assert sum(report["outcomes"].values()) == 60
    # 4 USD accounts, and 2 in each of EUR and JPY beside them (issue 11 item 4)
    assert report["reconciliation"]["ok"] and report["reconciliation"]["accounts_checked"] == 8
    assert sorted(report["daily_totals_by_currency"]) == ["EUR", "JPY", "USD"]
    assert "." not in report["daily_totals_by_currency"]["JPY"]["credit_total"]
    projection = report["projection"]
    assert projection["delivered"] == report["events"]
    assert projection["applied_twice"] == 0
    assert projection["duplicates_skipped"] == projection["redelivered_duplicates"]
