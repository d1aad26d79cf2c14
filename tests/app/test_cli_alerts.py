"""`acme-txn fraud seed|run|score` and `acme-txn alerts list|show|review|dismiss` in-process on
the twins (the fraud consumer reading the stream twin): from planted patterns to alerts, their
evidence and an analyst's verdict, and bad input refused with exit 2. The fraud consumer on
DynamoDB Local's stream, started as `acme-txn fraud run`:
tests/integration/test_fraud_consumer.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.app.cli_twins import json_lines, twin_cli
from tests.app.stream_twins import streamed_app

Cli = Callable[..., tuple[int, list[Any]]]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    """`acme-txn ARGS --json` on the twins, the log streamed to the fraud consumer."""
    monkeypatch.delenv("ACME_FRAUD_RULES", raising=False)
    run = twin_cli(streamed_app(), monkeypatch, capsys)

    def cli(*args: str) -> tuple[int, list[Any]]:
        code, out, _ = run(*args, "--json")
        return code, json_lines(out)

    return cli


def span() -> tuple[str, str]:
    today = datetime.now(UTC).date()
    return (today - timedelta(days=130)).isoformat(), today.isoformat()


def test_given_planted_patterns_when_the_consumer_ran_then_analysts_list_show_and_review(
    cli: Cli, tmp_path: Path
) -> None:
    first, last = span()
    code, [seeded] = cli("fraud", "seed", "--normal", "8", "--planted", "1")
    assert code == 0 and len(seeded["planted"]) == 7
    code, [ran] = cli("fraud", "run", "--until-idle", "--tumbling-window", "0")
    assert code == 0 and ran["alerts_raised"] == 7
    # WHEN the analyst lists the alerts above a score, with a chart
    chart = tmp_path / "alerts.png"
    code, [listed] = cli(
        "alerts", "list", "--from", first, "--to", last, "--min-score", "60", "--chart", str(chart)
    )
    scores = [a["risk_score"] for a in listed["items"]]
    assert code == 0 and scores == sorted(scores, reverse=True) and min(scores) >= 60
    assert chart.read_bytes().startswith(b"\x89PNG")
    # AND shows one, with its evidence transactions from the log
    velocity = next(a for a in listed["items"] if a["rule"] == "velocity")
    code, [shown] = cli("alerts", "show", velocity["alert_id"])
    assert code == 0 and [t["txn_id"] for t in shown["transactions"]] == velocity["evidence"]
    assert all(t["kind"] == "debit" for t in shown["transactions"])
    # AND reviews it, then dismisses it; a dismissed alert is not reviewed again
    code, [reviewed] = cli("alerts", "review", velocity["alert_id"], "--note", "called")
    assert code == 0 and reviewed["status"] == "reviewed" and reviewed["note"] == "called"
    code, [dismissed] = cli("alerts", "dismiss", velocity["alert_id"], "--note", "travel")
    assert code == 0 and dismissed["status"] == "dismissed"
    assert cli("alerts", "review", velocity["alert_id"], "--note", "again")[0] == 2
    code, [open_only] = cli("alerts", "list", "--from", first, "--to", last, "--status", "open")
    assert velocity["alert_id"] not in {a["alert_id"] for a in open_only["items"]}
    code, [one_rule] = cli("alerts", "list", "--from", first, "--to", last, "--rule", "dormant")
    assert {a["rule"] for a in one_rule["items"]} == {"dormant"}
    # AND the rules' precision on the demo data is measured
    code, [scored] = cli("fraud", "score", "--from", first, "--to", last, "--planted", "1")
    assert code == 0 and scored["precision"] == 1.0 and scored["recall"] == 1.0


@pytest.mark.parametrize(
    "args",
    [
        ("alerts", "show", "nope"),
        ("alerts", "review", "nope", "--note", "x"),
        ("alerts", "dismiss", "nope", "--note", "   "),
        ("alerts", "list", "--min-score", "101"),
        ("alerts", "list", "--from", "2030-02-01", "--to", "2030-01-01"),
        ("alerts", "list", "--to", "yesterday"),
        ("fraud", "run", "--until-idle", "--tumbling-window", "901"),
        ("fraud", "run", "--until-idle", "--rules", "/nonexistent/rules.toml"),
    ],
)
def test_given_bad_input_then_exit_2_and_nothing_changes(cli: Cli, args: tuple[str, ...]) -> None:
    assert cli(*args)[0] == 2
