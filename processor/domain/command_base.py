"""What every command shares: the field types (ids, currencies, amounts, times, notes), the
``Command`` base (strict, fingerprinted) and ``MoneyBase``, the base of credits, debits and
transfers. The commands live by family (``command_accounts``, ``command_money``,
``command_pending``); ``processor.domain.commands`` re-exports them with the union and the parser.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    model_validator,
)

from processor.domain.currency import MAX_EXPONENT, codes
from processor.domain.metadata import TRACE_FIELDS, Traced
from processor.domain.money import parse_amount
from processor.domain.parsing import text_problem

MAX_LINE_BYTES = 16 * 1024
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")]


def _known_currency(value: str) -> str:
    if value not in codes():
        raise ValueError(
            f"unknown currency {value!r}: expected an ISO 4217 code with a minor unit "
            "(USD, EUR, JPY, BHD, ...) or a unit (PTS)"
        )
    return value


Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$"), AfterValidator(_known_currency)]
Amount = Annotated[Decimal, BeforeValidator(parse_amount)]
#: an amount already parsed for its currency by ``MoneyBase`` (any currency's places)


def _any_amount(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else parse_amount(value, places=MAX_EXPONENT)


AnyAmount = Annotated[Decimal, BeforeValidator(_any_amount)]


def _utc_in_range(value: datetime) -> datetime:
    value = value.astimezone(UTC)
    if not EARLIEST <= value < LATEST:
        raise ValueError(f"occurred_at {value.isoformat()} is outside 1970..2100")
    return value


OccurredAt = Annotated[AwareDatetime, AfterValidator(_utc_in_range)]
SpecialStatus = Literal["veteran", "handicap", "student"]


#: ``json.dumps(payload, sort_keys=True, default=str)``, with its encoder built once
_CANONICAL = json.JSONEncoder(sort_keys=True, default=str)


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)

    #: optional fields added after commands were first recorded: left out of the fingerprint
    #: while unset, so a retry of a command recorded before they existed still matches
    ADDED_LATER: ClassVar[tuple[str, ...]] = ()

    def fingerprint(self) -> str:
        """Stable hash of the payload as sent: same txn id + same fingerprint = a retry."""
        payload = self.model_dump(mode="json")
        for name in (*self.ADDED_LATER, *TRACE_FIELDS):
            if payload.get(name) is None:
                payload.pop(name, None)
        payload.pop("principal", None)  # who sent it is not what was sent
        canonical = _CANONICAL.encode(payload)
        return hashlib.sha256(canonical.encode()).hexdigest()


class MoneyBase(Command, Traced):
    txn_id: Id
    amount: AnyAmount
    currency: Currency | None = None
    occurred_at: OccurredAt | None = None

    @model_validator(mode="before")
    @classmethod
    def _amount_in_currency(cls, data: Any) -> Any:
        """The amount read with its currency's places: the command's ``currency``, else
        USD's (an amount of a currency with more places names its currency); the account's
        currency is checked again when decided."""
        if isinstance(data, dict) and "amount" in data:
            currency = data.get("currency")
            if currency is None or (isinstance(currency, str) and currency in codes()):
                return {**data, "amount": parse_amount(data["amount"], currency or "USD")}
        return data


def printable(value: str) -> str:
    """No control characters (C0, DEL, C1) and no invisible bidirectional controls."""
    problem = text_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


CheckText = Annotated[str, StringConstraints(max_length=64), AfterValidator(printable)]
Note = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(printable),
]
