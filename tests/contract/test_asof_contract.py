"""The as-of reads' source contract: the in-memory twin (``processor.reads.asof_memory``) and
the DynamoDB adapter (the ledger table and its GSI1) give the same events in the same order
for each of the three reads, so ``AsOfReads`` answers alike on both (the as-of rules run on
the twins: tests/app/test_statements.py).

One history is written to each backend through the ledger: money events over three days, a
credit recorded late but effective earlier (backdated), and a hold still pending.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from acme_txn.bootstrap import App
from processor.domain.events import LedgerEvent
from processor.reads.asof import AsOf
from tests.app.test_statements import DAYS, _at, with_history

DAYS_ASKED = ("2024-02-29", *DAYS, "2024-03-04")
INSTANTS = [
    datetime(2024, 2, 29, tzinfo=UTC),
    *(datetime.fromisoformat(_at(d, h).replace("Z", "+00:00")) for d in range(3) for h in (9, 13)),
    datetime(2024, 3, 4, tzinfo=UTC),
]


def history(app: App) -> App:
    with_history(app)
    for raw in (
        {"type": "credit", "txn_id": "L1", "account_id": "A1", "amount": "5.00",
         "occurred_at": _at(0, 12)},
        {"type": "debit", "txn_id": "H1", "account_id": "A1", "amount": "1.00",
         "pending": True, "occurred_at": _at(2, 21)},
    ):  # fmt: skip
        outcome = app.ledger.submit_raw(raw)
        assert outcome.status in {"approved", "pending"}, outcome
    return app


def keys(events: Any) -> list[tuple[str, int, str]]:
    found: list[LedgerEvent] = list(events)
    return [(e.account_id, e.seq, e.txn_id) for e in found]


def answer(found: AsOf | None) -> tuple[Any, ...] | None:
    """An answer without the instants it was recorded at (each backend wrote its own)."""
    if found is None:
        return None
    return (found.balance, found.currency, found.seq, found.occurred_at, found.backdated,
            found.later_postings, found.pending_debits, found.pending_credits,
            found.available)  # fmt: skip


def test_given_one_history_on_each_backend_then_the_sources_and_answers_agree(
    memory_app: App, app: App
) -> None:
    twin, dynamodb = history(memory_app).asof.source, history(app).asof.source
    assert keys(twin.newest_first("A1")) == keys(dynamodb.newest_first("A1"))
    for day in DAYS_ASKED:
        assert keys(twin.effective_from("A1", day)) == keys(dynamodb.effective_from("A1", day))
        assert keys(twin.newest_by("A1", day)) == keys(dynamodb.newest_by("A1", day))
    answers = [(answer(memory_app.asof.balance_at("A1", at)), at) for at in INSTANTS]
    assert answers == [(answer(app.asof.balance_at("A1", at)), at) for at in INSTANTS]
    assert {a[0][4] for a in answers if a[0] is not None} == {False, True}  # backdated seen
    assert answer(memory_app.asof.balance_at("NOPE", INSTANTS[-1])) is None
    assert answer(app.asof.balance_at("NOPE", INSTANTS[-1])) is None


def test_given_one_history_on_each_backend_then_statements_and_the_account_list_agree(
    memory_app: App, app: App
) -> None:
    # GIVEN the same history on the twin and on DynamoDB Local
    history(memory_app)
    history(app)
    # WHEN each is asked for statements over several ranges, and for its accounts
    ranges = [
        (DAYS[0], DAYS[2]),
        (DAYS[1], DAYS[1]),
        ("2024-02-01", "2024-02-28"),
        *[(d, d) for d in DAYS],
    ]
    on_twin = [memory_app.asof.statement("A1", a, b, "USD").to_json() for a, b in ranges]
    on_dynamodb = [app.asof.statement("A1", a, b, "USD").to_json() for a, b in ranges]
    # THEN the statements are the same, entries and totals (and not empty: money moved)
    assert on_twin == on_dynamodb
    assert any(s["entries"] for s in on_twin)
    assert not any(e["kind"] in {"open", "block", "unblock"} for s in on_twin for e in s["entries"])
    # AND both list the one account
    assert list(memory_app.asof.accounts()) == list(app.asof.accounts()) == ["A1"]
