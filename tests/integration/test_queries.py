"""Every access pattern of the bank (``App.queries``) on a seeded bank in DynamoDB Local.

One test per pattern, plus pagination (tokens across pages, tampered and foreign tokens); bad
input is refused before any read (tests/unit/test_query_input.py). The bank is seeded once per
module (see ``bank_seed``); the tests only read.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest

from acme_base.errors import InvalidInput
from acme_base.settings import Settings
from acme_txn.bootstrap import App, bootstrap
from processor.domain.events import DeclineReason
from processor.reads.queries import BankQueries, UnknownId
from tests.customer_support import register
from tests.integration.bank_seed import DAYS, EXTRA_REASONS, Bank, seed


@pytest.fixture(scope="module")
def bank(module_settings: Settings) -> Bank:
    settings = module_settings.with_(table_prefix=f"q{uuid.uuid4().hex[:8]}")
    app = bootstrap(settings)
    app.ensure_tables()
    return seed(app)


@pytest.fixture(scope="module")
def queries(bank: Bank) -> BankQueries:
    return bank.app.queries


def _all_pages(read: Any, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Follow the tokens to the end: (every row, number of pages)."""
    rows, token, pages = [], None, 0
    while True:
        page = read(limit, token)
        rows += page.items
        pages += 1
        token = page.next_token
        if token is None:
            return rows, pages


# --- customers and accounts -----------------------------------------------------------------


def test_given_a_customer_id_when_read_then_the_customer_item_comes_back(queries: Any) -> None:
    row = queries.customer("C3")
    assert (row["name"], row["state"], row["special_status"]) == (
        "Cy Oz",
        "CA",
        ["student", "veteran"],
    )
    assert queries.customer("C404") is None


def test_given_a_phone_when_queried_then_its_one_customer_is_found_2(queries: Any) -> None:
    assert queries.customer_by_phone("+12125550101")["customer_id"] == "C1"
    assert queries.customer_by_phone(" +12125550101 ")["customer_id"] == "C1"
    assert queries.customer_by_phone("+13125550100") is None  # valid, nobody's


def test_given_a_state_when_queried_then_all_its_customers_in_pages_3(queries: Any) -> None:
    rows, pages = _all_pages(lambda n, t: queries.customers_by_state("ny", n, t), 2)
    assert [r["customer_id"] for r in rows] == ["C1", "C2", "C5", "C6", "C7"]
    assert pages >= 3
    assert [r["customer_id"] for r in queries.customers_by_state("TX").items] == ["C4"]


def test_given_special_statuses_when_queried_then_only_those_customers_4(queries: Any) -> None:
    every = queries.special_customers()
    assert sorted(r["customer_id"] for r in every.items) == ["C1", "C3", "C4"]
    veterans = queries.special_customers("veteran")
    assert sorted(r["customer_id"] for r in veterans.items) == ["C1", "C3"]
    rows, _ = _all_pages(lambda n, t: queries.special_customers(None, n, t), 1)
    assert sorted(r["customer_id"] for r in rows) == ["C1", "C3", "C4"]


def test_given_an_account_number_when_read_then_account_and_its_customer(queries: Any) -> None:
    account = queries.account("A3")
    assert (account["customer_id"], account["currency"]) == ("C3", "USD")
    assert queries.account("A404") is None
    assert queries.customer_of_account("A3")["name"] == "Cy Oz"
    with pytest.raises(UnknownId):
        queries.customer_of_account("A404")


def test_given_a_customer_when_accounts_listed_then_each_of_its_accounts(queries: Any) -> None:
    assert [a["account_id"] for a in queries.accounts_of("C1").items] == ["A1", "A2"]
    rows, pages = _all_pages(lambda n, t: queries.accounts_of("C1", n, t), 1)
    assert ([a["account_id"] for a in rows], pages >= 2) == (["A1", "A2"], True)
    assert queries.accounts_of("C5").items == []  # a customer without accounts
    with pytest.raises(UnknownId, match="C404"):
        queries.accounts_of("C404")


