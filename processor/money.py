"""Money is Decimal in the API and integer minor units (cents) in storage; never float."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from acme_base.errors import InvalidInput

MINOR_PER_UNIT = 100
MAX_AMOUNT = Decimal("1000000000.00")  # one billion per transaction
_AMOUNT_RE = re.compile(r"^\d{1,10}(\.\d{1,2})?$")
CENT = Decimal("0.01")


def parse_amount(value: Any) -> Decimal:
    """Accept a decimal string, int or Decimal; refuse floats, bools, >2 places, <=0, too big."""
    if isinstance(value, bool | float):
        raise InvalidInput(
            f'amount must be a decimal string such as "12.34", not a {type(value).__name__}'
        )
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidInput(f"amount must be finite, got {value}")
        if value.as_tuple().exponent < -2:  # type: ignore[operator]
            raise InvalidInput(f"amount {value} has more than 2 decimal places")
        amount = value
    elif isinstance(value, str):
        if not _AMOUNT_RE.match(value.strip()):
            raise InvalidInput(f"amount {value!r} is not a positive decimal with at most 2 places")
        try:
            amount = Decimal(value.strip())
        except InvalidOperation as exc:  # pragma: no cover - the regex already checked
            raise InvalidInput(f"amount {value!r} is not a number") from exc
    else:
        raise InvalidInput(f"amount must be a decimal string, not {type(value).__name__}")
    if amount <= 0:
        raise InvalidInput(f"amount must be positive, got {amount}")
    if amount > MAX_AMOUNT:
        raise InvalidInput(f"amount {amount} exceeds the limit of {MAX_AMOUNT}")
    return amount.quantize(CENT)


def to_minor(amount: Decimal) -> int:
    """Exact conversion; refuses sub-cent amounts instead of rounding."""
    minor = amount * MINOR_PER_UNIT
    if minor != minor.to_integral_value():
        raise InvalidInput(f"amount {amount} has more than 2 decimal places")
    return int(minor)


def from_minor(minor: int) -> Decimal:
    return (Decimal(minor) / MINOR_PER_UNIT).quantize(CENT)


def format_minor(minor: int) -> str:
    """Minor units as a decimal string with exactly two places ("-5" -> "-0.05")."""
    return str(from_minor(minor))
