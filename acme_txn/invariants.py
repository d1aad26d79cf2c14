"""Ledger invariants checked against the stored event log (demo, tests, property suite)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from processor.domain.currency import DEFAULT_CURRENCY
from processor.domain.decide import InvariantViolation, evolve
from processor.domain.events import NON_MONEY_KINDS, LedgerEvent, signed_amount
from processor.domain.money import format_minor
from processor.domain.outcomes import Outcome


@dataclass
class LedgerCheck:
    """What was checked and every violation found (empty ``problems`` means all held)."""

    accounts: int = 0
    events: int = 0
    approved: int = 0
    declined: int = 0
    total_balance: int = 0  # of the default currency (USD); every currency: ``by_currency``
    net_flow: int = 0
    #: per currency: (sum of balances, approved credits - approved debits), in its minor units
    by_currency: dict[str, tuple[int, int]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_log(events: Iterable[LedgerEvent], outcomes: Iterable[Outcome] = ()) -> LedgerCheck:
    by_account: dict[str, list[LedgerEvent]] = defaultdict(list)
    for event in events:
        by_account[event.account_id].append(event)
    result = LedgerCheck(accounts=len(by_account))
    txn_accounts: Counter[tuple[str, str]] = Counter()
    balances: Counter[str] = Counter()
    flows: Counter[str] = Counter()
    for account_id, stream in by_account.items():
        stream.sort(key=lambda e: e.seq)
        state = None
        for event in stream:
            result.events += 1
            txn_accounts[(event.txn_id, account_id)] += 1
            result.approved += event.approved and event.kind not in NON_MONEY_KINDS
            result.declined += not event.approved
            if event.kind not in {"open", "transfer_in", "transfer_out"}:
                flows[event.currency] += signed_amount(event)
            try:
                state = evolve(state, event)
            except InvariantViolation as exc:
                result.problems.append(str(exc))
                break
        if state is not None:
            balances[stream[0].currency] += state.balance
    result.checked.append("seq numbers contiguous from 0 in every account")
    result.checked.append("every balance_after equals the running sum; within the limits")
    result.checked.append("no money leaves a blocked account; every event carries the block flag")
    result.problems += [
        f"txn {t} has {n} events on {a}" for (t, a), n in txn_accounts.items() if n > 1
    ]
    result.checked.append("at most one event per txn id per account")
    _check_conservation(result, balances, flows)
    _check_outcomes(by_account, outcomes, result)
    return result


def _check_conservation(result: LedgerCheck, balances: Counter[str], flows: Counter[str]) -> None:
    """Per currency (minor units of two currencies are never added): sum of balances =
    approved credits - approved debits, shown in the currency's own exponent."""
    for code in sorted(set(balances) | set(flows)):
        result.by_currency[code] = (balances[code], flows[code])
        if balances[code] != flows[code]:
            result.problems.append(
                f"money not conserved in {code}: balances {format_minor(balances[code], code)}"
                f" != credits - debits {format_minor(flows[code], code)}"
            )
    result.total_balance, result.net_flow = result.by_currency.get(DEFAULT_CURRENCY, (0, 0))
    result.checked.append("per currency: sum of balances = approved credits - approved debits")


def _check_outcomes(
    by_account: dict[str, list[LedgerEvent]], outcomes: Iterable[Outcome], result: LedgerCheck
) -> None:
    index = {(e.account_id, e.seq): e for stream in by_account.values() for e in stream}
    n = 0
    for outcome in outcomes:
        if outcome.status not in {
            "opened",
            "approved",
            "declined",
            "duplicate",
            "blocked",
            "unblocked",
            "limits_set",
            "closed",
        }:
            continue
        n += 1
        for account, seq, balance in (
            (outcome.account_id, outcome.seq, outcome.balance_after),
            (outcome.to_account, outcome.to_seq, outcome.to_balance_after),
        ):
            if account is None or seq is None:
                continue
            event = index.get((account, seq))
            if event is None or not _same_txn(event, outcome):
                result.problems.append(f"outcome of {outcome.txn_id} names no stored event")
            elif format_minor(event.balance_after, event.currency) != balance:
                result.problems.append(
                    f"outcome of {outcome.txn_id} says {balance}, "
                    f"stored event says {format_minor(event.balance_after, event.currency)}"
                )
    if n:
        result.checked.append(f"{n} outcomes agree with their stored events")


def _same_txn(event: LedgerEvent, outcome: Outcome) -> bool:
    """Outcomes of open_account (and their duplicates) carry no txn id: they name seq 0."""
    if outcome.txn_id is None:
        return event.kind == "open"
    return event.txn_id == outcome.txn_id
