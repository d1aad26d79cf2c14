"""Money is Decimal in the API and integer minor units in storage; never float.

Each currency (or unit) has its own minor-unit exponent (``processor.domain.currency``): cents for
USD (2), none for JPY or points (0), fils for BHD (3). Every function takes the currency and
defaults to USD, whose behaviour and messages are those of the single-currency ledger.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from acme_base.errors import InvalidInput
from processor.domain.currency import DEFAULT_CURRENCY, exponent

MINOR_PER_UNIT = 100  # USD's; other currencies: ``minor_per_unit(currency)``
MAX_AMOUNT = Decimal("1000000000.00")  # one billion units per transaction
CENT = Decimal("0.01")


_SHAPE = re.compile(r"[0-9]{1,40}(\.[0-9]{1,40})?")  # [0-9], not \d: \d is any Unicode digit


def _quantum(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def minor_per_unit(currency: str = DEFAULT_CURRENCY) -> int:
    return int(10 ** exponent(currency))


def _places_text(places: int) -> str:
    return "no decimal places" if places == 0 else f"at most {places} places"


def parse_amount(
    value: Any, currency: str = DEFAULT_CURRENCY, places: int | None = None
) -> Decimal:
    """Accept a decimal string, int or Decimal; refuse floats, bools, more places than the
    currency has (``places`` overrides it), <=0, too big."""
    places = exponent(currency) if places is None else places
    if isinstance(value, bool | float):
        raise InvalidInput(
            f'amount must be a decimal string such as "12.34", not a {type(value).__name__}'
        )
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidInput(f"amount must be finite, got {value}")
        if value.as_tuple().exponent < -places:  # type: ignore[operator]
            raise InvalidInput(f"amount {value} has more than {places} decimal places")
        amount = value
    elif isinstance(value, str):
        amount = _parse_text(value, currency, places)
    else:
        raise InvalidInput(f"amount must be a decimal string, not {type(value).__name__}")
    typed = repr(value) if isinstance(value, str) else str(value)  # echoed as the user wrote it
    if amount <= 0:
        raise InvalidInput(f"amount {typed} must be positive")
    if amount > MAX_AMOUNT:
        limit = MAX_AMOUNT.quantize(_quantum(places))
        raise InvalidInput(f"amount {typed} exceeds the limit of {limit:,} per transaction")
    return amount.quantize(_quantum(places))


def _parse_text(value: str, currency: str, places: int) -> Decimal:
    """The shape first (digits, one point), then the places, so each error names what is
    wrong; the size is checked by the caller against the real limit."""
    text = value.strip(" ")  # ASCII spaces only: no other whitespace is canonical
    suffix = "" if currency == DEFAULT_CURRENCY else f" ({currency})"
    if not _SHAPE.fullmatch(text):
        raise InvalidInput(f'amount {value!r} is not a positive decimal such as "12.34"{suffix}')
    if len(text.partition(".")[2]) > places:
        raise InvalidInput(
            f"amount {value!r} is not a positive decimal with {_places_text(places)}{suffix}"
        )
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the shape already checked
        raise InvalidInput(f"amount {value!r} is not a number") from exc


def to_minor(amount: Decimal, currency: str = DEFAULT_CURRENCY) -> int:
    """Exact conversion; refuses amounts finer than the currency's minor unit, never rounds."""
    places = exponent(currency)
    minor = amount.scaleb(places)
    if minor != minor.to_integral_value():
        suffix = "" if currency == DEFAULT_CURRENCY else f" for {currency}"
        raise InvalidInput(f"amount {amount} has more than {places} decimal places{suffix}")
    return int(minor)


def from_minor(minor: int, currency: str = DEFAULT_CURRENCY) -> Decimal:
    places = exponent(currency)
    return Decimal(minor).scaleb(-places).quantize(_quantum(places))


def format_minor(minor: int, currency: str = DEFAULT_CURRENCY) -> str:
    """Minor units as a decimal string with exactly the currency's places
    (USD: "-5" -> "-0.05"; JPY: 500 -> "500"; BHD: 5 -> "0.005")."""
    return str(from_minor(minor, currency))
