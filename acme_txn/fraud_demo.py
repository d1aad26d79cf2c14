"""Demo data with planted fraud patterns, and the rules' precision on it.

``fraud_history(seed, normal, planted)`` gives the commands of a bank of quiet accounts
(``N<i>``: a few payments a day or two apart, amounts 20-150, two usual payees) and, for each
rule, ``planted`` accounts whose history hides that rule's pattern once, in otherwise normal
activity. The account id names the truth (``P-<rule>-<i>``), so ``score`` measures the rules
from the alerts alone: precision = alerts of the planted rule on its planted account / all
alerts; recall = planted accounts that raised their rule's alert / planted accounts.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from processor.domain.outcomes import Outcome
from processor.services.ledger import Ledger
from projections.fraud.config import RULE_NAMES
from projections.fraud.model import Alert

Command = dict[str, Any]
PLANTED_PREFIX = "P-"
DAYS = 120


class History:
    """Commands for one demo bank, each account's in its own time order."""

    def __init__(self, seed: int, start: datetime) -> None:
        self.rng = random.Random(seed)
        self.start = start
        self.commands: list[Command] = []
        self.customers = 0
        self.txns = 0

    def open(self, account: str, funds: str = "5000.00") -> None:
        self.customers += 1
        cid = f"FC{self.customers}"
        self.commands += [
            {
                "type": "register_customer",
                "customer_id": cid,
                "name": f"Demo Customer {self.customers}",
                "phone": f"+1646555{self.customers:04d}",
                "state": "NY",
            },
            {
                "type": "open_account",
                "account_id": account,
                "customer_id": cid,
                "currency": "USD",
                "occurred_at": self._at(0),
            },  # its history starts then: nothing before it
        ]
        self.credit(account, funds, 0.0)

    def _at(self, day: float) -> str:
        return (self.start + timedelta(days=day)).isoformat().replace("+00:00", "Z")

    def _txn(self, kind: str, day: float, amount: str, **fields: Any) -> None:
        self.txns += 1
        self.commands.append(
            {
                "type": kind,
                "txn_id": f"FT{self.txns}",
                "amount": amount,
                "occurred_at": self._at(day),
                **fields,
            }
        )

    def credit(self, account: str, amount: str, day: float) -> None:
        self._txn("credit", day, amount, account_id=account)

    def debit(self, account: str, amount: str, day: float) -> None:
        self._txn("debit", day, amount, account_id=account)

    def transfer(self, source: str, target: str, amount: str, day: float) -> None:
        self._txn("transfer", day, amount, from_account=source, to_account=target)

    def money(self, low: int = 20, high: int = 150) -> str:
        return f"{self.rng.randint(low, high - 1)}.{self.rng.randint(0, 99):02d}"

    def normal(self, account: str, payees: list[str], days: tuple[float, float]) -> None:
        """A quiet account's activity: a payment every 1-2.5 days, a salary every 14."""
        day = days[0] + self.rng.uniform(0.2, 1.0)
        while day < days[1]:
            if self.rng.random() < 0.3 and payees:
                self.transfer(account, self.rng.choice(payees), self.money(), day)
            else:
                self.debit(account, self.money(), day)
            if int(day) % 14 == 0:
                self.credit(account, "900.00", day + 0.01)
            day += self.rng.uniform(1.0, 2.5)


def _plant(h: History, rule: str, acct: str, normals: list[str]) -> None:
    funds = {"decline_velocity": "400.00", "amount_spike": "9000.00"}  # the spike is paid
    h.open(acct, funds.get(rule, "5000.00"))
    payees = normals[:2]
    if rule == "dormant":
        h.normal(acct, payees, (0, 10))
        h.debit(acct, h.money(), 110.3)
        return
    h.normal(acct, payees, (0, 100))
    # the pattern starts 5 minutes past a whole hour, so it fits the rules' tumbling windows
    # (an hour, 10 minutes, a day) instead of straddling two of them
    at = 100 + h.rng.randint(9, 16) / 24 + 5 / 1440
    minute = 1 / 1440
    if rule == "velocity":  # 12 payments in half an hour
        for i in range(12):
            h.debit(acct, h.money(30, 60), at + i * 2.5 * minute)
    elif rule == "decline_velocity":  # 5 payments the balance cannot cover, in 20 minutes
        for i in range(5):
            h.debit(acct, f"{50_000 + i}.00", at + i * 4 * minute)
    elif rule == "small_debit_burst":  # 6 payments under 5.00 in 5 minutes
        for i in range(6):
            h.debit(acct, h.money(1, 5), at + i * 50 / 86_400)
    elif rule == "repeated_amount":  # the same 99.99 four times in a day
        for i in range(4):
            h.debit(acct, "99.99", at + i * 0.1)
    elif rule == "amount_spike":  # one payment 20x the usual
        h.debit(acct, "2400.00", at)
    elif rule == "fan_out":  # transfers to 5 payees never paid before, in an afternoon
        for i, payee in enumerate(normals[2:7]):
            h.transfer(acct, payee, h.money(), at + i * 0.02)


