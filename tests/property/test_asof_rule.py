"""The as-of rule on the in-memory twins: for random histories with backdated commands, the
balance as of every effective time T is the sum of the approved postings effective by T
(whatever order they were recorded in), and as known at a recorded time K only the events
recorded by K count. No command may take effect before its account's opening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from acme_base.settings import Settings
from acme_txn.bootstrap import bootstrap
from processor.domain.asof_rule import recorded
from processor.domain.events import LedgerEvent, signed_amount

TWINS = True  # tests/property/conftest.py: no DynamoDB Local for this module

OPENED = datetime(2026, 11, 20, 12, tzinfo=UTC)
ACCOUNTS = ("A", "B")

#: (kind, account, amount in cents, effective time in minutes from the opening; negative: before)
steps = st.lists(
    st.tuples(
        st.sampled_from(["credit", "debit", "transfer"]),
        st.sampled_from(ACCOUNTS),
        st.integers(1, 9_000),
        st.integers(-600, 4 * 1440),
    ),
    min_size=1,
    max_size=25,
)


class Clock:
    """The ledger's clock: a minute on per command, starting at the opening."""

    def __init__(self) -> None:
        self.now = OPENED

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=61)
        return self.now


def run(drawn: list[tuple[str, str, int, int]]) -> tuple[Any, list[dict[str, Any]]]:
    app = bootstrap(Settings(table_prefix="memory"), memory=True)
    clock = Clock()
    ledger = app.new_ledger(clock=clock)
    clock.now = OPENED - timedelta(seconds=61)
    ledger.submit_raw({"type": "register_customer", "customer_id": "C", "name": "Ada Li",
                       "phone": "+12125550101", "state": "NY", "special_status": []})  # fmt: skip
    for account in ACCOUNTS:
        clock.now = OPENED - timedelta(seconds=61)  # both opened at OPENED exactly
        assert (
            ledger.submit_raw(
                {"type": "open_account", "account_id": account, "customer_id": "C"}
            ).status
            == "opened"
        )
    # the commands are recorded after every effective time drawn (the ledger refuses a time
    # ahead of its clock), in an order unrelated to their effective times
    clock.now = OPENED + timedelta(days=5)
    outcomes = []
    for i, (kind, account, cents, minutes) in enumerate(drawn):
        at = (OPENED + timedelta(minutes=minutes)).isoformat()
        cmd: dict[str, Any] = {"type": kind, "txn_id": f"T{i}", "amount": f"{cents / 100:.2f}",
                               "occurred_at": at}  # fmt: skip
        if kind == "transfer":
            other = next(a for a in ACCOUNTS if a != account)
            cmd |= {"from_account": account, "to_account": other}
        else:
            cmd["account_id"] = account
        outcomes.append({"cmd": cmd, "outcome": ledger.submit_raw(cmd)})
    return app, outcomes


def expected(events: list[LedgerEvent], at: datetime, known: datetime | None) -> int | None:
    """The rule, straight from the log: the approved postings effective by ``at`` (among
    those recorded by ``known``); None when the account was not open at ``at``."""
    if events[0].occurred_at > at or (known is not None and recorded(events[0]) > known):
        return None
    return sum(
        signed_amount(e)
        for e in events
        if e.occurred_at <= at and (known is None or recorded(e) <= known)
    )


def instants(events: list[LedgerEvent]) -> list[datetime]:
    """Every event's effective and recorded time, a second either side, and the extremes."""
    times = {OPENED - timedelta(days=1), OPENED + timedelta(days=30)}
    for event in events:
        for t in (event.occurred_at, recorded(event)):
            times |= {t, t - timedelta(seconds=1), t + timedelta(seconds=1)}
    return sorted(times)


@given(drawn=steps, data=st.data())
def test_given_backdated_histories_when_asked_as_of_any_time_then_the_sum_effective_by_then(
    drawn: list[tuple[str, str, int, int]], data: st.DataObject
) -> None:
    """GIVEN random credits, debits and transfers, many backdated (even before the opening)
    WHEN the balance is asked as of every interesting instant T (and as known at a drawn K)
    THEN it is the sum of the approved postings effective by T (recorded by K)."""
    app, _ = run(drawn)
    for account in ACCOUNTS:
        events = list(app.event_store.events(account))
        times = instants(events)
        known_ats = [None, *data.draw(st.lists(st.sampled_from(times), max_size=2))]
        for known in known_ats:
            for at in times:
                answer = app.asof.balance_at(account, at, known)
                got = None if answer is None else answer.balance
                assert got == expected(events, at, known), (account, at, known)


@given(drawn=steps)
def test_given_any_history_then_no_event_takes_effect_before_its_accounts_opening(
    drawn: list[tuple[str, str, int, int]],
) -> None:
    """GIVEN commands dated before the accounts' opening WHEN submitted THEN each is rejected
    with a reason that says so, and no event is effective before its account's opening."""
    app, outcomes = run(drawn)
    for account in ACCOUNTS:
        events = list(app.event_store.events(account))
        assert all(e.occurred_at >= events[0].occurred_at for e in events), account
    for step in outcomes:
        if datetime.fromisoformat(step["cmd"]["occurred_at"]) < OPENED:
            outcome = step["outcome"]
            assert outcome.status == "rejected", (step["cmd"], outcome)
            assert "before" in (outcome.error or "") and "opened" in (outcome.error or "")
