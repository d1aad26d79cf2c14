"""Loyalty points on DynamoDB Local: the views and the reads (balance with one GetItem, history
paged past any item size, txn, by-order, by-tier), the CLI and its exit codes, and concurrent
duplicate delivery. The rules and bad input run on the twins (tests/app/test_loyalty.py)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from acme_base.settings import Settings
from acme_txn.bootstrap import App
from acme_txn.cli.main import main
from tests.app.test_loyalty import earn, redeem


def test_given_earns_and_redeems_when_read_then_views_and_indexes_agree(app: App) -> None:
    # GIVEN two EARNs (the second crosses Silver at 1000 lifetime points), a short REDEEM,
    # a good one, and a repeat of the first EARN
    assert earn(app, "t1", "u1", "o1", "600.00").status == "approved"
    assert earn(app, "t2", "u1", "o2", "400.00").status == "approved"
    short = redeem(app, "t3", "u1", 5000)
    assert (short.status, short.reason) == ("declined", "low_balance")
    assert redeem(app, "t4", "u1", 300).status == "approved"
    again = earn(app, "t1", "u1", "o1", "600.00")
    # WHEN the reads run
    balance = app.loyalty.balance("u1")
    history = app.loyalty.history("u1")
    # THEN the repeat is a duplicate and the views follow the log
    assert (again.status, again.original_status) == ("duplicate", "approved")
    assert (balance["points"], balance["lifetime_earned"], balance["tier"]) == (700, 1000, "Silver")
    assert [(r["type"], r["status"]) for r in history.items] == [
        ("REDEEM", "approved"), ("REDEEM", "declined"), ("EARN", "approved"), ("EARN", "approved")
    ]  # fmt: skip
    assert [o["txn_id"] for o in app.loyalty.by_order("o2")] == ["t2"]
    assert [m["user_id"] for m in app.loyalty.by_tier("Silver").items] == ["u1"]
    assert [(c.from_tier, c.to_tier) for c in app.loyalty_store.tier_changes("u1")] == [
        ("Bronze", "Silver")
    ]
    details = app.loyalty.txn("t2").to_json()
    assert (details["txn_id"], details["amount"]) == ("t2", "400")


def test_given_concurrent_duplicates_when_delivered_then_each_counts_once(app: App) -> None:
    # GIVEN a member with 100 points
    assert earn(app, "t0", "u1", "o0", "100").status == "approved"
    # WHEN 4 EARNs and 3 REDEEMs are each delivered 4 times concurrently
    jobs = [("e", f"e{i}") for i in range(4)] + [("r", f"r{i}") for i in range(3)]
    with ThreadPoolExecutor(8) as pool:
        outcomes = list(
            pool.map(
                lambda job: (
                    earn(app, job[1], "u1", "o1", "10")
                    if job[0] == "e"
                    else redeem(app, job[1], "u1", 40)
                ),
                [j for j in jobs for _ in range(4)],
            )
        )
    # THEN every txn id has one original outcome, the rest duplicates, and the balance and the
    # view equal the log: 100 + 4*10 - (the approved redeems)*40, never negative
    firsts = [o for o in outcomes if o.status != "duplicate"]
    assert sorted(o.txn_id for o in firsts) == sorted(t for _, t in jobs)
    approved_redeems = sum(1 for o in firsts if o.txn_id.startswith("r") and o.status == "approved")
    state = app.event_store.state("PTS-u1")
    assert state is not None and state.balance == 140 - 40 * approved_redeems >= 0
    assert app.loyalty.balance("u1")["points"] == state.balance


@pytest.mark.slow
def test_given_5000_entries_when_history_is_paged_then_all_come_back(app: App) -> None:
    # GIVEN 5,000 EARN credits of one member (as `points earn` writes them; through the ledger
    # with group commit, the fastest way to write them)
    assert earn(app, "t-0", "big", "o-0", "1").status == "approved"
    credits = [
        {"type": "credit", "txn_id": f"t-{i}", "account_id": "PTS-big", "amount": "1",
         "currency": "PTS", "metadata": {"loyalty": "EARN", "order_id": f"o-{i}"}}
        for i in range(1, 5000)
    ]  # fmt: skip
    with ThreadPoolExecutor(16) as pool:
        assert {o.status for o in pool.map(app.ledger.submit_raw, credits)} == {"approved"}
    # WHEN the history is read page by page, and the view caught up
    seen: list[str] = []
    token = None
    while True:
        page = app.loyalty.history("big", 1000, token)
        seen += [r["txn_id"] for r in page.items]
        token = page.next_token
        if token is None:
            break
    view = app.loyalty_projector.catch_up("big")
    # THEN every entry came back once, newest first, and the balance is 5,000
    assert len(seen) == len(set(seen)) == 5000
    assert seen[-1] == "t-0"
    assert view is not None and view.points == 5000 == app.loyalty.balance("big")["points"]


@pytest.fixture
def cli(app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> Any:
    """Run `acme-txn points ARGS --json`; returns (exit code, JSON lines, stderr)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", settings.access_key or "")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", settings.secret_key or "")
    monkeypatch.setenv("ACME_TABLE_PREFIX", settings.table_prefix)

    def run(*args: str) -> tuple[int, list[Any], str]:
        code = main(["points", *args, "--endpoint-url", settings.endpoint_url or "", "--json"])
        out, err = capsys.readouterr()
        return code, [json.loads(line) for line in out.splitlines() if line.strip()], err

    return run


