"""The ledger's checks for the state machine: outcome comparison, the burst verdict (at most
one winner per txn id, the others duplicate or rejected) and the ledger invariant over every
event and idempotency record of the store against the model."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise
from typing import Any

from acme_txn.invariants import check_log
from processor.domain.events import LedgerEvent
from processor.domain.outcomes import Outcome
from processor.storage.ports import IdempotencyRecord
from tests.property.model import Model, canon, cents, payer

# Fields an outcome must reproduce exactly (``error`` wording is free).
OUTCOME_FIELDS = (
    "status",
    "txn_id",
    "account_id",
    "seq",
    "balance_after",
    "reason",
    "to_account",
    "to_seq",
    "to_balance_after",
)


def same_outcome(actual: Outcome, expected: Outcome) -> list[str]:
    """Differences that matter; for ``rejected`` only the status (nothing else is promised)."""
    if expected.status == "rejected" or actual.status == "rejected":
        if actual.status != expected.status:
            return [f"status {actual.status} (error {actual.error!r}), expected {expected.status}"]
        return [] if actual.error else ["rejected without an error message"]
    diffs = [
        f"{f}: {getattr(actual, f)!r} != expected {getattr(expected, f)!r}"
        for f in OUTCOME_FIELDS
        if getattr(actual, f) != getattr(expected, f)
    ]
    if expected.original_status and actual.original_status not in {None, expected.original_status}:
        diffs.append(f"original_status {actual.original_status} != {expected.original_status}")
    return diffs


def burst_winners(
    model: Model, cmds: list[dict[str, Any]], outcomes: list[Outcome]
) -> dict[str, int]:
    """Check every burst outcome per txn id; the index of each txn id's one winner."""
    by_txn: dict[str, list[int]] = defaultdict(list)
    for i, cmd in enumerate(cmds):
        by_txn[cmd["txn_id"]].append(i)
    winners: dict[str, int] = {}
    for txn_id, idx in by_txn.items():
        earlier = model.committed.get(txn_id)
        won = [i for i in idx if outcomes[i].status in {"approved", "declined"}]
        assert earlier is None or not won, f"{txn_id} was written twice"
        assert len(won) <= 1, f"{txn_id}: several winners {[outcomes[i] for i in won]}"
        if won:
            winners[txn_id] = won[0]
            assert model.predict(cmds[won[0]]).status != "rejected", (
                f"{txn_id} should have been rejected: {cmds[won[0]]}"
            )
        original = earlier.outcome if earlier else (outcomes[won[0]] if won else None)
        original_cmd = earlier.payload if earlier else (cmds[won[0]] if won else None)
        for i in idx:
            if won and i == won[0]:
                continue
            got = outcomes[i]
            if (
                original is not None
                and original_cmd is not None
                and (canon(cmds[i]) == canon(original_cmd))
            ):
                want = original.model_copy(update={"status": "duplicate"})
                assert not same_outcome(got, want), (cmds[i], got, want)
            else:
                assert got.status == "rejected", (cmds[i], got)
                if original is None:  # nothing won: the command itself must be invalid
                    assert model.predict(cmds[i]).status == "rejected", (cmds[i], got)
    return winners


def check_ledger(events: list[LedgerEvent], records: list[IdempotencyRecord], model: Model) -> None:
    """The ledger invariant over every event (in (account, seq) order) and every idempotency
    record of the store, read through its port."""
    check = check_log(events, model.outcomes)
    assert check.ok, check.problems
    streams: dict[str, list[LedgerEvent]] = defaultdict(list)
    for event in events:
        streams[event.account_id].append(event)
    assert set(streams) == set(model.accounts), (set(streams), set(model.accounts))
    for account_id, acct in model.accounts.items():
        stream = streams[account_id]
        assert [e.seq for e in stream] == list(range(acct.seq + 1)), (account_id, stream)
        assert stream[-1].balance_after == acct.balance >= -acct.credit_limit, (account_id, acct)
        assert [e.txn_id for e in stream[1:]] == acct.txn_ids, account_id
        assert stream[-1].blocked == acct.blocked, (account_id, acct)
        for prev, event in pairwise(stream):
            if not event.approved:  # a declined event changes no balance
                assert event.balance_after == prev.balance_after, (account_id, event)
            if prev.blocked and event.kind in {"debit", "transfer_out"}:
                assert not event.approved, f"money left blocked {account_id}: {event}"
    assert sum(streams[a][-1].balance_after for a in streams) == model.total()
    index = {(e.account_id, e.seq): e for e in events}
    by_txn = {r.txn_id: r for r in records}
    assert len(by_txn) == len(records), sorted(r.txn_id for r in records)
    assert set(by_txn) == set(model.committed), (sorted(by_txn), sorted(model.committed))
    for txn_id, done in model.committed.items():
        stored = by_txn[txn_id].outcome
        assert not same_outcome(stored, done.outcome), (txn_id, stored, done.outcome)
        assert by_txn[txn_id].fingerprint, txn_id
        event = index[(str(done.outcome.account_id), int(done.outcome.seq or 0))]
        status = {
            "block": "blocked",
            "unblock": "unblocked",
            "limits": "limits_set",
            "close": "closed",
        }.get(event.kind, event.status)
        assert (event.txn_id, status, event.amount, event.account_id) == (
            txn_id,
            done.outcome.status,
            cents(done.payload.get("amount", "0")),
            payer(done.payload),
        ), (txn_id, event, done)
        assert event.decline_reason == done.outcome.reason
        if done.outcome.to_seq is not None:
            leg = index[(str(done.outcome.to_account), done.outcome.to_seq)]
            assert (leg.txn_id, leg.kind, leg.amount) == (txn_id, "transfer_in", event.amount)
