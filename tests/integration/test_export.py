"""`acme-txn export` read back through DuckDB: counts and sums to the minor unit, resumable."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from acme_base.settings import Settings
from acme_txn.bootstrap import App, bootstrap
from acme_txn.exporting import Exporter

DAYS = ("2024-05-01", "2024-05-02")


@pytest.fixture(scope="module")
def bank(module_settings: Settings) -> App:
    """One bank for the module (every test only reads it: tables created and written once)."""
    app = bootstrap(module_settings.with_(table_prefix=f"x{uuid.uuid4().hex[:8]}"))
    app.ensure_tables()
    app.ledger.submit_raw(
        {"type": "register_customer", "customer_id": "C1", "name": "Ada Li",
         "phone": "+12125550101", "state": "NY", "special_status": []}
    )  # fmt: skip
    for account in ("A1", "A2", "A3"):
        app.ledger.submit_raw(
            {"type": "open_account", "occurred_at": "2000-01-01T00:00:00Z",
             "account_id": account, "customer_id": "C1",
             "currency": "USD"}
        )  # fmt: skip
    n = 0
    for day in DAYS:
        for account, amount in (("A1", "100.01"), ("A2", "7.77"), ("A3", "0.05")):
            for kind in ("credit", "debit", "debit"):
                n += 1
                app.ledger.submit_raw(
                    {"type": kind, "txn_id": f"T{n}", "account_id": account,
                     "amount": amount, "occurred_at": f"{day}T{n % 24:02d}:00:00Z"}
                )  # fmt: skip
    return app


def _source(app: App) -> list[dict[str, Any]]:
    rows = []
    for day in DAYS:
        rows += list(app.queries.stream_day(day))
    return rows


def _minor(text: str) -> int:
    return int(Decimal(text) * 100)


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_given_events_when_exported_then_duckdb_reads_the_same_rows(
    bank: App, tmp_path: Path, fmt: str
) -> None:
    summary = Exporter(bank, tmp_path, DAYS[0], DAYS[1], fmt).run(["events", "declined"])
    source = _source(bank)
    reader = {"parquet": "read_parquet", "csv": "read_csv_auto", "jsonl": "read_json_auto"}[fmt]
    glob = str(tmp_path / "events" / f"*.{fmt}")
    count, total, declined = duckdb.sql(
        f"SELECT count(*), sum(amount_minor), count(*) FILTER (status = 'declined') "
        f"FROM {reader}('{glob}')"
    ).fetchall()[0]
    assert count == len(source) == summary["events"]["rows"] == 18
    assert total == sum(_minor(r["amount"]) for r in source)
    assert declined == sum(r["status"] == "declined" for r in source) == summary["declined"]["rows"]
    if fmt == "parquet":
        types = {
            r[0]: r[1]
            for r in duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{glob}')").fetchall()
        }
        assert (
            types["amount"] == "DECIMAL(38,4)"
            and types["occurred_at"] == "TIMESTAMP WITH TIME ZONE"
        )
        money = duckdb.sql(f"SELECT sum(amount) FROM read_parquet('{glob}')").fetchall()[0]
        assert money is not None and money[0] == Decimal(total) / 100


def test_given_end_of_day_balances_when_exported_then_each_is_the_account_head_that_day(
    bank: App, tmp_path: Path
) -> None:
    Exporter(bank, tmp_path, DAYS[0], DAYS[1], "parquet").run(["balances"])
    rows = duckdb.sql(
        f"SELECT date::VARCHAR, account_id, balance_minor FROM "
        f"read_parquet('{tmp_path / 'balances' / '*.parquet'}') ORDER BY 1, 2"
    ).fetchall()
    heads = {a: bank.event_store.head(a) for a in ("A1", "A2", "A3")}
    last_day = {(d, a): b for d, a, b in rows if d == DAYS[1]}
    assert len(rows) == 6
    assert all(last_day[(DAYS[1], a)] == h.balance_after for a, h in heads.items() if h)


def test_given_an_interrupted_export_when_rerun_then_it_resumes_without_duplicates(
    bank: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("acme_txn.exporting.PAGE", 2)  # many pages
    seen: list[int] = []

    def crash(_name: str, rows: int) -> None:
        seen.append(rows)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Exporter(bank, tmp_path, DAYS[0], DAYS[1], "parquet", progress=crash).run(["events"])
    saved = json.loads((tmp_path / ".export-checkpoint.json").read_text())
    assert 0 < saved["datasets"]["events"]["rows"] < 18
    summary = Exporter(bank, tmp_path, DAYS[0], DAYS[1], "parquet").run(["events"])
    count, distinct = duckdb.sql(
        f"SELECT count(*), count(DISTINCT (account_id, seq)) "
        f"FROM read_parquet('{tmp_path / 'events' / '*.parquet'}')"
    ).fetchall()[0]
    assert count == distinct == summary["events"]["rows"] == 18


def test_given_another_range_when_exported_into_the_same_dir_then_refused(
    bank: App, tmp_path: Path
) -> None:
    from acme_base.errors import InvalidInput

    Exporter(bank, tmp_path, DAYS[0], DAYS[0], "csv").run(["daily"])
    with pytest.raises(InvalidInput, match="give another --out"):
        Exporter(bank, tmp_path, DAYS[0], DAYS[1], "csv").run(["daily"])
