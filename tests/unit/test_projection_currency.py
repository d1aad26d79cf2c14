"""Daily totals per currency (issue 11 item 4), pure: the real planning and the in-memory
view store against an independent fold; reports and reconcile in each currency's exponent."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from processor.domain.events import CREDIT_KINDS, NON_MONEY_KINDS, LedgerEvent
from projections.memory import MemoryViewStore
from projections.model import DailyTotals, Snapshot, fold_all
from projections.plan import Run, chunk_run, split_batch
from projections.reconcile import compare
from projections.reports import daily_report
from tests.projection_logs import DAYS, build_log, logs

CURRENCIES = ("USD", "EUR", "JPY", "BHD")


def priced(log: Sequence[LedgerEvent], currency_of: dict[str, str]) -> list[LedgerEvent]:
    """Each account's events in that account's currency (minor units unchanged)."""
    return [replace(e, currency=currency_of[e.account_id]) for e in log]


multi_currency_logs = logs.flatmap(
    lambda log: st.fixed_dictionaries(
        {a: st.sampled_from(CURRENCIES) for a in sorted({e.account_id for e in log})}
    ).map(lambda chosen: priced(log, chosen))
)


def independent_fold(log: Sequence[LedgerEvent]) -> dict[str, dict[str, DailyTotals]]:
    """Per day and currency, from scratch (not ``projections.model``)."""
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for e in log:
        if e.kind in NON_MONEY_KINDS:
            continue
        c = counts[(e.txn_date, e.currency)]
        c["txn_count"] += 1
        if not e.approved:
            c["declined_count"] += 1
            c["declined_total"] += e.amount
        else:
            c["approved_count"] += 1
            c["credit_total" if e.kind in CREDIT_KINDS else "debit_total"] += e.amount
    out: dict[str, dict[str, DailyTotals]] = {d: {} for d in DAYS}
    for (day, code), c in counts.items():
        out[day][code] = DailyTotals(**c)
    return out


def project(log: Sequence[LedgerEvent]) -> MemoryViewStore:
    views = MemoryViewStore()
    for batch in split_batch(log):
        for chunk in chunk_run(batch.account_id, Run(-1, batch.events, 0, 0)):
            views.apply(chunk)
    return views


@given(multi_currency_logs)
def test_given_accounts_in_several_currencies_when_projected_then_totals_per_currency(
    log: list[LedgerEvent],
) -> None:
    # GIVEN accounts in USD, EUR, JPY, BHD; WHEN their events are projected
    views = project(log)
    # THEN each (day, currency) holds that currency's events alone: never a sum of two
    assert views.daily_by_currency(DAYS) == independent_fold(log)
    assert compare(fold_all(log), views.snapshot()).ok


def test_given_jpy_and_usd_on_one_day_then_report_rows_per_currency_in_its_exponent() -> None:
    # GIVEN a USD account and a JPY account, both credited 500 minor units on day 0
    usd = build_log({"A1": [("credit", 500, 0, 9)]})
    jpy = priced(build_log({"B7": [("credit", 500, 0, 9), ("debit", 900, 0, 10)]}), {"B7": "JPY"})
    views = project([*usd, *jpy])
    # WHEN the daily report is read for day 0 and an idle day 1
    rows = daily_report(views, DAYS[:2])
    # THEN one row per currency with activity (date, then currency), money in its exponent;
    # the idle day keeps the single-currency shape: one zero row in USD
    assert [(r["date"], r["currency"], r["credit_total"]) for r in rows] == [
        (DAYS[0], "JPY", "500"),
        (DAYS[0], "USD", "5.00"),
        (DAYS[1], "USD", "0.00"),
    ]
    assert rows[0]["declined_total"] == "900" and rows[0]["txn_count"] == 2


def test_given_a_drifted_jpy_total_then_reconcile_names_the_currency_and_its_exponent() -> None:
    # GIVEN the fold of a JPY and a BHD account, and a read model with each total off by one
    log = [
        *priced(build_log({"B7": [("credit", 500, 0, 9)]}), {"B7": "JPY"}),
        *priced(build_log({"A1": [("credit", 5, 0, 9)]}), {"A1": "BHD"}),
    ]
    truth = fold_all(log)
    drifted = {k: DailyTotals(1, 1, 0, t.credit_total + 1, 0, 0) for k, t in truth.daily.items()}
    # WHEN compared
    result = compare(truth, Snapshot(truth.balances, drifted, truth.declined))
    # THEN one mismatch per (day, currency), each shown in that currency's exponent
    shown = sorted(
        (m.key, m.as_dict()["expected"], m.as_dict()["actual"]) for m in result.mismatches
    )
    assert shown == [(f"{DAYS[0]} BHD", "0.005", "0.006"), (f"{DAYS[0]} JPY", "500", "501")]
