"""Offers through the CLI, in-process on the twins: `acme-txn submit` lines in, `acme-txn offer
...` out (JSON shapes, paging, exit 2 on unknown ids and bad input), and every bad command
rejected with nothing written. The offer store's queries on DynamoDB (keys, indexes, TTL,
pages) are the contract suite's and tests/integration/test_offers.py's subject."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from acme_txn.bootstrap import App
from processor.offers.memory import MemoryOfferStore
from tests.app.cli_twins import json_lines, twin_app, twin_cli
from tests.offer_support import OFFER, add_customer, create_offer, respond
from tests.unit.test_offers_model import BAD

LIVE = "01012099-1"  # live whenever the test runs: the CLI's clock is the real one


@pytest.fixture
def app() -> App:
    """The product on the twins (this module's tests need no DynamoDB)."""
    return twin_app()


@pytest.fixture
def cli(app: App, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> Any:
    """Run `acme-txn ARGS --output jsonl` (`--json` in ARGS: one document) on ``app``;
    returns (exit code, JSON lines, stderr)."""
    run = twin_cli(app, monkeypatch, capsys)

    def cli(*args: str) -> tuple[int, list[Any], str]:
        flags = [] if "--json" in args else ["--output", "jsonl"]
        code, out, err = run(*args, *flags)
        return code, json_lines(out), err

    return cli


def offer_items(app: App) -> tuple[dict[str, Any], dict[Any, Any]]:
    """Every offer and relationship the offer store holds (the twin's, as the DynamoDB test
    scans the table's offer and relationship items)."""
    store = app.offer_store
    assert isinstance(store, MemoryOfferStore)
    return dict(store.offers), dict(store.relationships)


def test_given_offer_lines_when_submitted_and_queried_then_json_per_pattern(
    app: App, cli: Any, tmp_path: Path
) -> None:
    for customer in ("C1", "C2", "C3"):
        add_customer(app.ledger, customer, ["veteran"] if customer != "C3" else [])
    lines = [
        create_offer(LIVE, "2099-12-31"),
        create_offer("01012099-2", "2099-12-31"),
        {"type": "send_offer", "offer_id": LIVE, "special_status": "veteran"},
        {"type": "send_offer", "offer_id": "01012099-2", "customer_ids": ["C1"]},
        respond("C2", "REJECTED", LIVE),
    ]
    commands = tmp_path / "offers.jsonl"
    commands.write_text("".join(json.dumps(line) + "\n" for line in lines))
    code, outcomes, _ = cli("submit", str(commands))
    assert code == 0
    assert [o["status"] for o in outcomes] == ["created", "created", "sent", "sent", "responded"]
    assert (outcomes[2]["sent"], outcomes[2]["already_sent"]) == (2, 0)
    # offer get
    code, [offer], _ = cli("offer", "get", LIVE)
    assert (code, offer["expires_on"], offer["terms"]) == (
        0,
        "2099-12-31",
        "Valid for new cards only.",
    )
    # offer for-customer, paged, and with --offer
    code, [page], _ = cli("offer", "for-customer", "C1", "--limit", "1", "--json")
    assert (code, [r["offer_id"] for r in page["items"]]) == (0, [LIVE])
    _, [rest], _ = cli(
        "offer", "for-customer", "C1", "--limit", "1", "--next", page["next_token"], "--json"
    )
    assert [r["offer_id"] for r in rest["items"]] == ["01012099-2"]
    _, [one], _ = cli("offer", "for-customer", "C1", "--offer", "01012099-2", "--json")
    assert [(r["offer_id"], r["status"]) for r in one["items"]] == [("01012099-2", "PENDING")]
    # offer status and the inverted view
    code, [status], _ = cli("offer", "status", "C2", LIVE)
    assert (code, status["status"]) == (0, "REJECTED")
    _, [who], _ = cli("offer", "customers", LIVE, "--json")
    assert [r["customer_id"] for r in who["items"]] == ["C1", "C2"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("offer", "get", "01012099-9"), "unknown offer"),
        (("offer", "get", "2099-01-01"), "is not MMDDYYYY-N"),
        (("offer", "for-customer", "C9"), "unknown customer"),
        (("offer", "for-customer", "bad id!"), "not a valid id"),
        (("offer", "for-customer", "C1", "--limit", "0"), "--limit"),
        (("offer", "for-customer", "C1", "--next", "garbage"), "invalid --next token"),
        (("offer", "status", "C1", OFFER), "unknown offer"),
        (("offer", "customers", "01012099-9"), "unknown offer"),
    ],
)
def test_given_unknown_ids_or_bad_input_when_queried_then_exit_2(
    app: App, cli: Any, args: tuple[str, ...], message: str
) -> None:
    add_customer(app.ledger, "C1")
    code, out, err = cli(*args)
    assert (code, out) == (2, [])
    assert message in err


def test_given_bad_commands_when_submitted_then_rejected_and_nothing_written(
    app: App, cli: Any, tmp_path: Path
) -> None:
    # GIVEN a customer and a live offer
    add_customer(app.ledger, "C1")
    assert app.ledger.submit_raw(create_offer(LIVE, "2099-12-31")).status == "created"
    before = offer_items(app)
    # WHEN every bad line (the parser's list, plus unknown customers and offers) is submitted
    unknown = [
        {"type": "send_offer", "offer_id": LIVE, "customer_ids": ["C1", "C404"]},
        {"type": "send_offer", "offer_id": "01012099-7", "customer_ids": ["C1"]},
        respond("C404", "ACCEPTED", LIVE),
        respond("C1", "ACCEPTED", "01012099-7"),
        respond("C1", "ACCEPTED", LIVE),  # never sent to C1
        create_offer(LIVE, "2099-12-30"),  # the id is taken with another payload
    ]
    lines = [raw if isinstance(raw, str) else json.dumps(raw) for raw, _ in BAD]
    lines += [json.dumps(cmd) for cmd in unknown]
    commands = tmp_path / "bad.jsonl"
    commands.write_text("".join(line.replace("\n", " ") + "\n" for line in lines))
    code, outcomes, _ = cli("submit", str(commands))
    # THEN each is rejected with an error, the run exits 2, and no offer item changed
    assert code == 2
    assert len(outcomes) == len(lines)
    assert all(o["status"] == "rejected" and o["error"] for o in outcomes), outcomes
    assert "unknown customer: 'C404'" in outcomes[len(BAD)]["error"]
    assert offer_items(app) == before
