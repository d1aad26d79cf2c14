"""Events, limits and holds are plain frozen dataclasses with slots (pydantic validates at the
edge only); what the codec reads from the store is still checked, with the project's error."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from acme_base.errors import AcmeError
from processor.domain.events import EVENT_TYPES, FundsCredited
from processor.domain.limit_model import Limits
from processor.domain.pending_model import Hold
from processor.storage.codec import CorruptEventItem, event_to_item, item_to_event

AT = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def credit(**extra: Any) -> FundsCredited:
    fields: dict[str, Any] = {
        "account_id": "A",
        "seq": 1,
        "txn_id": "t",
        "currency": "USD",
        "amount": 100,
        "balance_after": 100,
        "occurred_at": AT,
    }
    return FundsCredited(**{**fields, **extra})


@pytest.mark.parametrize("cls", [*EVENT_TYPES.values(), Limits, Hold], ids=lambda c: c.__name__)
def test_every_event_type_is_a_frozen_dataclass_with_slots(cls: type) -> None:
    """GIVEN an event class (or what events carry) THEN it is a dataclass, frozen, slotted,
    and no pydantic model."""
    assert dataclasses.is_dataclass(cls)
    assert "__slots__" in vars(cls) and not hasattr(cls, "model_fields")
    assert cls.__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_an_event_cannot_be_changed_only_replaced() -> None:
    event = credit()
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.amount = 5  # type: ignore[misc]
    assert dataclasses.replace(event, amount=5).amount == 5 and event.amount == 100


def test_datetimes_are_kept_in_utc_and_must_be_aware() -> None:
    """GIVEN an effective time in another zone WHEN an event is built THEN it is held in UTC
    (its txn date is the UTC date); a naive one is refused."""
    event = credit(occurred_at=datetime(2026, 3, 5, 1, 0, tzinfo=timezone(timedelta(hours=2))))
    assert event.occurred_at.tzinfo is UTC and event.txn_date == "2026-03-04"
    with pytest.raises(ValueError, match="timezone-aware"):
        credit(recorded_at=datetime(2026, 3, 4))


def test_limits_and_holds_check_their_amounts() -> None:
    with pytest.raises(ValueError):
        Limits(credit_limit=-1)
    with pytest.raises(ValueError):
        Hold(txn_id="h", side="debit", amount=0, expires_at=AT)


def _stored(**change: Any) -> dict[str, Any]:
    item = event_to_item(credit())
    item.update(change)
    return {k: v for k, v in item.items() if v is not None}


CORRUPT = {
    "unknown type": _stored(event_type="FundsVanished"),
    "no type": _stored(event_type=None),
    "unknown attribute": _stored(colour="red"),
    "missing attribute": _stored(txn_id=None),
    "negative amount": _stored(amount=Decimal(-1)),
    "fractional amount": _stored(amount=Decimal("1.5")),
    "text for a number": _stored(seq="1"),
    "naive datetime": _stored(occurred_at="2026-03-04T05:06:07"),
    "not a datetime": _stored(occurred_at="yesterday"),
    "wrong status": _stored(status="declined"),
    "bad limits": _stored(limits={"credit_limit": Decimal(-5)}),
    "bad hold": _stored(pendings=[{"txn_id": "h", "side": "up", "amount": 1}]),
}


@pytest.mark.parametrize("item", CORRUPT.values(), ids=CORRUPT.keys())
def test_a_corrupt_stored_item_raises_the_projects_error(item: dict[str, Any]) -> None:
    """GIVEN a stored event item that is no valid event WHEN decoded THEN CorruptEventItem:
    one of the project's errors, and a ValueError as pydantic's were."""
    with pytest.raises(CorruptEventItem) as raised:
        item_to_event(item)
    assert isinstance(raised.value, AcmeError) and isinstance(raised.value, ValueError)


def test_numbers_from_dynamodb_decode_as_ints() -> None:
    item = _stored(amount=Decimal(100), seq=Decimal(1), balance_after=Decimal(100))
    back = item_to_event(item)
    assert back == credit() and type(back.amount) is int and type(back.seq) is int