# --- transactions ---------------------------------------------------------------------------


def test_given_an_account_when_last_n_read_then_newest_first_9(queries: Any) -> None:
    page = queries.last_txns("A1", 3)
    assert [r["txn_id"] for r in page.items] == ["T9", "T8", "T7"]  # append (seq) order
    assert [r["seq"] for r in page.items] == [5, 4, 3]
    rows, _ = _all_pages(lambda n, t: queries.last_txns("A1", n, t), 2)
    assert [r["seq"] for r in rows] == [5, 4, 3, 2, 1]  # the opening is not a txn
    with pytest.raises(UnknownId):
        queries.last_txns("A404", 3)


def test_given_a_txn_number_when_read_then_full_details_10(queries: Any, bank: Bank) -> None:
    debit = queries.txn("T8").to_json()
    assert {k: debit[k] for k in ("account_id", "kind", "amount", "currency", "status")} == {
        "account_id": "A1",
        "kind": "debit",
        "amount": "30.50",
        "currency": "USD",
        "status": "approved",
    }
    assert (debit["txn_date"], debit["occurred_at"]) == ("2022-06-19", "2022-06-19T12:00:00Z")
    assert debit["balance_after"] == bank.outcomes["T8"]["balance_after"]
    transfer = queries.txn("T9").to_json()
    assert [(e["account_id"], e["kind"]) for e in transfer["events"]] == [
        ("A1", "transfer_out"),
        ("A3", "transfer_in"),
    ]
    assert transfer["to_balance_after"] == bank.outcomes["T9"]["to_balance_after"]
    declined = queries.txn("T12").to_json()
    assert (declined["status"], declined["reason"], declined["to_account"]) == (
        "declined",
        "low_balance",
        "A1",
    )
    with pytest.raises(UnknownId):
        queries.txn("T404")


def test_given_a_date_range_when_queried_then_the_accounts_txns_in_it_11(queries: Any) -> None:
    page = queries.txns_between("A1", DAYS[1], DAYS[1])
    assert [r["txn_id"] for r in page.items] == ["T5", "T8", "T9"]
    assert {r["txn_date"] for r in page.items} == {DAYS[1]}
    rows, _ = _all_pages(lambda n, t: queries.txns_between("A1", DAYS[0], DAYS[2], n, t), 2)
    assert [(r["txn_date"], r["seq"]) for r in rows] == [
        (DAYS[0], 1),
        (DAYS[1], 2),
        (DAYS[1], 4),
        (DAYS[1], 5),
        (DAYS[2], 3),
    ]
    assert queries.txns_between("A1", "2021-01-01", "2021-12-31").items == []


def test_given_a_day_when_reported_then_every_txn_of_every_shard_12(queries: Any) -> None:
    streamed = list(queries.stream_day(DAYS[1]))
    assert sorted(r["txn_id"] for r in streamed) == sorted(
        ["T5", "T6", "T8", "T9", "T9", "T10", "XA92"]
    )
    keys = [(r["account_id"], r["seq"]) for r in streamed]
    assert keys == sorted(keys)  # merged across the shards by GSI2SK
    rows, pages = _all_pages(lambda n, t: queries.txns_of_day(DAYS[1], n, t), 2)
    assert (rows, pages >= 4) == (streamed, True)


