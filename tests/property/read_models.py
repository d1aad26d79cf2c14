"""The read models as the DESIGN defines them, folded from scratch over the events: the
independent fold the projecting machine compares the real projections against."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from processor.domain.events import LedgerEvent

DAILY = (
    "txn_count",
    "approved_count",
    "declined_count",
    "credit_total",
    "debit_total",
    "declined_total",
)
#: a day's totals in one currency (minor units of two currencies are never added)
DayKey = tuple[str, str]  # (txn_date, currency)
Views = tuple[
    dict[str, tuple[int, int]],
    dict[DayKey, dict[str, int]],
    dict[tuple[str, int], tuple[str, str, int, str]],
]


def fold_views(events: Iterable[LedgerEvent]) -> Views:
    """Balances, daily totals and declined entries as the DESIGN defines them, from scratch."""
    balances: dict[str, tuple[int, int]] = {}
    daily: dict[DayKey, Counter[str]] = defaultdict(Counter)
    declined: dict[tuple[str, int], tuple[str, str, int, str]] = {}
    for e in sorted(events, key=lambda e: (e.account_id, e.seq)):
        balance = balances.get(e.account_id, (0, -1))[0]
        if e.approved and e.kind in {"credit", "transfer_in"}:
            balance += e.amount
        elif e.approved and e.kind in {"debit", "transfer_out"}:
            balance -= e.amount
        balances[e.account_id] = (balance, e.seq)
        if e.kind in {"open", "block", "unblock", "limits", "close"}:  # no money moves: no totals
            continue
        day = daily[(e.txn_date, e.currency)]
        day["txn_count"] += 1
        if e.approved:
            day["approved_count"] += 1
            day["credit_total" if e.kind in {"credit", "transfer_in"} else "debit_total"] += (
                e.amount
            )
        else:
            day["declined_count"] += 1
            day["declined_total"] += e.amount
            declined[(e.account_id, e.seq)] = (
                e.txn_id,
                str(e.decline_reason),
                e.amount,
                e.txn_date,
            )
    return balances, {d: {f: c[f] for f in DAILY} for d, c in daily.items()}, declined
