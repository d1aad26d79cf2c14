"""The offer commands of ``acme-txn submit``, validated strictly (pydantic, ``extra="forbid"``).

``OFFER_COMMANDS`` joins the submit path's registry (``processor.services.commands``). Offer
lines may be longer than the ledger's 16 KiB (details and terms are 16 KiB each); floats are
refused everywhere.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from acme_base.errors import InvalidInput
from processor.domain.commands import (
    Command,
    Currency,
    Id,
    SpecialStatus,
)
from processor.domain.money import parse_amount
from processor.domain.parsing import explain
from processor.domain.registry import CommandType
from processor.offers.model import (
    Response,
    check_details,
    check_offer_id,
    check_terms,
    offer_date,
)

MAX_OFFER_LINE_BYTES = 48 * 1024
MAX_CUSTOMERS = 100  # customer_ids of one send_offer
OFFER_TYPES = ("create_offer", "send_offer", "respond_offer")


def _iso_date(value: Any) -> date:
    """Only the ISO spelling (pydantic alone would also take numbers as timestamps)."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError(f"{value!r} is not a date YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a real date ({exc})") from exc


def _min_balance(value: Any) -> Any:
    try:
        return parse_amount(value)
    except InvalidInput as exc:  # a ValueError, so pydantic names the field
        raise ValueError(str(exc)) from exc


OfferId = Annotated[str, AfterValidator(check_offer_id)]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Details = Annotated[dict[str, Any], AfterValidator(check_details)]
Terms = Annotated[str, Field(min_length=1), AfterValidator(check_terms)]


class CreateOffer(Command):
    type: Literal["create_offer"]
    offer_id: OfferId
    expires_on: IsoDate
    details: Details
    terms: Terms

    @model_validator(mode="after")
    def _expires_after_its_date(self) -> CreateOffer:
        if self.expires_on < offer_date(self.offer_id):
            raise ValueError(
                f"expires_on {self.expires_on} is before the offer's date "
                f"{offer_date(self.offer_id)}"
            )
        return self


class SendOffer(Command):
    """To a list of customers, or everyone with a special status, or every customer with an
    account whose (projected) balance is at least ``min_balance`` in ``currency``."""

    type: Literal["send_offer"]
    offer_id: OfferId
    customer_ids: tuple[Id, ...] | None = Field(None, min_length=1, max_length=MAX_CUSTOMERS)
    special_status: SpecialStatus | None = None
    min_balance: Annotated[Decimal, BeforeValidator(_min_balance)] | None = None
    currency: Currency | None = None

    @model_validator(mode="after")
    def _one_audience(self) -> SendOffer:
        given = [self.customer_ids, self.special_status, self.min_balance]
        if sum(x is not None for x in given) != 1:
            raise ValueError("give exactly one of customer_ids, special_status, min_balance")
        if self.currency is not None and self.min_balance is None:
            raise ValueError("currency only goes with min_balance")
        return self

    def audience(self) -> tuple[str, ...]:
        """The customer ids given, once each, in order."""
        return tuple(dict.fromkeys(self.customer_ids or ()))


class RespondOffer(Command):
    type: Literal["respond_offer"]
    offer_id: OfferId
    customer_id: Id
    response: Response


OfferCommand = CreateOffer | SendOffer | RespondOffer
#: the offers' command types (``processor.domain.registry``): lines up to 48 KiB
OFFER_COMMANDS = (
    CommandType("create_offer", CreateOffer, "offers", "create an offer", MAX_OFFER_LINE_BYTES),
    CommandType(
        "send_offer", SendOffer, "offers", "send an offer to customers", MAX_OFFER_LINE_BYTES
    ),
    CommandType(
        "respond_offer", RespondOffer, "offers", "accept or decline an offer", MAX_OFFER_LINE_BYTES
    ),
)
_ADAPTER: TypeAdapter[OfferCommand] = TypeAdapter(
    Annotated[OfferCommand, Field(discriminator="type")]
)


def parse_offer_command(raw: dict[str, Any]) -> OfferCommand:
    try:
        return _ADAPTER.validate_python(raw)
    except ValidationError as exc:
        raise InvalidInput(explain(exc, OFFER_TYPES)) from exc
