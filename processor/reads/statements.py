"""Account statements and point-in-time balances (pure: the reads are in ``processor.reads.asof``).

A statement is built from the event items of an account's date range, in the order of its
time-ordered index GSI1 (``GSI1SK = <txn_date>#<seq>``: by day, then by seq within a day),
and the opening balance: the balance as of the range's start (the sum of the postings
effective before it, ``processor.domain.asof_rule``), so a later backdated event is counted in
every statement of its effective day on.

Each entry's signed amount comes from its kind (a credit or incoming transfer adds, a debit
or outgoing transfer takes away, a decline moves nothing); an event kind this module does not
know moves the balance by the ledger's own ``balance_after`` difference. The running balance
is computed from the opening, and compared with every event's ``balance_after``: a statement
``reconciles`` when they all agree and the closing equals the ledger's. A history with a
backdated event (its seq is current, its effective date in the past) does not reconcile over
the ranges where its ``balance_after`` (which runs in recorded order) differs from the
balance by effective time. That is the analysts' "statements that do not reconcile" query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from acme_base.errors import InvalidInput
from processor.domain.money import format_minor

ADDS = frozenset({"credit", "transfer_in"})
TAKES = frozenset({"debit", "transfer_out"})
#: the columns of a statement's CSV (one row per entry)
ENTRY_COLUMNS = (
    "seq",
    "txn_id",
    "txn_date",
    "occurred_at",
    "kind",
    "status",
    "reason",
    "counterparty",
    "amount",
    "balance_after",
    "ledger_balance_after",
)


def parse_instant(text: str, flag: str = "--as-of") -> datetime:
    """``--as-of``: an aware ISO datetime, or a date meaning the end of that day (UTC)."""
    value = text.strip() if isinstance(text, str) else ""
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day, time.max, tzinfo=UTC)
        instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInput(
            f"{flag} {text!r} is not a date YYYY-MM-DD or an ISO time with a zone"
        ) from exc
    if instant.tzinfo is None:
        raise InvalidInput(f"{flag} {text!r} has no time zone (add Z or +hh:mm)")
    return instant.astimezone(UTC)


def occurred(item: Mapping[str, Any]) -> datetime:
    """An event item's effective time (stored as ISO text)."""
    return datetime.fromisoformat(str(item["occurred_at"]).replace("Z", "+00:00"))


def signed_amount(item: Mapping[str, Any], previous: int) -> int:
    """How an event moves the posted balance (minor units); see the module docstring."""
    amount = int(item.get("amount") or 0)
    if item.get("status") == "declined":
        return 0
    kind = item.get("kind")
    if kind in ADDS:
        return amount
    if kind in TAKES:
        return -amount
    return int(item["balance_after"]) - previous


@dataclass
class Statement:
    """One account's statement for ``date_from..date_to`` (minor units inside)."""

    account_id: str
    currency: str
    date_from: str
    date_to: str
    opening: int
    entries: list[dict[str, Any]] = field(default_factory=list)
    credits: int = 0
    debits: int = 0
    declined: int = 0
    ledger_closing: int | None = None
    mismatches: int = 0

    @property
    def closing(self) -> int:
        return self.opening + self.credits - self.debits

    @property
    def reconciles(self) -> bool:
        ledger = self.opening if self.ledger_closing is None else self.ledger_closing
        return self.mismatches == 0 and self.closing == ledger

    def add(self, item: Mapping[str, Any]) -> None:
        """One event item of the range, in index order."""
        before = self.closing
        delta = signed_amount(item, before)
        if delta >= 0:
            self.credits += delta
        else:
            self.debits -= delta
        self.declined += item.get("status") == "declined"
        ledger = int(item["balance_after"])
        self.ledger_closing = ledger
        self.mismatches += ledger != self.closing
        self.entries.append(self._entry(item, delta, ledger))

    def _entry(self, item: Mapping[str, Any], delta: int, ledger: int) -> dict[str, Any]:
        money = self.money
        return {
            "seq": int(item["seq"]),
            "txn_id": item.get("txn_id"),
            "txn_date": item.get("txn_date"),
            "occurred_at": item.get("occurred_at"),
            "kind": item.get("kind"),
            "status": item.get("status"),
            "reason": item.get("reason"),
            "counterparty": item.get("counterparty"),
            "amount": money(delta),
            "balance_after": money(self.closing),
            "ledger_balance_after": money(ledger),
        }

    def money(self, minor: int) -> str:
        return format_minor(minor, self.currency)

    def to_json(self) -> dict[str, Any]:
        money = self.money
        return {
            "account_id": self.account_id,
            "currency": self.currency,
            "from": self.date_from,
            "to": self.date_to,
            "opening_balance": money(self.opening),
            "entries": self.entries,
            "totals": {
                "credits": money(self.credits),
                "debits": money(self.debits),
                "net": money(self.credits - self.debits),
                "entries": len(self.entries),
                "declined": self.declined,
            },
            "closing_balance": money(self.closing),
            "ledger_closing_balance": money(
                self.opening if self.ledger_closing is None else self.ledger_closing
            ),
            "reconciles": self.reconciles,
        }


def build_statement(
    account_id: str,
    currency: str,
    *,
    date_from: str,
    date_to: str,
    opening: int,
    items: Iterable[Mapping[str, Any]],
) -> Statement:
    """The statement from the opening balance (the balance as of the range's start, by
    effective time: ``processor.reads.asof``) and the range's event items in index order."""
    statement = Statement(account_id, currency, date_from, date_to, opening)
    for item in items:
        statement.add(item)
    return statement
