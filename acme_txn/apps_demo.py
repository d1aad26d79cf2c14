"""`acme-txn demo --app loyalty|budget`: the issue-13 applications on the engine, checked.

Loyalty: users earn points for orders and redeem them (some REDEEMs short, every command sent
twice to show idempotency), then every member view is checked against the fold of its ledger
account. Budgets: users set budgets and record expenses (some repeated); the spend and the
notifications are checked against the fold of the expenses.

Both run the views the way production does: the commands only append (``sync_projection``
off), the ``apps`` stream consumer (``App.apps_poller``) folds the views, and then the whole
log is delivered to it once more (a redelivery) and must change nothing.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import replace
from typing import Any

from acme_txn.bootstrap import App
from apps.budgets.model import expense_account
from apps.loyalty.model import MemberView, fold, member_account


def drain_apps(app: App) -> dict[str, int]:
    """Run the ``apps`` consumer until the stream is idle, then redeliver the whole log."""
    cfg = replace(app.options.apps_consumer, poll_interval=0.05)
    stats = app.apps_poller(cfg).run(until_idle=True).raise_if_blocked(cfg.consumer).stats
    app.apps_sink()(list(app.event_store.all_events()))  # a redelivery: must change nothing
    return {"delivered": stats.delivered, "dead_lettered": stats.dead_lettered}


def loyalty_demo(app: App, users: int = 10, orders: int = 120, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    app.loyalty.sync_projection = False  # the views come from the stream consumer
    statuses: Counter[str] = Counter()
    start = time.monotonic()
    for i in range(orders):
        user = f"user{rng.randrange(users)}"
        raw: dict[str, Any] = {"transaction_id": f"T{i}", "user_id": user}
        if rng.random() < 0.7:
            amount = f"{rng.randint(500, 40000) / 100:.2f}"
            raw |= {"type": "earn", "order_id": f"O{i}", "amount": amount}
        else:
            raw |= {"type": "redeem", "points": rng.randint(50, 600)}
        for _ in range(2):  # every command delivered twice
            statuses[app.loyalty.submit(raw).status] += 1
    elapsed = time.monotonic() - start
    stream = drain_apps(app)
    mismatches: list[str] = []
    tiers: Counter[str] = Counter()
    for n in range(users):
        view = app.loyalty_store.member(f"user{n}")
        if view is None:
            continue
        log = app.event_store.events(member_account(view.user_id))
        folded = fold(MemberView(view.user_id), log, app.loyalty_rules).view
        tiers[view.tier] += 1
        if (folded.points, folded.tier, folded.seq) != (view.points, view.tier, view.seq):
            mismatches.append(view.user_id)
    return {"app": "loyalty", "commands": orders * 2, "outcomes": dict(statuses),
            "tiers": dict(tiers), "views_equal_fold": not mismatches, "mismatches": mismatches,
            "stream": stream, "seconds": round(elapsed, 2),
            "ok": not mismatches and not stream["dead_lettered"]}  # fmt: skip


def budget_demo(app: App, users: int = 5, expenses: int = 80, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    categories = ("food", "travel", "fun")
    app.budgets.sync_projection = False  # spend and notifications come from the stream
    for n in range(users):
        for category in categories:
            app.budgets.submit(
                {"type": "set_budget", "user_id": f"user{n}", "category": category,
                 "month": "2025-01", "amount": "150.00", "threshold_pct": 80}
            )  # fmt: skip
    statuses: Counter[str] = Counter()
    start = time.monotonic()
    for i in range(expenses):
        raw = {"type": "expense", "expense_id": f"X{i}", "user_id": f"user{rng.randrange(users)}",
               "amount": f"{rng.randint(100, 4000) / 100:.2f}", "category": rng.choice(categories),
               "description": "demo", "date": f"2025-01-{rng.randint(1, 28):02d}"}  # fmt: skip
        for _ in range(1 + (rng.random() < 0.2)):  # a fifth sent twice
            statuses[app.budgets.submit(raw).status] += 1  # type: ignore[union-attr]
    elapsed = time.monotonic() - start
    stream = drain_apps(app)
    notes, ok = 0, not stream["dead_lettered"]
    for n in range(users):
        user = f"user{n}"
        state = app.event_store.state(expense_account(user))
        spent = sum(app.budget_store.spend(user, c, "2025-01") for c in categories)
        ok &= state is None or state.balance == -spent
        notes += len(app.budgets.notifications(user))
    return {"app": "budget", "commands": sum(statuses.values()), "outcomes": dict(statuses),
            "notifications": notes, "spend_equals_ledger": ok, "stream": stream,
            "seconds": round(elapsed, 2), "ok": ok}  # fmt: skip


def render_apps(report: dict[str, Any]) -> str:
    lines = [f"{report['app']} demo: {report['commands']} commands in {report['seconds']}s"]
    stream = report["stream"]
    lines.append(
        f"apps consumer: {stream['delivered']} records, {stream['dead_lettered']} dead-lettered"
        ", then the whole log redelivered"
    )
    lines.append(
        "outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(report["outcomes"].items()))
    )
    if report["app"] == "loyalty":
        lines.append("tiers: " + ", ".join(f"{k} {v}" for k, v in sorted(report["tiers"].items())))
        lines.append(f"member views equal the fold of the log: {report['views_equal_fold']}")
    else:
        lines.append(f"notifications: {report['notifications']}")
        lines.append(f"spend equals the ledger: {report['spend_equals_ledger']}")
    return "\n".join(lines)
