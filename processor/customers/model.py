"""Customers (seed iterations 1, 6 and 7): the record, its input rules, and updates (pure).

- **Phones** are stored in E.164 (``+12125550123``), parsed by Google's libphonenumber
  (``phonenumbers``): a number written with ``+`` and a country code is taken as written;
  one without is read as a US number (``(212) 555-0123``), since ACME's customers declare a
  US state. Only digits, spaces, ``+ - ( ) .`` are accepted (no extensions, no letters), and
  the number must be valid for its region, so two spellings of one number are one phone.
- **States** are the USPS codes of the 50 states, DC and the five inhabited territories
  (AS GU MP PR VI), from the maintained ``us`` package; case-insensitive in, upper-case out.
- **Special statuses** are the seed's closed set ``veteran``, ``handicap``, ``student``
  (``processor.domain.commands.SpecialStatus``), kept as a set: the item carries a string set plus
  ``special_status_indicator = "yes"``, and both are REMOVED with the last status (the seed,
  iteration 6), so the customer leaves the sparse index.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import get_args

from acme_base.errors import InvalidInput
from processor.domain.commands import SpecialStatus
from processor.domain.contact import normalize_phone, parse_state
from processor.domain.parsing import text_problem

__all__ = [
    "MAX_NAME",
    "STATUSES",
    "Changes",
    "Customer",
    "apply_changes",
    "check_name",
    "normalize_phone",
    "parse_state",
]

MAX_NAME = 100
STATUSES: tuple[str, ...] = get_args(SpecialStatus)


def check_name(text: str) -> str:
    """Stripped, 1..MAX_NAME characters, no control characters."""
    name = text.strip()
    if not 1 <= len(name) <= MAX_NAME:
        raise InvalidInput(f"must be 1-{MAX_NAME} characters, not {len(name)}")
    problem = text_problem(name)
    if problem is not None:
        raise InvalidInput(problem)
    return name


@dataclass(frozen=True)
class Customer:
    """A customer as stored (``PK = SK = CUST#<id>``); ``version`` starts at 1 and moves by
    one with every change (optimistic concurrency); ``fingerprint`` is the registering
    command's, so a resent registration is recognised after later updates."""

    customer_id: str
    name: str
    phone: str
    state: str
    special_status: frozenset[str] = frozenset()
    created_at: str = ""
    updated_at: str = ""
    version: int = 1
    fingerprint: str = ""


@dataclass(frozen=True)
class Changes:
    """What an ``update_customer`` asks for (already validated and normalised)."""

    name: str | None = None
    phone: str | None = None
    state: str | None = None
    add_special_status: frozenset[str] = frozenset()
    remove_special_status: frozenset[str] = frozenset()


def apply_changes(before: Customer, changes: Changes, now: str) -> tuple[Customer, list[str]]:
    """The customer after ``changes`` and the names of the fields that really changed (none:
    ``before`` itself, nothing to write)."""
    statuses = (before.special_status | changes.add_special_status) - (
        changes.remove_special_status
    )
    after = replace(
        before,
        name=changes.name if changes.name is not None else before.name,
        phone=changes.phone if changes.phone is not None else before.phone,
        state=changes.state if changes.state is not None else before.state,
        special_status=statuses,
    )
    changed = [
        f
        for f in ("name", "phone", "state", "special_status")
        if getattr(after, f) != getattr(before, f)
    ]
    if not changed:
        return before, []
    return replace(after, updated_at=now, version=before.version + 1), changed
