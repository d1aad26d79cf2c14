"""The pure parts of the bank's queries: tokens, key conditions, input checks, txn details."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acme_base.errors import InvalidInput
from acme_base.keys import DAY_SHARDS
from processor.domain.events import (
    DebitDeclined,
    DeclineReason,
    FundsCredited,
    TransferReceived,
    TransferSent,
)
from processor.storage import query_specs as specs
from processor.storage.paging import DONE, Partition, decode_token, encode_token
from processor.storage.txn_details import details_attributes, details_from_item, details_of

PART = Partition("GSI2PK", "STATE#NY", ("PK", "SK", "GSI2PK", "GSI2SK"))
KEY = {"PK": "CUST#C1", "SK": "CUST#C1", "GSI2PK": "STATE#NY", "GSI2SK": "CUST#C1"}
AT = datetime(2022, 6, 19, 10, tzinfo=UTC)

# --- tokens ---------------------------------------------------------------------------------


def test_given_a_cursor_when_encoded_then_decoded_back_only_for_its_query() -> None:
    token = encode_token("state|NY", [KEY])
    assert token is not None
    assert decode_token(token, "state|NY", [PART]) == [KEY]
    with pytest.raises(InvalidInput, match="another query"):
        decode_token(token, "state|CA", [PART])
    assert encode_token("state|NY", [DONE]) is None  # nothing left: no token


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"))
def test_given_any_text_when_decoded_then_it_is_refused_or_a_key_of_the_partition(
    text: str,
) -> None:
    try:
        cursors = decode_token(text, "state|NY", [PART])
    except InvalidInput:
        return
    assert all(c is None or (isinstance(c, dict) and c["GSI2PK"] == "STATE#NY") for c in cursors)


@given(st.integers(min_value=0, max_value=400), st.sampled_from("AZaz09-_"))
def test_given_a_token_with_one_character_changed_when_decoded_then_refused_or_the_same(
    position: int, char: str
) -> None:
    token = encode_token("state|NY", [KEY])
    assert token is not None
    i = position % len(token)
    edited = token[:i] + char + token[i + 1 :]
    try:
        cursors = decode_token(edited, "state|NY", [PART])
    except InvalidInput:
        return
    assert cursors == [KEY]  # only an edit base64 ignores (unused low bits) gets through


def test_given_a_sealed_token_outside_its_partition_when_decoded_then_refused() -> None:
    foreign = {**KEY, "GSI2PK": "STATE#CA"}
    token = encode_token("state|NY", [foreign])
    assert token is not None
    with pytest.raises(InvalidInput, match="outside"):
        decode_token(token, "state|NY", [PART])
    token = encode_token("state|NY", [{"PK": "CUST#C1"}])
    assert token is not None
    with pytest.raises(InvalidInput, match="does not fit"):
        decode_token(token, "state|NY", [PART])


# --- key conditions and input checks -------------------------------------------------------


def test_given_each_pattern_when_built_then_its_key_condition_and_index() -> None:
    assert specs.customer_by_phone("+12125550123").values[":pk"] == "PHONE#+12125550123"
    assert specs.customers_by_state("ny").partition.value == "STATE#NY"
    special = specs.special_customers("veteran")
    assert (special.index, special.filter) == (
        "GSI_Sparse_Customer_Special_Status",
        "contains(special_status, :st)",
    )
    last = specs.last_txns("A1")
    assert (last.index, last.forward, last.values[":lo"]) == (None, False, "TXN#000000000001")
    ranged = specs.txns_in_range("A1", "2022-06-01", "2022-06-30")
    assert (ranged.index, ranged.values[":lo"], ranged.values[":hi"]) == (
        "GSI1",
        "2022-06-01#",
        "2022-06-30#~",
    )
    days = specs.txns_of_day("2022-06-19")
    assert [q.partition.value for q in days] == [f"DAY#2022-06-19#{s}" for s in range(DAY_SHARDS)]
    declined = specs.declined_in_range([r.value for r in DeclineReason], "2022-06-01", "2022-06-02")
    assert [q.partition.value for q in declined] == [r.value for r in DeclineReason]
    assert specs.account_by_number("A1").index == "GSI_Inverted"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: specs.normalize_phone("12"), "phone"),
        (lambda: specs.normalize_phone("+1 212"), "phone"),
        (lambda: specs.parse_state("QQ"), "state"),
        (lambda: specs.parse_iso_date("2022/06/19", "--date"), "'2022-06-19'"),
        (lambda: specs.parse_iso_date("2022-13-01", "--date"), "not a date"),
        (lambda: specs.parse_range("2022-06-02", "2022-06-01"), "before"),
        (lambda: specs.check_id("", "account"), "not a valid id"),
        (lambda: specs.check_id("a" * 65, "account"), "not a valid id"),
    ],
)
def test_given_bad_input_when_checked_then_invalid_input(call: Any, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        call()


# --- txn details -----------------------------------------------------------------------------


def _common(account: str, seq: int, balance: int) -> dict[str, Any]:
    return {
        "account_id": account,
        "seq": seq,
        "txn_id": "T1",
        "currency": "USD",
        "amount": 500,
        "balance_after": balance,
        "occurred_at": AT,
    }


@pytest.mark.parametrize(
    "events",
    [
        [FundsCredited(**_common("A1", 1, 500))],
        [DebitDeclined(**_common("A1", 2, 0), reason=DeclineReason.LOW_BALANCE)],
        [
            TransferSent(**_common("A1", 3, 0), counterparty="A2"),
            TransferReceived(**_common("A2", 1, 500), counterparty="A1"),
        ],
    ],
)
def test_given_a_commands_events_when_stored_as_attributes_then_read_back_the_same(
    events: list[Any],
) -> None:
    attrs = details_attributes(events)
    assert "txn_declined_reason" not in attrs  # the record never enters the declined index
    item = {**attrs, "txn_id": "T1", "status": events[0].status, "account_id": "A1"}
    assert details_from_item(item) == details_of(events)
    data = details_of(events).to_json()
    assert (data["amount"], data["txn_date"], len(data["events"])) == (
        "5.00",
        "2022-06-19",
        len(events),
    )


def test_given_a_record_without_details_when_read_then_none() -> None:
    assert details_from_item({"txn_id": "T1", "status": "approved", "outcome": "{}"}) is None
