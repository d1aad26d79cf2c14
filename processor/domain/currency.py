"""Currencies and units: the minor-unit exponent of every code the ledger accepts.

Money currencies come from the ISO 4217 table of the pinned ``iso4217`` package (the SIX
Group's published list, kept up to date there, not hand-typed here): USD 2, JPY 0, BHD 3,
CLF 4. Codes without a minor unit (gold ``XAU``, the SDR ``XDR``, the test code ``XTS``...)
are no ledger currency. Non-money units for the ledger applications (loyalty points) are
declared in ``UNITS``; they never collide with an ISO code.
"""

from __future__ import annotations

from functools import cache

from iso4217 import Currency as _Iso

from acme_base.errors import InvalidInput

__all__ = ["DEFAULT_CURRENCY", "MAX_EXPONENT", "UNITS", "codes", "exponent", "is_unit"]

DEFAULT_CURRENCY = "USD"
#: non-money units: code -> exponent (points are whole numbers)
UNITS: dict[str, int] = {"PTS": 0}


@cache
def _table() -> dict[str, int]:
    table = {c.code: c.exponent for c in _Iso if c.exponent is not None}
    clash = set(table) & set(UNITS)
    if clash:  # pragma: no cover - a new ISO code named like one of our units
        raise RuntimeError(f"units {sorted(clash)} collide with ISO 4217 codes")
    return table | UNITS


def codes() -> frozenset[str]:
    """Every code an account may be opened in."""
    return frozenset(_table())


def exponent(code: str) -> int:
    """Minor-unit exponent of a currency or unit (``InvalidInput`` for an unknown code)."""
    try:
        return _table()[code]
    except KeyError:
        raise InvalidInput(
            f"unknown currency {code!r}: expected an ISO 4217 code with a minor unit "
            f"(USD, EUR, JPY, BHD, ...) or a unit ({', '.join(sorted(UNITS))})"
        ) from None


def is_unit(code: str) -> bool:
    """A non-money unit (loyalty points), not an ISO currency."""
    return code in UNITS


MAX_EXPONENT = max(_table().values())
