"""A seeded mixed workload for the nemesis process lanes: money commands from several
concurrent submitters with duplicates and conflicting reuses of txn ids, and loyalty orders
(for the apps consumer); and the checks every lane ends with."""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from acme_txn.bootstrap import App
from apps.loyalty.model import MemberView, fold, member_account
from processor.domain.events import FundsCredited, FundsDebited
from tests.customer_support import register

ACCOUNTS = {"A0": "USD", "A1": "USD", "A2": "USD", "A3": "USD", "E0": "EUR", "E1": "EUR"}
USERS = ("u0", "u1", "u2")


@dataclass
class Tally:
    """First answers per txn id, and conflicting reuses that were not rejected."""

    first: dict[str, str] = field(default_factory=dict)
    bad_conflicts: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, txn: str, status: str, conflicting: bool) -> None:
        with self.lock:
            if conflicting:
                if status != "rejected":
                    self.bad_conflicts.append(f"{txn}: {status}")
            elif status != "duplicate":
                self.first.setdefault(txn, status)


def open_accounts(app: App) -> None:
    register(app.ledger, "C1")
    for account, currency in ACCOUNTS.items():
        raw = {"type": "open_account", "account_id": account, "customer_id": "C1",
               "currency": currency}  # fmt: skip
        outcome = app.ledger.submit_raw(raw)
        assert outcome.status in ("opened", "duplicate"), outcome
    for account in ACCOUNTS:
        app.ledger.submit_raw({"type": "credit", "txn_id": f"seed-{account}",
                               "account_id": account, "amount": "500.00"})  # fmt: skip


def money_commands(rng: random.Random, prefix: str, n: int) -> list[tuple[dict[str, Any], bool]]:
    """``n`` commands, each maybe followed by its duplicate or a conflicting reuse."""
    out: list[tuple[dict[str, Any], bool]] = []
    usd = [a for a, c in ACCOUNTS.items() if c == "USD"]
    for i in range(n):
        amount = f"{rng.randint(1, 4000) / 100:.2f}"
        txn = f"{prefix}-{i}"
        kind = rng.choice(["credit", "debit", "transfer", "transfer"])
        if kind == "transfer":
            pool = usd if rng.random() < 0.7 else ["E0", "E1"]
            src, dst = rng.sample(pool, 2)
            raw: dict[str, Any] = {"type": "transfer", "txn_id": txn, "from_account": src,
                                   "to_account": dst, "amount": amount}  # fmt: skip
        else:
            raw = {"type": kind, "txn_id": txn, "account_id": rng.choice(sorted(ACCOUNTS)),
                   "amount": amount}  # fmt: skip
        out.append((raw, False))
        roll = rng.random()
        if roll < 0.15:
            out.append((dict(raw), False))
        elif roll < 0.2:
            out.append(({**raw, "amount": f"{Decimal(amount) + 1:.2f}"}, True))
    return out


def submit_concurrently(app: App, seed: int, submitters: int = 4, each: int = 50) -> Tally:
    tally = Tally()
    errors: list[BaseException] = []

    def money(k: int) -> None:
        ledger = app.new_ledger()  # its own head cache and queues, as another process
        try:
            for raw, conflicting in money_commands(
                random.Random(seed * 100 + k), f"s{seed}w{k}", each
            ):
                tally.note(raw["txn_id"], ledger.submit_raw(raw).status, conflicting)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def loyalty() -> None:
        rng = random.Random(seed)
        try:
            for i in range(each // 2):
                raw = {"type": "earn", "transaction_id": f"L{seed}-{i}",
                       "user_id": rng.choice(USERS), "order_id": f"O{seed}-{i}",
                       "amount": f"{rng.randint(100, 20000) / 100:.2f}"}  # fmt: skip
                for _ in range(1 + (rng.random() < 0.2)):
                    app.loyalty.submit(raw)
        except BaseException as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=money, args=(k,)) for k in range(submitters)]
    threads.append(threading.Thread(target=loyalty))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return tally


def violations(app: App, tally: Tally) -> list[str]:
    """Every command once in the log; money conserved per currency; loyalty views folded."""
    found = list(tally.bad_conflicts)
    seen: Counter[tuple[str, str]] = Counter()
    total: Counter[str] = Counter()
    external: Counter[str] = Counter()
    for account, currency in ACCOUNTS.items():
        events = list(app.event_store.events(account))
        for e in events:
            txn = getattr(e, "txn_id", None)
            if txn is not None:
                seen[(txn, account)] += 1
            if isinstance(e, FundsCredited):
                external[currency] += e.amount
            elif isinstance(e, FundsDebited):
                external[currency] -= e.amount
        total[currency] += events[-1].balance_after if events else 0
    found += [f"{t} twice on {a}" for (t, a), n in seen.items() if n > 1]
    found += [f"{c}: balances {total[c]} != credits - debits {external[c]}"
              for c in set(ACCOUNTS.values()) if total[c] != external[c]]  # fmt: skip
    for user in USERS:
        view = app.loyalty_store.member(user)
        log = list(app.event_store.events(member_account(user)))
        folded = fold(MemberView(user), log, app.loyalty_rules).view
        got = None if view is None else (view.points, view.tier, view.seq)
        if log and got != (folded.points, folded.tier, folded.seq):
            found.append(f"loyalty {user}: view {got} != fold {folded}")
    return found
