"""Reconciliation: the stored read models against the fold of the event log.

Daily totals are compared per ``(date, currency)`` (key text ``"2026-11-20 EUR"``); every
money value of a mismatch is shown in its currency's exponent.

``compare`` is pure (two ``Snapshot``s in, every mismatch out); ``reconcile`` reads the event
log (``processor.storage.ports.EventReader``) and the view store (``projections.ports.ViewStore``)
and
compares them up to what was projected: an account's events after its view's ``applied_seq``
(all of them, for an account without a view) are not compared but counted as
``records_behind``. So a projection that is merely behind has no mismatches (not ``ok``
either), and a mismatch always means a damaged read model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from processor.domain.currency import DEFAULT_CURRENCY, codes
from processor.domain.events import LedgerEvent
from processor.domain.money import format_minor
from processor.storage.ports import EventReader
from projections.items import BALANCE, DAILY, DECLINED
from projections.model import (
    DAILY_FIELDS,
    MONEY_FIELDS,
    BalanceView,
    DailyTotals,
    DeclinedEntry,
    Snapshot,
    fold_all,
)
from projections.ports import ViewStore

K = TypeVar("K")
V = TypeVar("V")
MODELS = (BALANCE, DAILY, DECLINED)
#: what a balance view must agree on with the log's fold (the pendings: issue 11)
BALANCE_FIELDS = ("balance", "applied_seq", "currency", "pending_debits", "pending_credits")


@dataclass(frozen=True)
class Mismatch:
    model: str  # balance | daily | declined
    key: str  # account id, "date currency", or account#seq
    field: str  # the differing field, or "presence"
    expected: Any  # from the event log
    actual: Any  # from the read model
    currency: str = DEFAULT_CURRENCY  # the money fields' currency

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "key": self.key,
            "field": self.field,
            "expected": _show(self.field, self.expected, self.currency),
            "actual": _show(self.field, self.actual, self.currency),
        }

    def line(self) -> str:
        d = self.as_dict()
        return (
            f"{d['model']:<8} {d['key']:<24} {d['field']:<16} log={d['expected']} "
            f"view={d['actual']}"
        )


def _show(name: str, value: Any, currency: str) -> Any:
    """Money in its currency's exponent (JPY 500 shows "500", BHD 5 shows "0.005")."""
    if name in MONEY_FIELDS and isinstance(value, int) and not isinstance(value, bool):
        return format_minor(value, currency)
    return value


@dataclass
class Reconciliation:
    accounts_checked: int = 0
    days_checked: int = 0
    declined_checked: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    records_behind: int = 0  # events of the log not projected yet: not compared

    @property
    def ok(self) -> bool:
        """Current and undamaged."""
        return not self.mismatches and not self.records_behind

    @property
    def damaged(self) -> bool:
        return bool(self.mismatches)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "damaged": self.damaged,
            "records_behind": self.records_behind,
            "accounts_checked": self.accounts_checked,
            "days_checked": self.days_checked,
            "declined_checked": self.declined_checked,
            "mismatches": [m.as_dict() for m in self.mismatches],
        }


def _diff(
    model: str,
    expected: Mapping[K, V],
    actual: Mapping[K, V],
    names: Iterable[str],
    *,
    key_text: Any = str,
    currency: Callable[[K, V], str] = lambda _k, v: _currency(getattr(v, "currency", "")),
) -> list[Mismatch]:
    """Every key missing on one side, and every differing field of keys on both (money shown
    in ``currency(key, value)``'s exponent)."""
    out: list[Mismatch] = []
    names = list(names)
    for key in sorted(set(expected) | set(actual), key=str):
        text = key_text(key)
        want, have = expected.get(key), actual.get(key)
        if want is None or have is None:
            out.append(Mismatch(model, text, "presence", want is not None, have is not None))
            continue
        code = currency(key, want)
        out += [
            Mismatch(model, text, n, getattr(want, n), getattr(have, n), code)
            for n in names
            if getattr(want, n) != getattr(have, n)
        ]
    return out


def _currency(code: str) -> str:
    """A currency to format with: a view's own, else (unknown or empty) the default."""
    return code if code in codes() else DEFAULT_CURRENCY


def compare(expected: Snapshot, actual: Snapshot, models: Iterable[str] = MODELS) -> Reconciliation:
    """Every mismatch between two snapshots (``expected`` is normally the log's fold)."""
    models = set(models)
    result = Reconciliation()
    if BALANCE in models:
        result.accounts_checked = len(set(expected.balances) | set(actual.balances))
        result.mismatches += _diff(BALANCE, expected.balances, actual.balances, BALANCE_FIELDS)
    if DAILY in models:
        nonzero = {d: t for d, t in actual.daily.items() if not t.empty}
        result.days_checked = len(set(expected.daily) | set(nonzero))
        result.mismatches += _diff(
            DAILY,
            expected.daily,
            nonzero,
            DAILY_FIELDS,
            key_text=lambda k: f"{k[0]} {k[1]}",
            currency=lambda k, _v: _currency(k[1]),
        )
    if DECLINED in models:
        result.declined_checked = len(set(expected.declined) | set(actual.declined))
        result.mismatches += _diff(
            DECLINED,
            expected.declined,
            actual.declined,
            ("txn_id", "reason", "amount", "txn_date", "occurred_at", "kind", "currency"),
            key_text=lambda k: f"{k[0]}#{k[1]}",
        )
    return result


def reconcile_events(events: Iterable[LedgerEvent], views: ViewStore) -> Reconciliation:
    """``events`` (any order, duplicates allowed) against the stored read models, up to each
    account's ``applied_seq`` (the rest is ``records_behind``)."""
    actual = views.snapshot()
    applied = {account: view.applied_seq for account, view in actual.balances.items()}
    projected: list[LedgerEvent] = []
    behind: set[tuple[str, int]] = set()
    for event in events:
        if event.seq <= applied.get(event.account_id, -1):
            projected.append(event)
        else:
            behind.add((event.account_id, event.seq))
    result = compare(fold_all(projected), actual)
    result.records_behind = len(behind)
    return result


def reconcile(events: EventReader, views: ViewStore) -> Reconciliation:
    """Balances, daily totals and the declined index against the fold of the event log."""
    return reconcile_events(events.all_events(), views)


__all__ = [
    "BalanceView",
    "DailyTotals",
    "DeclinedEntry",
    "Mismatch",
    "Reconciliation",
    "compare",
    "reconcile",
    "reconcile_events",
]