def fraud_history(
    seed: int = 7, normal: int = 20, planted: int = 2, now: datetime | None = None
) -> tuple[list[Command], dict[str, str]]:
    """The demo bank's commands (submit them in this order) and its planted accounts -> rule."""
    end = (now or datetime.now(UTC)).replace(hour=0, minute=0, second=0, microsecond=0)
    h = History(seed, end - timedelta(days=DAYS))
    normals = [f"N{i}" for i in range(max(normal, 8))]
    for acct in normals:
        h.open(acct)
    for i, acct in enumerate(normals):
        h.normal(
            acct, [normals[(i + 1) % len(normals)], normals[(i + 2) % len(normals)]], (0, DAYS - 1)
        )
    truth = planted_accounts(planted)
    for acct, rule in truth.items():
        _plant(h, rule, acct, normals)
    # customers and accounts first, then every transaction in time order, as a bank sees them
    # (backdated writes would put an account's events out of time order)
    setup = [c for c in h.commands if "occurred_at" not in c]
    txns = sorted((c for c in h.commands if "occurred_at" in c), key=lambda c: c["occurred_at"])
    return setup + txns, truth


def replay(new_ledger: Callable[..., Ledger], commands: Iterable[Command]) -> list[Outcome]:
    """Submit the demo's commands as its bank would have lived them: on a ledger whose clock
    is each transaction's ``occurred_at`` (the setup at the first one's), so every event is
    recorded when it happened. The fraud rules window on ``recorded_at``: submitting 120
    days of history within a minute would be one burst, which is what a client backdating
    its payments looks like (``projections.fraud.rules``)."""
    chosen = list(commands)
    times = [_instant(c["occurred_at"]) for c in chosen if "occurred_at" in c]
    now = [min(times) if times else datetime.now(UTC)]
    ledger = new_ledger(clock=lambda: now[0])
    outcomes = []
    for command in chosen:
        if "occurred_at" in command:
            now[0] = max(now[0], _instant(command["occurred_at"]))
        outcomes.append(ledger.submit_raw(command))
    return outcomes


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def planted_accounts(planted: int) -> dict[str, str]:
    """The planted accounts of ``fraud_history(..., planted=planted)`` -> their rule."""
    return {f"{PLANTED_PREFIX}{rule}-{i}": rule for rule in RULE_NAMES for i in range(planted)}


def planted_rule(account_id: str) -> str | None:
    """The rule planted in a demo account (None: a normal account)."""
    if not account_id.startswith(PLANTED_PREFIX):
        return None
    rule = account_id[len(PLANTED_PREFIX) :].rsplit("-", 1)[0]
    return rule if rule in RULE_NAMES else None


def score(alerts: Iterable[Alert], truth: dict[str, str]) -> dict[str, Any]:
    """Precision and recall of the alerts against the planted patterns, overall and per rule."""
    alerts = list(alerts)
    hits = [a for a in alerts if planted_rule(a.account_id) == a.rule]
    planted = (
        sorted(truth)
        if truth is not None
        else sorted({a.account_id for a in alerts if planted_rule(a.account_id)})
    )
    found = {a.account_id for a in hits}
    per_rule = {}
    for rule in RULE_NAMES:
        mine = [a for a in alerts if a.rule == rule]
        good = [a for a in mine if planted_rule(a.account_id) == rule]
        per_rule[rule] = {"alerts": len(mine), "true": len(good)}
    return {
        "alerts": len(alerts),
        "true_alerts": len(hits),
        "precision": round(len(hits) / len(alerts), 3) if alerts else None,
        "planted": len(planted),
        "recall": round(len(found & set(planted)) / len(planted), 3) if planted else None,
        "false_alerts": [a.as_dict() for a in alerts if planted_rule(a.account_id) != a.rule],
        "per_rule": per_rule,
    }
