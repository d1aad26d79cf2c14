"""Random ledger histories for the archival law (``tests/unit/test_properties_archive.py``):
the ledger machine's commands (``strategies.money_commands`` on its account pool) and the
rules around them (pendings and their resolution, block/unblock, limits, linked batches,
settling an account and closing it, resends), submitted to in-memory ledgers on a clock
that moves a day per command, so a cut date splits the history anywhere."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from acme_base.settings import Settings
from acme_txn.bootstrap import App, bootstrap
from processor.domain.decide import fold
from processor.domain.money import format_minor
from tests.customer_support import register
from tests.property.strategies import ACCOUNT_POOL, account_ids, money_commands

START = datetime(2011, 3, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
TIMEOUTS = (3600, 10 * 86400)  # expired by the next command, or open for ten of them
OPS = (
    "money",
    "money",
    "money",
    "pending",
    "resolve",
    "block",
    "limits",
    "linked",
    "settle_and_close",
    "overdraw",
    "resend",
)


class FixedClock:
    """The ledgers' clock: ``now`` until moved (the same instant on every twin)."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Twins:
    """Ledgers on separate in-memory stores fed the same commands at the same instants."""

    apps: list[App]
    clock: FixedClock
    sent: list[dict[str, Any]] = field(default_factory=list)
    pendings: list[str] = field(default_factory=list)
    counter: int = 0

    def txn(self) -> str:
        self.counter += 1
        return f"T{self.counter:04d}"

    def submit(self, cmd: dict[str, Any]) -> list[dict[str, Any]]:
        """``cmd`` on every twin, a day after the previous command; each twin's outcome."""
        self.clock.now += DAY
        self.sent.append(cmd)
        return [app.ledger.submit_raw(dict(cmd)).to_json_dict() for app in self.apps]

    def balance(self, account: str) -> int:
        state = fold(self.apps[0].event_store.events(account))
        return 0 if state is None else state.balance

    def fresh_ledgers(self) -> None:
        """Ledgers without cached heads: each reads its states from the store afresh."""
        for app in self.apps:
            app.ledger.forget_heads()
            app.ledger.clock = self.clock


LIMITS = st.sampled_from(
    [
        {},
        {"credit_limit": "20.00"},
        {"credit_limit": "100.00", "max_balance": "80.00"},
        {"max_balance": "60.00"},
        {"credits_must_not_exceed_debits": True},
        {"debits_must_not_exceed_credits": False},
    ]
)


def open_twins(draw: st.DrawFn, count: int = 2) -> Twins:
    clock = FixedClock()
    apps = [bootstrap(Settings(table_prefix="memory"), memory=True) for _ in range(count)]
    twins = Twins(apps, clock)
    for app in apps:
        app.ledger.clock = clock
        register(app.ledger, "C1", "C2")
    for account in ACCOUNT_POOL:
        currency = currency_of(account)
        cmd = {"type": "open_account", "account_id": account, "customer_id": "C1"}
        twins.submit({**cmd, "currency": currency, **draw(LIMITS)})
    for account in ACCOUNT_POOL:  # some money to move
        cmd = {"type": "credit", "account_id": account, "amount": "40.00"}
        twins.submit({**cmd, "txn_id": twins.txn()})
    return twins


def next_command(draw: st.DrawFn, twins: Twins) -> list[dict[str, Any]]:
    """One step of a history: usually one command, two or three for settle-and-close."""
    op = draw(st.sampled_from(OPS))
    account = draw(account_ids)
    txn = twins.txn()
    if op == "money":
        return [draw(money_commands(txn_id=txn, with_time=False))]
    if op == "pending":
        cmd = draw(money_commands(txn_id=txn, with_time=False))
        twins.pendings.append(txn)
        return [{**cmd, "pending": True, "timeout_s": draw(st.sampled_from(TIMEOUTS))}]
    if op == "resolve" and twins.pendings:
        kind = draw(st.sampled_from(["post_pending", "void_pending"]))
        return [
            {"type": kind, "txn_id": txn, "pending_txn_id": draw(st.sampled_from(twins.pendings))}
        ]
    if op == "block":
        kind = draw(st.sampled_from(["block_account", "unblock_account"]))
        return [{"type": kind, "txn_id": txn, "account_id": account, "reason": "law"}]
    if op == "limits":
        limits = draw(LIMITS) or {"max_balance": None}
        return [{"type": "set_limits", "txn_id": txn, "account_id": account, **limits}]
    if op == "linked":
        legs = [draw(money_commands(txn_id=f"{txn}-{i}", with_time=False)) for i in range(2)]
        return [{"type": "linked", "txn_id": txn, "legs": legs}]
    if op == "overdraw":  # a little past the balance: within an overdraft, or declined
        amount = format_minor(max(twins.balance(account), 0) + 1000, currency_of(account))
        return [{"type": "debit", "txn_id": txn, "account_id": account, "amount": amount}]
    if op == "resend" and twins.sent:
        return [draw(st.sampled_from(twins.sent))]
    return settle_and_close(twins, account, txn)


def currency_of(account: str) -> str:
    return "EUR" if account == "A3" else "USD"


def settle_and_close(twins: Twins, account: str, txn: str) -> list[dict[str, Any]]:
    """Bring the account to zero (a credit or a debit of its balance), then close it."""
    balance = twins.balance(account)
    currency = currency_of(account)
    steps: list[dict[str, Any]] = []
    if balance:
        kind = "debit" if balance > 0 else "credit"
        amount = format_minor(abs(balance), currency)
        steps.append({"type": kind, "txn_id": f"{txn}-z", "account_id": account, "amount": amount})
    return [*steps, {"type": "close_account", "txn_id": txn, "account_id": account}]


def play(draw: st.DrawFn, twins: Twins, max_steps: int) -> None:
    """Draw and submit up to ``max_steps`` steps of history (every twin the same)."""
    for _ in range(draw(st.integers(1, max_steps))):
        for cmd in next_command(draw, twins):
            outcomes = twins.submit(cmd)
            assert all(o == outcomes[0] for o in outcomes), (cmd, outcomes)


__all__ = ["START", "FixedClock", "Twins", "open_twins", "play"]
