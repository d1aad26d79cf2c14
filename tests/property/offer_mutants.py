"""Planted bugs in the offer store (catalogued in ``mutants.MUTATIONS``, caught by
``OfferMachine``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date
from typing import Any
from unittest import mock

from acme_base.aws import call, serialize
from processor.offers.items import RELATIONSHIP_ENTITY
from processor.offers.store import DynamoOfferStore


@contextlib.contextmanager
def respond_without_pending_guard() -> Iterator[None]:
    """A response only checks that the relationship exists and the date, not ``#status =
    PENDING``: an answered offer can be answered again (and the other answer wins)."""

    def answerable(today: date) -> tuple[str, dict[str, Any]]:
        return "attribute_exists(PK) AND expires_on >= :today", {":today": today.isoformat()}

    with mock.patch.object(DynamoOfferStore, "_answerable", staticmethod(answerable)):
        yield


@contextlib.contextmanager
def send_unconditional() -> Iterator[None]:
    """Relationships are put without ``attribute_not_exists(PK)``: a resend resets an
    answered offer to PENDING (offers themselves keep their condition)."""
    real = DynamoOfferStore._put

    def put(self: DynamoOfferStore, item: dict[str, Any], what: str) -> None:
        if item.get("entity") != RELATIONSHIP_ENTITY:
            real(self, item, what)
            return
        call(what, self.client.put_item, TableName=self.table, Item=serialize(item))

    with mock.patch.object(DynamoOfferStore, "_put", put):
        yield
