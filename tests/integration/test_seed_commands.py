"""The seed's own `aws dynamodb` commands on our tables, and the documented equivalents.

Each command is read from docs/data-model.md (``# seed:`` blocks, checked against the seed's
text when the seed is at hand; ``# ours:`` blocks) and run through boto3 on a bank holding the
seed's ids: account 501, txn 1001, a low_balance decline on 2022-06-19, a veteran customer.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from acme_base.aws import deserialize
from acme_base.errors import TableMissing
from acme_base.settings import Settings
from acme_txn.bootstrap import App, bootstrap
from tests.integration import aws_cli
from tests.integration.bank_seed import put_customer

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "data-model.md").read_text()
BLOCKS = aws_cli.blocks(DOC)
SEED = ROOT.parent / "shared" / "seeds" / "000_86279c7bf4265733.txt"


def seed_bank(app: App) -> App:
    """The seed's ids: customers 7 (a veteran) and 8, account 501, txns 1000..1002."""
    put_customer(app, "7", "Vera Vet", "+12125550777", state="NY", statuses=["veteran"])
    put_customer(app, "8", "Nat None", "+12125550888", state="NY", statuses=[])
    app.ledger.submit_raw(
        {
            "type": "open_account",
            "occurred_at": "2000-01-01T00:00:00Z",
            "account_id": "501",
            "customer_id": "7",
        }
    )
    for line in (
        {"type": "credit", "txn_id": "1000", "account_id": "501", "amount": "10.00"},
        {"type": "debit", "txn_id": "1001", "account_id": "501", "amount": "2.50",
         "occurred_at": "2022-06-19T10:00:00Z"},
        {"type": "debit", "txn_id": "1002", "account_id": "501", "amount": "99.00",
         "occurred_at": "2022-06-19T11:00:00Z"},
    ):  # fmt: skip
        assert app.ledger.submit_raw(line).status in {"approved", "declined"}
    return app


def _run(app: App, name: str) -> list[dict[str, Any]]:
    tables = dict.fromkeys(
        ("acme-bank-v5", "acme-bank-v6", "acme-ledger"), app.settings.ledger_table
    )
    resp = aws_cli.run(app.dynamodb, BLOCKS[name], tables)
    return [deserialize(item) for item in resp.get("Items", [])]


def test_given_the_doc_when_read_then_every_seed_block_is_the_seeds_own_text() -> None:
    assert {"seed 9", "ours 9", "seed 10", "seed special", "ours special"} <= set(BLOCKS)
    assert {"seed declined", "ours declined", "ours drop"} <= set(BLOCKS)
    if not SEED.is_file():
        pytest.skip("the seed is not at hand")
    seed = " ".join(SEED.read_text().split())
    for name, text in BLOCKS.items():
        if name.startswith("seed "):
            assert " ".join(text.split()) in seed, name


def test_given_the_drop_command_when_run_then_the_ledger_table_is_gone(seeded: App) -> None:
    _run(seeded, "ours drop")
    seeded.dynamodb.get_waiter("table_not_exists").wait(TableName=seeded.settings.ledger_table)
    with pytest.raises(TableMissing):
        seeded.queries.txn("1001")


@pytest.fixture
def seeded(app: App) -> App:
    return seed_bank(app)


@pytest.fixture(scope="module")
def seeded_settings(module_settings: Settings) -> Settings:
    """One seeded bank for the commands that only read it (its tables made once)."""
    settings = module_settings.with_(table_prefix=f"s{uuid.uuid4().hex[:8]}")
    app = bootstrap(settings)
    app.ensure_tables()
    seed_bank(app)
    return settings


class TestReadingOneSeededBank:
    """These commands only read: they share one seeded bank, each through a fresh ``App``."""

    @pytest.fixture
    def seeded(self, seeded_settings: Settings) -> App:
        return bootstrap(seeded_settings)

    def test_given_seed_9_when_run_then_it_fails_and_ours_returns_the_last_two(
        self, seeded: App
    ) -> None:
        with pytest.raises(ClientError, match="missed key schema element"):
            _run(seeded, "seed 9")
        items = _run(seeded, "ours 9")
        assert [(i["txn_id"], i["seq"]) for i in items] == [("1002", 3), ("1001", 2)]

    def test_given_seed_10_when_run_unchanged_then_the_txn_details_come_back(
        self, seeded: App
    ) -> None:
        [record] = _run(seeded, "seed 10")
        assert (record["account_id"], record["kind"], record["amount"]) == ("501", "debit", 250)
        assert (record["status"], record["currency"], record["txn_date"]) == (
            "approved",
            "USD",
            "2022-06-19",
        )
        assert (record["occurred_at"], record["balance_after"]) == ("2022-06-19T10:00:00Z", 750)

    def test_given_the_special_status_scan_when_run_then_seed_and_ours_agree(
        self, seeded: App
    ) -> None:
        scanned = _run(seeded, "seed special")
        queried = _run(seeded, "ours special")
        assert [i["customer_id"] for i in scanned] == ["7"]
        assert [i["customer_id"] for i in queried] == ["7"]

    def test_given_the_seed_declined_query_when_run_then_only_iso_dates_match(
        self, seeded: App
    ) -> None:
        assert _run(seeded, "seed declined") == []
        [declined] = _run(seeded, "ours declined")
        assert (declined["txn_id"], declined["txn_declined_reason"]) == ("1002", "low_balance")
