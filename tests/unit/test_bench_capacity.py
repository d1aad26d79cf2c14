"""``bench.capacity``: item sizes and capacity units by DynamoDB's documented rules (pure)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from acme_base.settings import Settings
from acme_base.tables import GSI1, GSI2, GSI_DECLINED, ledger_spec
from bench.capacity import (
    index_keys,
    indexes_of,
    item_size,
    item_write_units,
    number_size,
    price_per_million,
    read_units,
    value_size,
    write_units,
)
from processor.domain.events import FundsCredited
from processor.storage.codec import event_to_item

LEDGER_INDEXES = index_keys(ledger_spec(Settings()).definition)


@pytest.mark.parametrize(
    ("number", "size"),
    [
        (0, 2),
        (7, 2),
        (-7, 2),  # the sign is not a digit
        (100, 2),  # trailing zeros trimmed: one significant digit
        (12345, 4),  # 5 digits: 3 bytes + 1
        (Decimal("0.0012"), 2),  # leading zeros trimmed
        (Decimal("1234.5678"), 5),
    ],
)
def test_given_a_number_when_sized_then_one_byte_per_two_significant_digits_plus_one(
    number: int | Decimal, size: int
) -> None:
    # GIVEN/WHEN a number attribute value THEN its documented size
    assert number_size(number) == size


def test_given_scalars_when_sized_then_utf8_bytes_and_one_byte_for_bool_and_null() -> None:
    # GIVEN/WHEN strings (UTF-8), booleans, nulls and binary THEN the documented sizes
    assert value_size("abc") == 3
    assert value_size("é") == 2
    assert value_size(True) == value_size(None) == 1
    assert value_size(b"\x00\x01") == 2


def test_given_lists_and_maps_when_sized_then_three_bytes_plus_one_per_element() -> None:
    # GIVEN/WHEN an empty list, a list of two strings, a map of one entry, a string set
    # THEN 3 bytes overhead + the elements + 1 byte each (sets: just the elements)
    assert value_size([]) == 3
    assert value_size(["a", "b"]) == 3 + (1 + 1) + (1 + 1)
    assert value_size({"k": "v"}) == 3 + (1 + 1 + 1)
    assert value_size({"ab", "c"}) == 3


def test_given_an_item_when_sized_then_names_count_as_well_as_values() -> None:
    # GIVEN an item of a string and a number WHEN sized THEN names + values
    assert item_size({"PK": "ACCT#1", "n": 100}) == (2 + 6) + (1 + 2)


def test_given_sizes_when_costed_then_started_kb_for_writes_and_4kb_for_reads() -> None:
    # GIVEN/WHEN sizes around the unit boundaries THEN started units, doubled in transactions
    assert (write_units(1), write_units(1024), write_units(1025)) == (1, 1, 2)
    assert write_units(1025, transactional=True) == 4
    assert (read_units([4096]), read_units([4096, 1])) == (1.0, 2.0)
    assert read_units([10], consistent=False) == 0.5
    assert read_units([10], transactional=True) == 2.0
    assert read_units([]) == 1.0  # a read that finds nothing still costs a unit


def test_given_a_real_event_item_when_costed_then_two_transactional_wcu_and_one_per_gsi() -> None:
    # GIVEN a credit's item from the real codec
    event = FundsCredited(
        account_id="A1",
        seq=3,
        txn_id="T1",
        currency="USD",
        amount=1234,
        balance_after=5678,
        occurred_at=datetime(2026, 11, 22, tzinfo=UTC),
    )
    item = event_to_item(event)
    # WHEN costed as a transactional put THEN 2 WCU (< 1 KB) + 1 per GSI it lands in
    landed = indexes_of(item, LEDGER_INDEXES)
    assert GSI1 in landed and GSI_DECLINED not in landed
    assert item_write_units(item, LEDGER_INDEXES, transactional=True) == 2 + len(landed)


def test_given_a_sparse_index_when_the_item_lacks_a_key_then_it_does_not_land_there() -> None:
    # GIVEN an item with the declined index's partition key but not its sort key
    item = {"PK": "x", "SK": "y", "txn_declined_reason": "low_balance"}
    # WHEN its indexes are listed THEN none (every key attribute is needed)
    assert indexes_of(item, LEDGER_INDEXES) == []
    assert GSI_DECLINED in indexes_of({**item, "txn_date": "2026-11-22"}, LEDGER_INDEXES)
    assert GSI2 not in indexes_of(item, LEDGER_INDEXES)


def test_given_units_when_priced_then_on_demand_rates_per_million() -> None:
    # GIVEN/WHEN 6 WCU and 1 RCU per txn THEN 6 x 0.625 + 1 x 0.125 USD per million txns
    assert price_per_million(6, 1) == 3.875
