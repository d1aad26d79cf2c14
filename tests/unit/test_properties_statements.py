"""Statements and ``--as-of`` over random decided histories (pure; GSI1 emulated by sorting
the event items by ``GSI1SK``, as the index does)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from processor.domain import asof_rule
from processor.domain.commands import parse_command
from processor.domain.decide import AccountState, apply_all, decide, fold
from processor.domain.events import LedgerEvent
from processor.reads.statements import build_statement
from processor.storage.codec import event_to_item
from tests.property.strategies import ACCOUNT_POOL, money_commands

BASE = datetime(2024, 1, 1, tzinfo=UTC)
steps = st.lists(
    st.tuples(money_commands(with_time=False), st.integers(0, 40)), min_size=1, max_size=30
)


def history(drawn: list[tuple[dict[str, Any], int]]) -> list[LedgerEvent]:
    """Open the pool, then decide each command at a time ``hours`` after the previous one."""
    states: dict[str, AccountState] = {}
    events: list[LedgerEvent] = []
    for account in ACCOUNT_POOL:
        cmd = parse_command({"type": "open_account", "account_id": account, "customer_id": "C"})
        opened = decide(states, cmd, BASE)
        states = apply_all(states, opened)
        events += opened
    at = BASE
    for i, (raw, hours) in enumerate(drawn):
        at += timedelta(hours=hours, minutes=1)
        cmd = parse_command({**raw, "txn_id": f"T{i}", "occurred_at": at.isoformat()})
        new = decide(states, cmd, at)
        states = apply_all(states, new)
        events += new
    return events


def gsi1(events: list[LedgerEvent], account: str) -> list[dict[str, Any]]:
    items = [event_to_item(e) for e in events if e.account_id == account]
    return sorted(items, key=lambda i: str(i["GSI1SK"]))


def money_items(items: list[dict[str, Any]], first: str, last: str) -> list[dict[str, Any]]:
    """GSI1's range read of a statement (the non-money kinds filtered out, as NOT_OPEN)."""
    money = {"credit", "debit", "transfer_in", "transfer_out"}
    return [i for i in items if first <= i["txn_date"] <= last and i["kind"] in money]


@given(drawn=steps, cuts=st.lists(st.integers(0, 60), min_size=1, max_size=4))
def test_given_any_history_when_stated_in_pieces_then_each_reconciles_and_they_chain(
    drawn: list[tuple[dict[str, Any], int]], cuts: list[int]
) -> None:
    """GIVEN a random history cut into consecutive statements WHEN each is built THEN opening +
    credits - debits = closing, every running balance is the ledger's, each opens with the
    previous closing, and the last closes at the fold of the whole log."""
    events = history(drawn)
    days = sorted({BASE.date() + timedelta(days=c) for c in cuts})
    for account in ACCOUNT_POOL:
        items = gsi1(events, account)
        bounds = [BASE.date() - timedelta(days=1), *days, BASE.date() + timedelta(days=99)]
        previous_closing = 0
        for lo, hi in itertools.pairwise(bounds):
            first, last = (lo + timedelta(days=1)).isoformat(), hi.isoformat()
            before = [i for i in items if i["txn_date"] < first]
            statement = build_statement(
                account,
                "USD",
                date_from=first,
                date_to=last,
                opening=int(before[-1]["balance_after"]) if before else 0,
                items=money_items(items, first, last),
            )
            assert statement.opening == previous_closing
            assert statement.reconciles, statement.to_json()
            previous_closing = statement.closing
        state = fold(e for e in events if e.account_id == account)
        assert state is not None and previous_closing == state.balance


@given(drawn=steps, data=st.data())
def test_given_any_history_when_asked_as_of_an_instant_then_the_fold_of_the_prefix(
    drawn: list[tuple[dict[str, Any], int]], data: st.DataObject
) -> None:
    """GIVEN a random history WHEN the balance at an instant (often exactly an event's time)
    is answered from the head and the events effective after it THEN it equals folding the
    log up to that instant."""
    events = history(drawn)
    times = sorted({e.occurred_at for e in events})
    at = data.draw(st.sampled_from(times)) + data.draw(
        st.sampled_from([timedelta(0), timedelta(seconds=-1), timedelta(seconds=30)])
    )
    for account in ACCOUNT_POOL:
        own = [e for e in events if e.account_id == account]
        later = [e for e in own if e.txn_date >= at.date().isoformat()]
        answer = asof_rule.balance_as_of(own[-1], later, at)  # by module: a mutant patches it
        prefix = [e for e in own if e.seq == 0 or e.occurred_at <= at]
        state = fold(prefix)
        assert state is not None
        assert (answer[0] if answer else 0) == state.balance


@given(count=st.integers(0, 10_000), data=st.data())
def test_given_any_day_when_charted_then_the_declined_rate_is_a_share(
    count: int, data: st.DataObject
) -> None:
    """GIVEN a day's counts WHEN its declined rate is charted THEN it is 100 * declined / count,
    within 0..100, and 0 on a day without transactions."""
    from acme_txn.cli.report_render import declined_rate

    declined = data.draw(st.integers(0, count))
    rate = declined_rate({"txn_count": count, "declined_count": declined})
    assert 0.0 <= rate <= 100.0
    assert rate == (100.0 * declined / count if count else 0.0)
