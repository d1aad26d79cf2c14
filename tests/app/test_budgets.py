"""Budgets on the twins: expenses through the ledger, bad expenses writing nothing, the CLI
and its exit codes; the spend projection and its notifications once per crossing (also under
redelivery through the stream sink) and the seed's queries also on DynamoDB Local
(``backend``). The demo is DynamoDB's (tests/integration/test_budgets.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from acme_txn.bootstrap import App
from acme_txn.cli.main import main
from apps.budgets.model import expense_account
from tests.app.conftest import use_app


@pytest.fixture
def cli(memory_app: App, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> Any:
    use_app(memory_app, monkeypatch)

    def run(*args: str) -> tuple[int, list[Any]]:
        code = main(["budget", *args, "--json"])
        out, _ = capsys.readouterr()
        return code, [json.loads(line) for line in out.splitlines() if line.strip()]

    return run


def expense(app: App, eid: str, amount: str, category: str, day: str, **extra: Any) -> Any:
    return app.budgets.submit(
        {"type": "expense", "expense_id": eid, "user_id": "u1", "amount": amount,
         "category": category, "description": f"{category} {eid}", "date": day, **extra}
    )  # fmt: skip


def test_given_a_budget_when_spend_crosses_it_then_one_note_per_level(backend: App) -> None:
    app = backend
    # GIVEN a food budget of 100.00 for January, alert at 80%
    set_ = app.budgets.submit(
        {"type": "set_budget", "user_id": "u1", "category": "food", "month": "2025-01",
         "amount": "100.00", "threshold_pct": 80}
    )  # fmt: skip
    assert isinstance(set_, dict) and set_["status"] == "set"
    # WHEN expenses cross 80% then 100%, one is repeated, and the stream redelivers them all
    assert expense(app, "e1", "50.00", "food", "2025-01-02").status == "approved"
    assert expense(app, "e2", "35.00", "food", "2025-01-09").status == "approved"
    assert expense(app, "e2", "35.00", "food", "2025-01-09").status == "duplicate"
    assert expense(app, "e3", "20.00", "food", "2025-01-15",
                   receipt_url="https://r.example/3.png").status == "approved"  # fmt: skip
    assert expense(app, "e4", "9.00", "fun", "2025-01-16").status == "approved"
    assert expense(app, "e5", "1.00", "food", "2025-02-01").status == "approved"
    app.apps_sink()(list(app.event_store.events(expense_account("u1"))))
    # THEN the spend is the sum, the notes one per level, newest first
    assert app.budgets.spend("u1", "food", "2025-01")["spent"] == 10500
    notes = app.budgets.notifications("u1")
    assert [(n["level"], n["spent"]) for n in notes] == [("exceeded", 10500), ("alert", 8500)]
    # AND the seed's queries answer, most recent first
    january = app.budgets.expenses("u1", "2025-01-01", "2025-01-31")
    assert [e["expense_id"] for e in january] == ["e4", "e3", "e2", "e1"]
    assert january[1]["receipt_url"] == "https://r.example/3.png"
    food = app.budgets.expenses("u1", "2025-01-05", "2025-02-28", "food")
    assert [e["expense_id"] for e in food] == ["e5", "e3", "e2"]
    assert [(b["category"], b["spent"]) for b in app.budgets.budgets("u1")] == [("food", 10500)]
    state = app.event_store.state(expense_account("u1"))
    assert state is not None and state.balance == -11500


@pytest.mark.parametrize(
    "raw",
    [
        {"amount": 1.5},
        {"amount": "-3"},
        {"amount": "1.001"},
        {"date": "2025-02-30"},
        {"date": "20250101"},
        {"category": "food#x"},
        {"receipt_url": "ftp://x"},
        {"description": ""},
        {"extra": True},
    ],
)
def test_given_bad_expense_when_submitted_then_rejected_and_nothing_written(
    memory_app: App, raw: dict[str, Any]
) -> None:
    app = memory_app
    base = {"type": "expense", "expense_id": "e9", "user_id": "u1", "amount": "1.00",
            "category": "food", "description": "d", "date": "2025-01-01"}  # fmt: skip
    outcome = app.budgets.submit({**base, **raw})
    assert not isinstance(outcome, dict)
    assert outcome.status == "rejected" and outcome.error
    assert app.event_store.idempotency_record("e9") is None
    assert app.event_store.state(expense_account("u1")) is None


def test_given_the_cli_when_budget_commands_run_then_json_shapes_and_exit_codes(cli: Any) -> None:
    code, [set_] = cli("set", "u1", "food", "2025-01", "10.00", "--threshold", "50")
    assert (code, set_["amount"], set_["threshold_pct"]) == (0, "10.00", 50)  # dollars
    code, [spent] = cli("expense", "u1", "6.00", "food", "lunch", "--id", "e1",
                        "--date", "2025-01-03")  # fmt: skip
    assert (code, spent["status"]) == (0, "approved")
    assert cli("expense", "u1", "6.5.0", "food", "x", "--id", "e2", "--date", "2025-01-03")[0] == 2
    assert cli("set", "u1", "food", "2025-13", "1.00")[0] == 2
    _, [listing] = cli("list", "u1")
    assert [(b["category"], b["spent"]) for b in listing["items"]] == [("food", "6.00")]
    _, [spend] = cli("spend", "u1", "food", "2025-01")
    assert (spend["spent"], spend["budget"]) == ("6.00", "10.00")
    _, [expenses] = cli("expenses", "u1", "--from", "2025-01-01", "--to", "2025-01-31")
    assert [e["expense_id"] for e in expenses["items"]] == ["e1"]
    _, [notes] = cli("notifications", "u1")
    assert [n["level"] for n in notes["items"]] == ["alert"]
    assert cli("expenses", "u1", "--from", "2025-02-01", "--to", "2025-01-01")[0] == 2
