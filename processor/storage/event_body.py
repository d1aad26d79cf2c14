"""Events <-> their stored body (an item's attributes besides its keys), without pydantic.

**Encoding** writes what the pydantic models' ``model_dump(mode="json", exclude_none=True)``
wrote (``tests/unit/test_event_items_golden.py`` pins every type's item): the fields in
declaration order, ``None`` left out (inside limits and holds too), datetimes as ISO 8601 in
UTC ending in ``Z``, limits and holds as maps, the decline reason as its string.

**Decoding** builds the dataclass of the body's ``event_type`` directly and checks what a
corrupt or foreign item could get wrong, per field, from the field's type (table built once at
import): every attribute known, every required one present, strings, integers (DynamoDB's
numbers arrive as ``Decimal``; they must be whole), booleans, one of a ``Literal``'s values,
``seq``/``amount``/``released`` >= 0, ``timeout_s``/``archived_events`` >= 1, datetimes
timezone-aware (kept in UTC), a known decline reason; limits and holds check themselves
(``Limits``, ``Hold``). A body that fails raises ``CorruptEventItem``.

Inside the ledger these are guaranteed by construction instead: commands are validated by
pydantic at the edge and ``decide`` builds events from those values and the ledger's UTC clock.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from acme_base.errors import AcmeError
from processor.domain.events import EVENT_TYPES, DeclineReason, LedgerEvent
from processor.domain.limit_model import Limits
from processor.domain.pending_model import Hold

__all__ = ["CorruptEventItem", "event_body", "event_of_body", "iso_z"]


class CorruptEventItem(AcmeError, ValueError):
    """A stored event item that is no valid event (unknown type, a missing, unknown or
    ill-typed attribute). A ``ValueError`` too, as pydantic's errors were: a stream record's
    model turns it into a validation error (``streams.records``)."""


# --- encoding -----------------------------------------------------------------------------------

_PLAIN = frozenset({str, int, bool})


def iso_z(value: datetime) -> str:
    """``2026-03-04T05:06:07.890123Z`` (no fraction when it is 0), as pydantic wrote it."""
    if value.tzinfo is not UTC:
        value = _utc(value, "a datetime")
    return value.isoformat()[:-6] + "Z"


def _limits_body(limits: Limits) -> dict[str, Any]:
    body: dict[str, Any] = {
        "credit_limit": limits.credit_limit,
        "debits_must_not_exceed_credits": limits.debits_must_not_exceed_credits,
        "credits_must_not_exceed_debits": limits.credits_must_not_exceed_debits,
    }
    if limits.max_balance is not None:
        body["max_balance"] = limits.max_balance
    return body


def _hold_body(hold: Hold) -> dict[str, Any]:
    body: dict[str, Any] = {
        "txn_id": hold.txn_id,
        "side": hold.side,
        "amount": hold.amount,
        "expires_at": iso_z(hold.expires_at),
    }
    if hold.counterparty is not None:
        body["counterparty"] = hold.counterparty
    return body


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_z(value)
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, Limits):
        return _limits_body(value)
    if isinstance(value, tuple):
        return [_hold_body(h) for h in value]
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, str | int):
        return value
    raise TypeError(f"cannot store {type(value).__name__} in an event")


#: each event class's field names, in declaration order (the stored attribute order)
_FIELDS: dict[type, tuple[str, ...]] = {
    cls: tuple(f.name for f in fields(cls)) for cls in EVENT_TYPES.values()
}


def event_body(event: LedgerEvent) -> dict[str, Any]:
    """The event's stored attributes (``None`` left out), in declaration order."""
    body: dict[str, Any] = {}
    for name in _FIELDS[type(event)]:
        value = getattr(event, name)
        if value is None:
            continue
        body[name] = value if type(value) in _PLAIN else _json(value)
    return body


# --- decoding -----------------------------------------------------------------------------------

Check = Callable[[str, Any], Any]
#: the least value of the integer fields that have one
_MINIMUM = {"seq": 0, "amount": 0, "released": 0, "timeout_s": 1, "archived_events": 1}


def _str(name: str, value: Any) -> str:
    if type(value) is not str:
        raise CorruptEventItem(f"{name} must be a string, not {type(value).__name__}")
    return value


def _int(name: str, value: Any) -> int:
    if type(value) is not int:
        if not isinstance(value, Decimal) or value != value.to_integral_value():
            raise CorruptEventItem(f"{name} must be a whole number, not {value!r}")
        value = int(value)
    if value < _MINIMUM.get(name, value):
        raise CorruptEventItem(f"{name} must be >= {_MINIMUM[name]}, not {value}")
    return int(value)


def _bool(name: str, value: Any) -> bool:
    if type(value) is not bool:
        raise CorruptEventItem(f"{name} must be true or false, not {value!r}")
    return value


def _utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None:
        raise CorruptEventItem(f"{name} must be timezone-aware")
    return value.astimezone(UTC)


def _datetime(name: str, value: Any) -> datetime:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise CorruptEventItem(f"{name} is no ISO 8601 datetime: {value!r}") from None
    if not isinstance(value, datetime):
        raise CorruptEventItem(f"{name} must be a datetime, not {type(value).__name__}")
    return value if value.tzinfo is UTC else _utc(value, name)


def _reason(name: str, value: Any) -> DeclineReason:
    try:
        return DeclineReason(value)
    except ValueError:
        raise CorruptEventItem(f"{name}: no such decline reason {value!r}") from None


