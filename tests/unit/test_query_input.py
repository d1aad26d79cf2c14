"""The bank's queries refuse bad input with ``InvalidInput`` before any read: the queries here
have no client at all, so a read would fail otherwise (the reads themselves are DynamoDB's:
tests/integration/test_queries.py)."""

from __future__ import annotations

from typing import Any

import pytest

from acme_base.errors import InvalidInput
from processor.reads.queries import BankQueries


@pytest.fixture
def queries() -> BankQueries:
    return BankQueries(None, "ledger")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda q: q.customer_by_phone("212-555"), "phone"),
        (lambda q: q.customers_by_state("ZZ"), "state"),
        (lambda q: q.special_customers("pirate"), "special status"),
        (lambda q: q.customer("bad id!"), "not a valid id"),
        (lambda q: q.last_txns("A1", 0), "--limit"),
        (lambda q: q.last_txns("A1", 1001), "--limit"),
        (lambda q: q.txns_between("A1", "2022/06/19", "2022-06-20"), "2022-06-19"),
        (lambda q: q.txns_between("A1", "2022-06-20", "2022-06-19"), "before"),
        (lambda q: q.txns_of_day("2022-02-30"), "not a date"),
        (lambda q: q.declined("2000-01-01", "2022-01-01"), "too long"),
    ],
)
def test_given_bad_input_when_queried_then_invalid_input_before_any_read(
    queries: Any, call: Any, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        call(queries)