def test_given_declines_of_several_reasons_when_queried_then_merged_by_date_13(
    queries: Any, bank: Bank
) -> None:
    every = [*DeclineReason, *EXTRA_REASONS]
    reasons = list(dict.fromkeys(str(r) for r in every))
    rows, _ = _all_pages(lambda n, t: queries.declined(DAYS[0], DAYS[2], n, t, reasons=reasons), 1)
    assert [r["txn_date"] for r in rows] == sorted(r["txn_date"] for r in rows)
    assert {(r["txn_id"], r["reason"]) for r in rows} == {
        ("T10", "low_balance"),
        ("T11", "low_balance"),
        ("T12", "low_balance"),
        ("XA91", "unauthorized"),
        ("XA92", "illegible_check"),
        ("XA93", "unauthorized"),
    }
    known = {r.value for r in DeclineReason}
    default = queries.declined(DAYS[0], DAYS[2], 100).items
    assert default == [r for r in rows if r["reason"] in known]  # the enum, every reason
    one_day = queries.declined(DAYS[1], DAYS[1], 100, None, reasons).items
    assert {(r["txn_id"], r["reason"]) for r in one_day} == {
        ("T10", "low_balance"),
        ("XA92", "illegible_check"),
    }


# --- pagination and bad input ---------------------------------------------------------------


def _tamper(token: str) -> str:
    raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw["c"][0]["GSI2SK"] = "CUST#C0"
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


def test_given_a_tampered_or_foreign_token_when_used_then_invalid_input(queries: Any) -> None:
    token = queries.customers_by_state("NY", 2).next_token
    assert token is not None
    with pytest.raises(InvalidInput, match="altered"):
        queries.customers_by_state("NY", 2, _tamper(token))
    with pytest.raises(InvalidInput, match="another query"):
        queries.customers_by_state("CA", 2, token)
    with pytest.raises(InvalidInput, match="not a token"):
        queries.customers_by_state("NY", 2, "%%%not-base64%%%")
    with pytest.raises(InvalidInput, match="another query"):
        queries.txns_of_day(DAYS[1], 2, token)


def test_given_the_memory_store_when_appended_then_it_keeps_the_same_details(
    memory_app: App, bank: Bank, queries: Any
) -> None:
    # GIVEN the same commands run on the in-memory twin
    from tests.integration.bank_seed import ACCOUNTS, commands

    register(memory_app.ledger, *sorted({cid for _, cid in ACCOUNTS}))
    for account, cid in ACCOUNTS:
        memory_app.ledger.submit_raw(
            {
                "type": "open_account",
                "occurred_at": "2000-01-01T00:00:00Z",
                "account_id": account,
                "customer_id": cid,
            }
        )
    for cmd in commands():
        memory_app.ledger.submit_raw(cmd)
    store: Any = memory_app.event_store
    # THEN the twin's details of every txn equal what the DynamoDB record carries
    for cmd in commands():
        assert store.txn_details(cmd["txn_id"]) == queries.txn(cmd["txn_id"])


def test_given_a_blocked_account_when_its_day_is_listed_then_only_money_events_show(
    app: Any,
) -> None:
    # GIVEN an account with a credit, a block and an unblock on one day
    from tests.customer_support import register

    register(app.ledger, "CB1")
    day = "2022-06-19T10:00:00Z"
    for line in (
        {"type": "open_account", "occurred_at": "2000-01-01T00:00:00Z",
         "account_id": "AB1", "customer_id": "CB1", "currency": "USD"},
        {"type": "credit", "txn_id": "TB1", "account_id": "AB1", "amount": "5.00",
         "occurred_at": day},
        {"type": "block_account", "txn_id": "TB2", "account_id": "AB1", "reason": "fraud?",
         "occurred_at": day},
        {"type": "unblock_account", "txn_id": "TB3", "account_id": "AB1", "occurred_at": day},
    ):  # fmt: skip
        assert app.ledger.submit_raw(line).status not in ("rejected", "failed"), line
    # WHEN #11 and #12 list that day
    by_range = app.queries.txns_between("AB1", "2022-06-19", "2022-06-19").items
    by_day = list(app.queries.stream_day("2022-06-19"))
    # THEN only the credit is a transaction: opening, block and unblock move no money
    assert [r["txn_id"] for r in by_range] == ["TB1"]
    assert [r["txn_id"] for r in by_day] == ["TB1"]
