"""Commands: what a caller asks for, validated strictly before anything is decided or written."""

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
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from acme_base.errors import InvalidInput
from processor.events import CreditChannel
from processor.money import parse_amount
from processor.parsing import decode_line, explain

MAX_LINE_BYTES = 16 * 1024
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Amount = Annotated[Decimal, BeforeValidator(parse_amount)]


def _utc_in_range(value: datetime) -> datetime:
    value = value.astimezone(UTC)
    if not EARLIEST <= value < LATEST:
        raise ValueError(f"occurred_at {value.isoformat()} is outside 1970..2100")
    return value


OccurredAt = Annotated[AwareDatetime, AfterValidator(_utc_in_range)]
SpecialStatus = Literal["veteran", "handicap", "student"]


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)

    #: optional fields added after commands were first recorded: left out of the fingerprint
    #: while unset, so a retry of a command recorded before they existed still matches
    ADDED_LATER: ClassVar[tuple[str, ...]] = ()

    def fingerprint(self) -> str:
        """Stable hash of the payload as sent: same txn id + same fingerprint = a retry."""
        payload = self.model_dump(mode="json")
        for name in self.ADDED_LATER:
            if payload.get(name) is None:
                payload.pop(name, None)
        canonical = json.dumps(payload, sort_keys=True, default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


class OpenAccount(Command):
    """Open an account for a registered customer (``register_customer``: the customer's
    phone, state and statuses belong to the customer, not to an opening)."""

    type: Literal["open_account"]
    account_id: Id
    customer_id: Id
    currency: Currency = "USD"


class _Money(Command):
    txn_id: Id
    amount: Amount
    currency: Currency | None = None
    occurred_at: OccurredAt | None = None


def _printable(value: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("control characters are not allowed")
    return value


CheckText = Annotated[str, StringConstraints(max_length=64), AfterValidator(_printable)]
Note = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_printable),
]


class Check(BaseModel):
    """A deposited check's face: its shape only (exactly these strings, bounded; anything else
    is ``rejected``). Whether it *reads* (ABA routing checksum, a check number of digits, the
    amount in words) is decided later: a check that does not read is a recorded decline,
    ``illegible_check`` (``processor.checks``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    number: CheckText
    routing: CheckText
    amount_in_words: Annotated[str, StringConstraints(max_length=200), AfterValidator(_printable)]


class Credit(_Money):
    type: Literal["credit"]
    account_id: Id
    channel: CreditChannel | None = None
    check: Check | None = None

    ADDED_LATER = ("channel", "check")

    @model_validator(mode="after")
    def _check_deposit(self) -> Credit:
        if (self.channel == "check") != (self.check is not None):
            raise ValueError(
                'a check deposit has "channel": "check" and a "check" object '
                '{"number", "routing", "amount_in_words"}; other credits have no "check"'
            )
        return self


class Debit(_Money):
    type: Literal["debit"]
    account_id: Id


class Transfer(_Money):
    type: Literal["transfer"]
    from_account: Id
    to_account: Id

    @model_validator(mode="after")
    def _distinct_accounts(self) -> Transfer:
        if self.from_account == self.to_account:
            raise ValueError("from_account and to_account must differ")
        return self


class BlockAccount(Command):
    """Stop money leaving an account: later debits and outgoing transfers are declined
    ``unauthorized``; credits and incoming transfers are still accepted."""

    type: Literal["block_account"]
    txn_id: Id
    account_id: Id
    reason: Note
    occurred_at: OccurredAt | None = None


class UnblockAccount(Command):
    type: Literal["unblock_account"]
    txn_id: Id
    account_id: Id
    reason: Note | None = None
    occurred_at: OccurredAt | None = None


MoneyCommand = Credit | Debit | Transfer
#: commands of one account that go through its group commit, decided in arrival order
GroupCommand = Credit | Debit | BlockAccount | UnblockAccount
AnyCommand = Annotated[
    OpenAccount | Credit | Debit | Transfer | BlockAccount | UnblockAccount,
    Field(discriminator="type"),
]
_ADAPTER: TypeAdapter[AnyCommand] = TypeAdapter(AnyCommand)
LEDGER_TYPES = frozenset(
    {"open_account", "credit", "debit", "transfer", "block_account", "unblock_account"}
)


def parse_command(raw: str | bytes | dict[str, Any]) -> AnyCommand:
    """Parse one JSON line (or dict) into a command, or raise InvalidInput saying why."""
    if isinstance(raw, str | bytes):
        raw = decode_line(raw, MAX_LINE_BYTES)
    if not isinstance(raw, dict):
        raise InvalidInput("a command must be a JSON object")
    if raw.get("type") not in {
        "open_account",
        "credit",
        "debit",
        "transfer",
        "block_account",
        "unblock_account",
    }:
        raise InvalidInput(
            f"unknown command type {raw.get('type')!r}; "
            "expected open_account, credit, debit, transfer, block_account or unblock_account"
        )
    try:
        return _ADAPTER.validate_python(raw)
    except ValidationError as exc:
        raise InvalidInput(explain(exc, LEDGER_TYPES)) from exc


def txn_id_of(raw: Any) -> str | None:
    """Best-effort txn id of a possibly invalid command, for the rejected outcome line."""
    if isinstance(raw, str | bytes) and len(raw) <= MAX_LINE_BYTES:
        try:
            raw = json.loads(raw)  # floats allowed here: we only want the id back
        except ValueError:
            return None
    if isinstance(raw, dict) and isinstance(raw.get("txn_id"), str):
        return str(raw["txn_id"])[:64]
    return None