def _map(name: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise CorruptEventItem(f"{name} must be a map, not {type(value).__name__}")
    return value


def _limits(name: str, value: Any) -> Limits:
    body = _map(name, value)
    try:
        return Limits(
            credit_limit=_int("credit_limit", body.get("credit_limit", 0)),
            debits_must_not_exceed_credits=_bool(
                "debits_must_not_exceed_credits", body.get("debits_must_not_exceed_credits", True)
            ),
            credits_must_not_exceed_debits=_bool(
                "credits_must_not_exceed_debits", body.get("credits_must_not_exceed_debits", False)
            ),
            max_balance=_optional(_int)("max_balance", body.get("max_balance")),
        )
    except ValueError as exc:
        raise CorruptEventItem(f"{name}: {exc}") from None


def _hold(value: Any) -> Hold:
    body = _map("a pending", value)
    side = _str("side", body.get("side"))
    if side not in ("debit", "credit"):
        raise CorruptEventItem(f"a pending's side must be debit or credit, not {side!r}")
    try:
        return Hold(
            txn_id=_str("txn_id", body.get("txn_id")),
            side=side,  # type: ignore[arg-type]  # checked above
            amount=_int("amount", body.get("amount")),
            expires_at=_datetime("expires_at", body.get("expires_at")),
            counterparty=_optional(_str)("counterparty", body.get("counterparty")),
        )
    except ValueError as exc:
        raise CorruptEventItem(f"pendings: {exc}") from None


def _holds(name: str, value: Any) -> tuple[Hold, ...]:
    if not isinstance(value, list | tuple):
        raise CorruptEventItem(f"{name} must be a list, not {type(value).__name__}")
    return tuple(_hold(v) for v in value)


def _metadata(name: str, value: Any) -> dict[str, str]:
    body = _map(name, value)
    return {_str(f"{name} key", k): _str(f"{name}.{k}", v) for k, v in body.items()}


def _optional(check: Check) -> Check:
    def optional(name: str, value: Any) -> Any:
        return None if value is None else check(name, value)

    return optional


def _one_of(allowed: tuple[Any, ...]) -> Check:
    def one_of(name: str, value: Any) -> Any:
        plain = int(value) if isinstance(value, Decimal) else value
        if plain not in allowed or type(plain) is bool:
            raise CorruptEventItem(f"{name} must be one of {list(allowed)}, not {value!r}")
        return plain

    return one_of


_BY_TYPE: dict[Any, Check] = {
    str: _str,
    int: _int,
    bool: _bool,
    datetime: _datetime,
    DeclineReason: _reason,
    Limits: _limits,
    tuple[Hold, ...]: _holds,
    dict[str, str]: _metadata,
}


def _check_of(hint: Any) -> Check:
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return _one_of(typing.get_args(hint))
    if origin in (typing.Union, types.UnionType):
        (inner,) = (a for a in typing.get_args(hint) if a is not type(None))  # X | None
        return _optional(_check_of(inner))
    return _BY_TYPE[hint]


def _checks(cls: type) -> dict[str, Check]:
    hints = typing.get_type_hints(cls)
    return {f.name: _check_of(hints[f.name]) for f in fields(cls)}


@dataclass(frozen=True)
class _Decoder:
    """One event class's checks, and the fields its fast path takes without a call: plain
    strings, whole numbers (DynamoDB's ``Decimal``) with their least value, and string
    ``Literal``s. Anything the fast path does not accept goes through the field's check,
    which accepts it or says what is wrong."""

    cls: type[LedgerEvent]
    checks: dict[str, Check]
    strings: frozenset[str]
    whole: dict[str, int | None]
    literals: dict[str, frozenset[str]]

    @classmethod
    def of(cls, event_class: type[LedgerEvent]) -> _Decoder:
        hints = typing.get_type_hints(event_class)
        strings, whole, literals = set(), {}, {}
        for f in fields(event_class):
            hint = hints[f.name]
            args = typing.get_args(hint)
            plain = next((a for a in args if a is not type(None)), hint) if args else hint
            if plain is str:
                strings.add(f.name)
            elif plain is int:
                whole[f.name] = _MINIMUM.get(f.name)
            elif typing.get_origin(hint) is typing.Literal and all(type(a) is str for a in args):
                literals[f.name] = frozenset(args)
        return cls(event_class, _checks(event_class), frozenset(strings), whole, literals)

    def decode(self, body: Mapping[str, Any]) -> LedgerEvent:
        values: dict[str, Any] = {}
        strings, whole, literals = self.strings, self.whole, self.literals
        for name, value in body.items():
            kind = type(value)
            if kind is str and (name in strings or value in literals.get(name, ())):
                values[name] = value
                continue
            if kind is Decimal and name in whole:
                number = int(value)
                least = whole[name]
                if number == value and (least is None or number >= least):
                    values[name] = number
                    continue
            check = self.checks.get(name)
            if check is None:
                raise CorruptEventItem(f"{self.cls.__name__}: unknown attribute {name!r}")
            values[name] = check(name, value)
        try:
            return self.cls(**values)
        except TypeError as exc:  # a required attribute is missing
            raise CorruptEventItem(f"{self.cls.__name__}: {exc}") from None


#: per event type: its decoder
_DECODERS: dict[str, _Decoder] = {name: _Decoder.of(cls) for name, cls in EVENT_TYPES.items()}


def event_of_body(body: Mapping[str, Any]) -> LedgerEvent:
    """The event a stored body (keys removed, upcast to the current version) holds."""
    event_type = body.get("event_type")
    decoder = _DECODERS.get(event_type) if isinstance(event_type, str) else None
    if decoder is None:
        raise CorruptEventItem(f"no such event_type: {event_type!r}")
    return decoder.decode(body)
