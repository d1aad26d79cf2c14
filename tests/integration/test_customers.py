"""Customers on DynamoDB Local: the stored items in the queries' layout, the indicator removed
with the last status (the customer leaves the sparse index), phone uniqueness under threads,
two ledgers and two OS processes (`acme-txn submit`). Bad input runs on the twins
(tests/app/test_customers.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from acme_base.aws import deserialize, serialize
from acme_base.settings import Settings
from acme_base.tables import GSI_SPECIAL_STATUS
from acme_txn.bootstrap import App
from processor.domain.outcomes import Outcome
from tests.app.test_customers import ADA


def items(app: App) -> list[dict[str, Any]]:
    pages = app.dynamodb.get_paginator("scan").paginate(
        TableName=app.settings.ledger_table, ConsistentRead=True
    )
    return [deserialize(i) for page in pages for i in page.get("Items", [])]


def item(app: App, pk: str) -> dict[str, Any] | None:
    resp = app.dynamodb.get_item(
        TableName=app.settings.ledger_table,
        Key=serialize({"PK": pk, "SK": pk}),
        ConsistentRead=True,
    )
    return deserialize(resp["Item"]) if "Item" in resp else None


def special(app: App) -> list[str]:
    """Every customer id in GSI_Sparse_Customer_Special_Status (#4), by a Scan of the index."""
    resp = app.dynamodb.scan(TableName=app.settings.ledger_table, IndexName=GSI_SPECIAL_STATUS)
    return sorted(deserialize(i)["customer_id"] for i in resp["Items"])


def test_given_a_registration_then_the_items_have_the_agreed_layout(app: App) -> None:
    # WHEN a customer registers (national phone spelling, lower-case state)
    outcome = app.ledger.submit_raw(ADA).to_json_dict()
    # THEN the outcome and the items carry the normalised values, in the queries' layout
    assert outcome == {
        "status": "registered", "customer_id": "C1", "phone": "+12125550123", "state": "NY",
        "special_status": ["student", "veteran"], "version": 1,
    }  # fmt: skip
    customer = item(app, "CUST#C1")
    assert customer is not None
    assert {k: v for k, v in customer.items() if k not in {"created_at", "updated_at"}} == {
        "PK": "CUST#C1", "SK": "CUST#C1", "entity": "customer", "customer_id": "C1",
        "name": "Ada Li", "phone": "+12125550123", "state": "NY",
        "special_status": {"veteran", "student"}, "special_status_indicator": "yes",
        "GSI1PK": "PHONE#+12125550123", "GSI1SK": "CUST#C1",
        "GSI2PK": "STATE#NY", "GSI2SK": "CUST#C1", "version": 1,
        "fingerprint": customer["fingerprint"],
    }  # fmt: skip
    assert customer["created_at"] == customer["updated_at"]
    claim = item(app, "UNIQUE#PHONE#+12125550123")
    assert claim is not None and claim["customer_id"] == "C1"
    assert special(app) == ["C1"]


def test_given_the_last_status_removed_then_the_indicator_is_removed_not_no(app: App) -> None:
    # GIVEN a customer with two statuses
    app.ledger.submit_raw(ADA)
    update = {"type": "update_customer", "customer_id": "C1"}
    # WHEN one status goes, then the other
    one = app.ledger.submit_raw({**update, "remove_special_status": ["student"]})
    assert (one.status, special(app)) == ("updated", ["C1"])
    last = app.ledger.submit_raw({**update, "remove_special_status": ["veteran"]}).to_json_dict()
    # THEN both attributes are REMOVED and the customer left the sparse index
    customer = item(app, "CUST#C1")
    assert customer is not None and last["changed"] == ["special_status"]
    assert "special_status_indicator" not in customer and "special_status" not in customer
    assert (customer["version"], special(app)) == (3, [])
    # AND a new status brings it back
    app.ledger.submit_raw({**update, "add_special_status": ["handicap"]})
    assert special(app) == ["C1"]


def test_given_a_phone_change_then_the_claim_moves_and_the_old_phone_is_free(app: App) -> None:
    app.ledger.submit_raw(ADA)
    moved = app.ledger.submit_raw(
        {"type": "update_customer", "customer_id": "C1", "phone": "+1 212 555 0999", "state": "CA"}
    )
    assert moved.status == "updated"
    customer = item(app, "CUST#C1")
    assert customer is not None
    assert (customer["GSI1PK"], customer["GSI2PK"]) == ("PHONE#+12125550999", "STATE#CA")
    assert item(app, "UNIQUE#PHONE#+12125550123") is None
    assert app.ledger.submit_raw({**ADA, "customer_id": "C2"}).status == "registered"


def test_given_threads_on_two_ledgers_registering_one_phone_then_one_winner(app: App) -> None:
    ledgers = [app.ledger, app.new_ledger()]
    start, results = threading.Barrier(12), [Outcome(status="failed")] * 12

    def run(i: int) -> None:
        start.wait()
        results[i] = ledgers[i % 2].submit_raw({**ADA, "customer_id": f"T{i}"})

    threads = [threading.Thread(target=run, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = [r.status for r in results]
    assert sorted(statuses) == ["registered"] + ["rejected"] * 11
    assert all("+12125550123" in (r.error or "") for r in results if r.status == "rejected")
    winner = f"T{statuses.index('registered')}"
    customers = [i["customer_id"] for i in items(app) if i.get("entity") == "customer"]
    assert customers == [winner]
    claim = item(app, "UNIQUE#PHONE#+12125550123")
    assert claim is not None and claim["customer_id"] == winner


def _submitter(settings: Settings, lines: list[dict[str, Any]], path: Path) -> Any:
    path.write_text("".join(json.dumps(c) + "\n" for c in lines))
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": settings.access_key or "",
        "AWS_SECRET_ACCESS_KEY": settings.secret_key or "",
        "AWS_ENDPOINT_URL": settings.endpoint_url or "",
        "ACME_TABLE_PREFIX": settings.table_prefix,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "acme_txn.cli.main", "submit", str(path), "--workers", "4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_given_two_processes_registering_the_same_phones_then_each_phone_has_one_owner(
    app: App, tmp_path: Path
) -> None:
    # GIVEN 20 phones, and two OS processes each registering its own 20 customers with them
    phones = [f"+1646555{n:04d}" for n in range(20)]
    sides = {
        side: [{**ADA, "customer_id": f"{side}{n}", "phone": p} for n, p in enumerate(phones)]
        for side in ("X", "Y")
    }
    # WHEN both run `acme-txn submit` at once
    procs = {
        s: _submitter(app.settings, cmds, tmp_path / f"{s}.jsonl") for s, cmds in sides.items()
    }
    outcomes: list[dict[str, Any]] = []
    for proc in procs.values():
        out, err = proc.communicate(timeout=300)
        assert proc.returncode in {0, 2}, err  # 2: some lines were rejected
        outcomes += [json.loads(line) for line in out.splitlines()]
    # THEN every phone has exactly one registered customer; the others were rejected naming it
    assert len(outcomes) == 40
    won = {o["phone"]: o["customer_id"] for o in outcomes if o["status"] == "registered"}
    assert sorted(won) == phones
    rejected = [o for o in outcomes if o["status"] == "rejected"]
    assert len(rejected) == 20
    assert all("is already registered to another customer" in o["error"] for o in rejected)
    stored = items(app)
    claims = {i["PK"].removeprefix("UNIQUE#PHONE#"): i["customer_id"] for i in stored
              if i["PK"].startswith("UNIQUE#PHONE#")}  # fmt: skip
    customers = {i["customer_id"] for i in stored if i.get("entity") == "customer"}
    assert claims == won and customers == set(won.values())
