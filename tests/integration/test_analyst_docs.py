"""The DuckDB queries of docs/analysts.md, run as written on an export of a crafted bank."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from acme_base.settings import Settings
from acme_txn.bootstrap import App, bootstrap
from acme_txn.exporting import Exporter

DOC = Path(__file__).resolve().parents[2] / "docs" / "analysts.md"
D1, D2 = "2024-06-01", "2024-06-02"


def _queries() -> list[str]:
    return re.findall(r"```sql\n(.*?)```", DOC.read_text(), flags=re.S)


def _cmd(app: App, **cmd: Any) -> None:
    app.ledger.submit_raw(cmd)


@pytest.fixture(scope="module")
def crafted(
    module_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> tuple[App, Path]:
    """A1: fine; A2: three declines; A3: a backdated credit (its statement breaks); exported
    once for the module (its tests only read the bank and the export)."""
    app = bootstrap(module_settings.with_(table_prefix=f"d{uuid.uuid4().hex[:8]}"))
    app.ensure_tables()
    tmp_path = tmp_path_factory.mktemp("analysts")
    _cmd(app, type="register_customer", customer_id="C1", name="Ada Li", phone="+12125550101",
         state="NY", special_status=[])  # fmt: skip
    for account in ("A1", "A2", "A3"):
        _cmd(
            app,
            type="open_account",
            occurred_at="2000-01-01T00:00:00Z",
            account_id=account,
            customer_id="C1",
            currency="USD",
        )
    _cmd(app, type="credit", txn_id="T1", account_id="A1", amount="100.00",
         occurred_at=f"{D1}T09:00:00Z")  # fmt: skip
    _cmd(app, type="debit", txn_id="T2", account_id="A1", amount="30.00",
         occurred_at=f"{D2}T09:00:00Z")  # fmt: skip
    for n, day in ((3, D1), (4, D2), (5, D2)):
        _cmd(app, type="debit", txn_id=f"T{n}", account_id="A2", amount="9.99",
             occurred_at=f"{day}T10:00:00Z")  # fmt: skip
    _cmd(app, type="debit", txn_id="T6", account_id="A1", amount="999.00",
         occurred_at=f"{D2}T11:00:00Z")  # fmt: skip
    _cmd(app, type="credit", txn_id="T7", account_id="A3", amount="50.00",
         occurred_at=f"{D1}T10:00:00Z")  # fmt: skip
    _cmd(app, type="debit", txn_id="T8", account_id="A3", amount="10.00",
         occurred_at=f"{D2}T10:00:00Z")  # fmt: skip
    _cmd(
        app,
        type="credit",
        txn_id="T9",
        account_id="A3",
        amount="5.00",
        occurred_at=f"{D1}T12:00:00Z",
    )  # fmt: skip  (backdated: recorded after T8)
    Exporter(app, tmp_path / "export", D1, D2, "parquet").run(["events", "declined"])
    return app, tmp_path


@pytest.fixture
def app(crafted: tuple[App, Path]) -> App:
    return crafted[0]


@pytest.fixture
def export(crafted: tuple[App, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(crafted[1])  # the queries name 'export/...' as the doc says
    return crafted[1]


def test_the_doc_has_three_queries() -> None:
    assert len(_queries()) == 3


def test_top_declining_accounts(export: Path) -> None:
    rows = duckdb.sql(_queries()[0]).fetchall()
    assert [(a, n) for a, n, _ in rows] == [("A2", 3), ("A1", 1)]
    assert rows[0][2] == Decimal("29.97")


def test_daily_net_flow(export: Path) -> None:
    rows = duckdb.sql(_queries()[1]).fetchall()
    assert [(str(d), n) for d, n, _ in rows] == [(D1, Decimal("155")), (D2, Decimal("-40"))]


def test_accounts_whose_statement_does_not_reconcile(export: Path, app: App) -> None:
    rows = duckdb.sql(_queries()[2]).fetchall()
    assert [a for a, _ in rows] == ["A3"]
    statement = app.asof.statement("A3", D1, D2, "USD")
    assert not statement.reconciles  # the CLI's statement agrees with the SQL
    assert app.asof.statement("A1", D1, D2, "USD").reconciles
