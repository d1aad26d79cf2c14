"""The soak's other command kinds, beside the money submitters: pendings (placed, then posted,
voided, or left to expire), linked batches, customers (register, update), offers (create, send,
respond), and budgets (expenses, budgets). Each generator yields ``(raw, conflicting)`` in an
order one sequential submitter can follow (a post comes after its placement)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from tests.customer_support import phone_of, registration

USD = ("A0", "A1", "A2", "A3")
EUR = ("E0", "E1")
CATEGORIES = ("food", "fun", "rent")

Item = tuple[dict[str, Any], bool]


def _amount(rng: random.Random, cents: int = 3000) -> str:
    return f"{rng.randint(1, cents) / 100:.2f}"


def _resends(
    rng: random.Random, raw: dict[str, Any], conflict: dict[str, Any] | None = None
) -> list[Item]:
    """The command, maybe followed by its duplicate or by a conflicting reuse of its id (with
    ``conflict``'s fields changed; none for kinds without an id of their own)."""
    roll = rng.random()
    if roll < 0.15:
        return [(raw, False), (dict(raw), False)]
    if roll < 0.2 and conflict:
        return [(raw, False), ({**raw, **conflict}, True)]
    return [(raw, False)]


def _placement(rng: random.Random, txn: str, timeout_s: int) -> dict[str, Any]:
    pool = USD if rng.random() < 0.7 else EUR
    kind = rng.choice(["transfer", "transfer", "debit", "credit"])
    raw: dict[str, Any] = {"type": kind, "txn_id": txn, "amount": _amount(rng),
                           "pending": True, "timeout_s": timeout_s}  # fmt: skip
    if kind == "transfer":
        raw["from_account"], raw["to_account"] = rng.sample(pool, 2)
    else:
        raw["account_id"] = rng.choice(pool)
    return raw


def pendings(rng: random.Random, prefix: str, n: int) -> Iterator[Item]:
    """``n`` pendings: a third left to expire within seconds, the rest posted (in full or in
    part) or voided later in the run of commands."""
    open_: list[dict[str, Any]] = []
    for i in range(n):
        short = rng.random() < 0.35
        raw = _placement(rng, f"{prefix}-P{i}", rng.randint(1, 3) if short else 3600)
        yield from _resends(rng, raw, {"amount": f"{Decimal(raw['amount']) + 1:.2f}"})
        if not short:
            open_.append(raw)
        if open_ and rng.random() < 0.6:
            placed = open_.pop(rng.randrange(len(open_)))
            yield from _resolve(rng, placed, f"{prefix}-R{i}")
    for j, placed in enumerate(open_):
        yield from _resolve(rng, placed, f"{prefix}-Z{j}")


def _resolve(rng: random.Random, placed: dict[str, Any], txn: str) -> list[Item]:
    if rng.random() < 0.3:
        raw: dict[str, Any] = {"type": "void_pending", "txn_id": txn,
                               "pending_txn_id": placed["txn_id"]}  # fmt: skip
    else:
        raw = {"type": "post_pending", "txn_id": txn, "pending_txn_id": placed["txn_id"]}
        if rng.random() < 0.4:  # in part: the rest is released
            held = int(Decimal(placed["amount"]) * 100)
            raw["amount"] = f"{rng.randint(1, held) / 100:.2f}"
    return [(raw, False), (dict(raw), False)] if rng.random() < 0.15 else [(raw, False)]


def _leg(rng: random.Random, txn: str) -> dict[str, Any]:
    kind = rng.choice(["transfer", "transfer", "debit", "credit"])
    if kind == "transfer":
        src, dst = rng.sample(USD, 2)
        return {"type": "transfer", "txn_id": txn, "from_account": src, "to_account": dst,
                "amount": _amount(rng, 8000)}  # fmt: skip
    return {"type": kind, "txn_id": txn, "account_id": rng.choice(USD), "amount": _amount(rng)}


def linked(rng: random.Random, prefix: str, n: int) -> Iterator[Item]:
    """``n`` linked batches of 2-4 legs (some decline as a whole: large transfers)."""
    for i in range(n):
        legs = [_leg(rng, f"{prefix}-K{i}-{k}") for k in range(rng.randint(2, 4))]
        raw = {"type": "linked", "txn_id": f"{prefix}-K{i}", "legs": legs}
        yield from _resends(rng, raw, {"legs": legs[:-1]})


def customers(rng: random.Random, prefix: str, n: int) -> Iterator[Item]:
    """``n`` registrations (some resent, some reused with another name) and their updates."""
    for i in range(n):
        cid = f"{prefix}-C{i}"
        raw = registration(cid, special_status=[rng.choice(["veteran", "student"])])
        yield from _resends(rng, raw, {"name": f"Other {cid}"})
        if rng.random() < 0.6:
            change: dict[str, Any] = {"type": "update_customer", "customer_id": cid}
            if rng.random() < 0.5:
                change["phone"] = phone_of(f"{cid}-new")
            else:
                change["add_special_status"] = ["handicap"]
            yield change, False


def offers(rng: random.Random, prefix: str, n: int, seq: int) -> Iterator[Item]:
    """``n`` offers (ids ``MMDDYYYY-N`` from ``seq``), each sent to this round's customers
    (resent: idempotent) and answered by some of them (an answer resent once: a duplicate)."""
    customers_ = [f"{prefix}-C{i}" for i in range(3)]
    for i in range(n):
        offer = f"01022026-{seq + i}"
        create = {"type": "create_offer", "offer_id": offer, "expires_on": "2030-03-01",
                  "details": {"kind": "card", "apr": "12.5"}, "terms": "New cards."}  # fmt: skip
        yield create, False
        send = {"type": "send_offer", "offer_id": offer, "customer_ids": customers_}
        yield from _resends(rng, send)
        for cid in customers_:
            if rng.random() < 0.5:
                answer = {"type": "respond_offer", "offer_id": offer, "customer_id": cid,
                          "response": rng.choice(["ACCEPTED", "REJECTED"])}  # fmt: skip
                yield from _resends(rng, answer)


def budgets(rng: random.Random, prefix: str, n: int, users: tuple[str, ...]) -> Iterator[Item]:
    """A budget per user and category for this month and the last, and ``n`` expenses dated
    from one to forty days ago (never ahead of the ledger's clock)."""
    today = datetime.now(UTC).date()
    months = sorted({today.isoformat()[:7], (today - timedelta(days=31)).isoformat()[:7]})
    for user in users:
        for category in CATEGORIES:
            yield {"type": "set_budget", "user_id": user, "category": category,
                   "month": rng.choice(months), "amount": _amount(rng, 20000),
                   "threshold_pct": rng.choice([50, 80])}, False  # fmt: skip
    for i in range(n):
        day = today - timedelta(days=rng.randint(1, 40))
        raw = {"type": "expense", "expense_id": f"{prefix}-X{i}", "user_id": rng.choice(users),
               "amount": _amount(rng, 5000), "category": rng.choice(CATEGORIES),
               "description": f"expense {i}", "date": day.isoformat()}  # fmt: skip
        yield from _resends(rng, raw, {"amount": f"{Decimal(raw['amount']) + 1:.2f}"})


def key(raw: dict[str, Any]) -> str:
    """What a resend is recognised by: the txn id, else the kind and its ids."""
    for name in ("txn_id", "expense_id"):
        if name in raw:
            return str(raw[name])
    ids = [raw[k] for k in ("offer_id", "customer_id", "user_id", "category", "month") if k in raw]
    return ":".join([raw["type"], *map(str, ids)])
