"""Phones and US states as the bank writes them (pure): the normal form a customer's phone and
state are stored in, and searched by (``processor.customers``, the bank's queries).

Phones: E.164 by Google's libphonenumber, a number without ``+`` read as a US number; only
digits, spaces and ``+ - ( ) .``. States: the USPS codes of the states, DC and the inhabited
territories (the ``us`` package), case-insensitive in, upper-case out.
"""

from __future__ import annotations

import re
from functools import cache

import phonenumbers

from acme_base.errors import InvalidInput

MAX_PHONE_TEXT = 32
DEFAULT_REGION = "US"
_PHONE_CHARS = re.compile(r"[0-9+()\-. ]+")


def normalize_phone(text: str) -> str:
    """The phone in E.164, or ``InvalidInput`` naming the phone (see the module docstring)."""
    if not isinstance(text, str) or not 1 <= len(text) <= MAX_PHONE_TEXT:
        raise InvalidInput(f"phone must be a string of 1-{MAX_PHONE_TEXT} characters")
    if not _PHONE_CHARS.fullmatch(text):
        raise InvalidInput(f"phone {text!r} may hold only digits, spaces and + - ( ) .")
    try:
        parsed = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(f"phone {text!r} is not a phone number ({exc})") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput(f"phone {text!r} is not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@cache
def state_codes() -> frozenset[str]:
    """USPS codes of the states, DC and the inhabited territories (the ``us`` package)."""
    import us  # lazily: the table is only needed to validate a customer's state

    return frozenset(str(s.abbr) for s in us.STATES_AND_TERRITORIES)


def parse_state(text: str) -> str:
    code = text.strip().upper() if isinstance(text, str) else ""
    if code not in state_codes():
        raise InvalidInput(f"state {text!r} is not a US state or territory code (e.g. NY)")
    return code
