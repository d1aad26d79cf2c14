"""A seeded mixed workload for the nemesis process lanes: money commands from several
concurrent submitters with duplicates and conflicting reuses of txn ids, and loyalty orders
(for the apps consumer); with ``mixed=True`` also pendings, linked batches, customers, offers
and budgets (``tests.nemesis.mix``); and the checks every lane ends with."""

from __future__ import annotations

import itertools
import random
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from acme_txn.bootstrap import App
from apps.budgets.model import expense_account, fold_expenses
from apps.loyalty.model import MemberView, fold, member_account
from processor.domain.events import (
    FundsCredited,
    FundsDebited,
    PendingExpired,
    PendingPosted,
    PendingVoided,
)
from tests.customer_support import register
from tests.nemesis import mix

ACCOUNTS = {"A0": "USD", "A1": "USD", "A2": "USD", "A3": "USD", "E0": "EUR", "E1": "EUR"}
USERS = ("u0", "u1", "u2")


@dataclass
class Tally:
    """First answers per txn id, and conflicting reuses that were not rejected."""

    first: dict[str, str] = field(default_factory=dict)
    bad_conflicts: list[str] = field(default_factory=list)
    #: first answers per (command type, status)
    kinds: Counter[tuple[str, str]] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, txn: str, status: str, conflicting: bool, kind: str = "money") -> None:
        with self.lock:
            if conflicting:
                if status != "rejected":
                    self.bad_conflicts.append(f"{txn}: {status}")
            elif status != "duplicate" and txn not in self.first:
                self.first[txn] = status
                self.kinds[(kind, status)] += 1


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


def _mixed(app: App, seed: int, each: int, tally: Tally) -> list[Callable[[], None]]:
    """Submitters of the other kinds, each with its own ledger (as another process)."""
    prefix = f"m{seed}"

    def ledger_kinds(*items: Iterable[mix.Item]) -> Callable[[], None]:
        def run() -> None:
            ledger = app.new_ledger()
            for raw, conflicting in itertools.chain(*items):
                status = ledger.submit_raw(raw).status
                tally.note(mix.key(raw), status, conflicting, raw["type"] + _pending(raw))

        return run

    def budget_kinds() -> None:
        for raw, conflicting in mix.budgets(random.Random(seed + 3), prefix, each // 2, USERS):
            out = app.budgets.submit(raw)
            status = out["status"] if isinstance(out, dict) else out.status
            tally.note(mix.key(raw), status, conflicting, raw["type"])

    return [
        ledger_kinds(mix.pendings(random.Random(seed + 1), prefix, each // 2),
                     mix.linked(random.Random(seed + 2), prefix, each // 5)),
        ledger_kinds(mix.customers(random.Random(seed + 4), prefix, 3),
                     mix.offers(random.Random(seed + 5), prefix, 2, 2 * seed + 1)),
        budget_kinds,
    ]  # fmt: skip


def _pending(raw: dict[str, Any]) -> str:
    return "_pending" if raw.get("pending") else ""


def submit_concurrently(
    app: App, seed: int, submitters: int = 4, each: int = 50, *, mixed: bool = False
) -> Tally:
    tally = Tally()
    errors: list[BaseException] = []

    def money(k: int) -> None:
        ledger = app.new_ledger()  # its own head cache and queues, as another process
        try:
            for raw, conflicting in money_commands(
                random.Random(seed * 100 + k), f"s{seed}w{k}", each
            ):
                status = ledger.submit_raw(raw).status
                tally.note(raw["txn_id"], status, conflicting, raw["type"])
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

    def guarded(run: Callable[[], None]) -> Callable[[], None]:
        def go() -> None:
            try:
                run()
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        return go

    threads = [threading.Thread(target=money, args=(k,)) for k in range(submitters)]
    threads.append(threading.Thread(target=loyalty))
    if mixed:
        threads += [threading.Thread(target=guarded(r)) for r in _mixed(app, seed, each, tally)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return tally


#: a posted pending moves money in or out of the bank by its kind (transfers stay inside)
_POSTED_SIGN = {"credit": 1, "debit": -1, "transfer_out": 0, "transfer_in": 0}
_SETTLED = (PendingPosted, PendingVoided, PendingExpired)


def violations(app: App, tally: Tally) -> list[str]:
    """Every command once in the log; every pending settled at most once per account; money
    conserved per currency (credits, debits and posted pending credits/debits are the only
    money in or out); loyalty and budget views equal to the fold of their logs."""
    found = list(tally.bad_conflicts)
    seen: Counter[tuple[str, str]] = Counter()
    settled: Counter[tuple[str, str]] = Counter()
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
            elif isinstance(e, PendingPosted):
                external[currency] += _POSTED_SIGN[e.kind] * e.amount
            if isinstance(e, _SETTLED):
                settled[(e.pending_txn_id, account)] += 1
        total[currency] += events[-1].balance_after if events else 0
    found += [f"{t} twice on {a}" for (t, a), n in seen.items() if n > 1]
    found += [f"pending {t} settled {n} times on {a}" for (t, a), n in settled.items() if n > 1]
    found += [f"{c}: balances {total[c]} != credits - debits {external[c]}"
              for c in set(ACCOUNTS.values()) if total[c] != external[c]]  # fmt: skip
    return found + _app_views(app)


def _app_views(app: App) -> list[str]:
    found = []
    for user in USERS:
        view = app.loyalty_store.member(user)
        log = list(app.event_store.events(member_account(user)))
        folded = fold(MemberView(user), log, app.loyalty_rules).view
        got = None if view is None else (view.points, view.tier, view.seq)
        if log and got != (folded.points, folded.tier, folded.seq):
            found.append(f"loyalty {user}: view {got} != fold {folded}")
        spend = fold_expenses(user, 0, app.event_store.events(expense_account(user)))
        for (category, month), added in spend.added.items():
            got_spend = app.budget_store.spend(user, category, month)
            if got_spend != added:
                found.append(f"budget {user} {category} {month}: spend {got_spend} != {added}")
        notes = Counter(n.notification_id for n in app.budget_store.notifications(user, 1000))
        found += [f"budget {user}: note {n} sent {k} times" for n, k in notes.items() if k > 1]
    return found