def test_given_the_cli_when_points_commands_run_then_json_shapes_and_exit_codes(cli: Any) -> None:
    # GIVEN/WHEN an earn, a short redeem, a bad redeem and the reads through the CLI
    code, [earned], _ = cli("earn", "u1", "o1", "25.00", "--txn", "t1")
    assert (code, earned["status"], earned["balance_after"]) == (0, "approved", "25")
    code, [short], _ = cli("redeem", "u1", "30", "--txn", "t2")
    assert (code, short["status"], short["reason"]) == (0, "declined", "low_balance")
    code, [bad], _ = cli("redeem", "u1", "1.5", "--txn", "t3")
    assert (code, bad["status"]) == (2, "rejected")
    # THEN the reads print their JSON shapes
    _, [balance], _ = cli("balance", "u1")
    assert balance == balance | {"user_id": "u1", "points": 25, "tier": "Bronze"}
    _, [history], _ = cli("history", "u1", "--limit", "1")
    assert (history["count"], history["items"][0]["type"]) == (1, "REDEEM")
    assert history["next_token"]
    _, [order], _ = cli("by-order", "o1")
    assert [i["txn_id"] for i in order["items"]] == ["t1"]
    _, [tier], _ = cli("by-tier", "Bronze")
    assert [i["user_id"] for i in tier["items"]] == ["u1"]
    _, [txn], _ = cli("txn", "t1")
    assert txn["txn_id"] == "t1"
    # AND unknown ids and tiers exit 2
    assert cli("balance", "nobody")[0] == 2
    assert cli("by-tier", "Platinum")[0] == 2


def test_given_the_demo_when_run_for_loyalty_then_views_equal_the_fold(
    module_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    # GIVEN a DynamoDB Local endpoint WHEN `acme-txn demo --app loyalty` runs (on tables of its
    # own: the demo makes them)
    settings = module_settings
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", settings.access_key or "")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", settings.secret_key or "")
    code = main(["demo", "--app", "loyalty", "--endpoint-url", settings.endpoint_url or "",
                 "--table-prefix", f"{settings.table_prefix}demo", "--json"])  # fmt: skip
    report = json.loads(capsys.readouterr().out.splitlines()[-1])
    # THEN it passes, and every second delivery was a duplicate (or rejected again: a REDEEM
    # of a user who never earned)
    assert code == 0 and report["ok"] and report["views_equal_fold"]
    outcomes = report["outcomes"]
    assert outcomes["duplicate"] + outcomes.get("rejected", 0) // 2 == report["commands"] // 2
