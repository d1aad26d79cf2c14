"""The open-pending markers, pure (``processor.storage.pending_index``): which markers an append
writes, the marker item round trip, and the expiry sort key's order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from acme_base.keys import expiry_sort_key, resolution_claim
from acme_base.tables import GSI_PENDING_EXPIRY
from processor.services.pending_jobs import SWEEP_INDEX
from processor.storage.pending_index import OpenPending, claimed_pending, marker_item, open_of

instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)


def test_given_the_sweep_index_name_then_it_is_the_tables_index() -> None:
    assert SWEEP_INDEX == GSI_PENDING_EXPIRY


@given(a=instants, b=instants)
def test_given_two_instants_then_their_sort_keys_order_as_they_do(a: datetime, b: datetime) -> None:
    assert (expiry_sort_key(a) <= expiry_sort_key(b)) == (a <= b)


@given(at=instants, txn=st.text("ABCxyz019-_", min_size=1, max_size=12))
def test_given_a_marker_when_itemised_and_read_back_then_equal(at: datetime, txn: str) -> None:
    marker = OpenPending(txn, ("A", "B"), at)
    item = marker_item(marker)
    assert open_of(item) == marker
    assert item["PK"] == item["SK"] == f"TXN#{resolution_claim(txn)}"
    assert claimed_pending(resolution_claim(txn)) == txn and claimed_pending(txn) is None


def test_given_an_instant_with_another_zone_then_its_key_is_the_utc_one() -> None:
    at = datetime(2026, 3, 1, 15, tzinfo=timezone(timedelta(hours=3)))
    assert expiry_sort_key(at) == "2026-03-01T12:00:00.000000Z"
