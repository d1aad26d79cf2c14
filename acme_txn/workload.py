"""Synthetic workloads (demo, benchmarks, tests): a reproducible stream of command dicts."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from processor.domain.checks import spell_cents
from processor.domain.currency import DEFAULT_CURRENCY
from processor.domain.money import format_minor, to_minor


@dataclass(frozen=True)
class WorkloadSpec:
    accounts: int = 20
    commands: int = 600
    seed: int = 7
    opening_credit: str = "500.00"
    duplicate_ratio: float = 0.05
    transfer_ratio: float = 0.3
    debit_ratio: float = 0.35
    currency: str = DEFAULT_CURRENCY  # amounts are drawn in its minor units (see below)
    prefix: str = "A"
    check_ratio: float = 0.15  # of the credits: check deposits
    illegible_ratio: float = 0.3  # of the checks: flawed (declined illegible_check)
    block_ratio: float = 0.1  # of the accounts: blocked during the mixed phase (at least 1)


def account_ids(spec: WorkloadSpec) -> list[str]:
    return [f"{spec.prefix}{i:04d}" for i in range(spec.accounts)]


#: the workload's customers live in these area codes (555 numbers: 10,000 per code)
_AREA_CODES = (929, 332, 680, 838)
_STATES = ("NY", "CA", "TX", "FL", "IL", "PR")
_STATUSES = ((), (), (), ("veteran",), (), ("student",), (), ("veteran", "handicap"))


def customer_ids(spec: WorkloadSpec) -> list[str]:
    """Two accounts per customer: ``C0000`` owns the first two accounts, and so on."""
    return [f"C{i:04d}" for i in range((spec.accounts + 1) // 2)]


def customer_commands(spec: WorkloadSpec) -> list[dict[str, Any]]:
    """``register_customer`` for every customer of the workload (run before the openings):
    unique valid phones, a few states, some with special statuses."""
    ids = customer_ids(spec)
    if len(ids) > 10_000 * len(_AREA_CODES):
        raise ValueError(f"a workload holds at most {10_000 * len(_AREA_CODES)} customers")
    return [
        {
            "type": "register_customer",
            "customer_id": cid,
            "name": f"Customer {i}",
            "phone": f"+1{_AREA_CODES[i // 10_000]}555{i % 10_000:04d}",
            "state": _STATES[i % len(_STATES)],
            "special_status": list(_STATUSES[i % len(_STATUSES)]),
        }
        for i, cid in enumerate(ids)
    ]


#: the workload's accounts take effect before its first dated command
OPENED_AT = "2026-11-01T00:00:00Z"


def opening_commands(spec: WorkloadSpec) -> list[dict[str, Any]]:
    """One account per id, for the customers of ``customer_commands`` (register them first)."""
    cmds: list[dict[str, Any]] = []
    for i, acct in enumerate(account_ids(spec)):
        cmds.append(
            {
                "type": "open_account",
                "account_id": acct,
                "customer_id": f"C{i // 2:04d}",
                "currency": spec.currency,
                "occurred_at": OPENED_AT,  # before every dated command of the workload
            }
        )
    return cmds


def funding_amount(spec: WorkloadSpec) -> str:
    """The opening credit in the workload's currency: ``opening_credit`` is a USD amount,
    funded as the same number of minor units (500.00 USD: 50000 JPY, 50.000 BHD), so the
    amounts of ``mixed_commands`` (minor units too) keep the same proportions."""
    return format_minor(to_minor(Decimal(spec.opening_credit)), spec.currency)


def funding_commands(spec: WorkloadSpec) -> list[dict[str, Any]]:
    return [
        {
            "type": "credit",
            "txn_id": f"fund-{acct}",
            "account_id": acct,
            "amount": funding_amount(spec),
        }
        for acct in account_ids(spec)
    ]


def mixed_commands(spec: WorkloadSpec) -> list[dict[str, Any]]:
    """Credits, debits (some too big: declined), transfers, and exact duplicate retries."""
    rng = random.Random(spec.seed)
    accounts = account_ids(spec)
    cmds: list[dict[str, Any]] = []
    for n in range(spec.commands):
        if cmds and rng.random() < spec.duplicate_ratio:
            cmds.append(dict(rng.choice(cmds)))  # a client retry: same txn id, same payload
            continue
        # whole minor units of the workload's currency, never a float
        amount = format_minor(rng.randint(1, 40000), spec.currency)
        roll = rng.random()
        txn_id = f"T{spec.seed}-{n:06d}"
        day = f"2026-11-{rng.randint(18, 22):02d}T{rng.randint(0, 23):02d}:15:00Z"
        if roll < spec.transfer_ratio:
            src, dst = rng.sample(accounts, 2)
            cmds.append(
                {
                    "type": "transfer",
                    "txn_id": txn_id,
                    "from_account": src,
                    "to_account": dst,
                    "amount": amount,
                    "occurred_at": day,
                }
            )
        elif roll < spec.transfer_ratio + spec.debit_ratio:
            cmds.append(
                {
                    "type": "debit",
                    "txn_id": txn_id,
                    "account_id": rng.choice(accounts),
                    "amount": amount,
                    "occurred_at": day,
                }
            )
        else:
            credit = {
                "type": "credit",
                "txn_id": txn_id,
                "account_id": rng.choice(accounts),
                "amount": amount,
                "occurred_at": day,
            }
            if rng.random() < spec.check_ratio and spec.currency == DEFAULT_CURRENCY:
                # checks spell dollars and cents: only a USD workload deposits them
                credit |= check_deposit(rng, amount, spec.illegible_ratio)
            cmds.append(credit)
    return cmds


#: real ABA routing numbers (JPMorgan Chase NY, Fed Boston, Bank of America, Truist)
ROUTINGS = ("021000021", "011000015", "026009593", "061000104")


def check_deposit(rng: random.Random, amount: str, illegible_ratio: float) -> dict[str, Any]:
    """The ``channel`` and ``check`` of a check deposit; flawed with ``illegible_ratio``
    (a mistyped routing digit, or words that spell another amount)."""
    minor = round(Decimal(amount) * 100)
    routing, words = rng.choice(ROUTINGS), spell_cents(minor)
    if rng.random() < illegible_ratio:
        if rng.random() < 0.5:
            i = rng.randrange(9)
            routing = f"{routing[:i]}{(int(routing[i]) + rng.randint(1, 9)) % 10}{routing[i + 1 :]}"
        else:
            words = spell_cents(minor + rng.randint(1, 999))
    check = {"number": str(rng.randint(100, 99_999)), "routing": routing, "amount_in_words": words}
    return {"channel": "check", "check": check}


def blocked_accounts(spec: WorkloadSpec) -> list[str]:
    """The accounts the workload blocks before the mixed phase and unblocks after it."""
    if spec.block_ratio <= 0:
        return []
    accounts = account_ids(spec)
    return accounts[: max(1, int(len(accounts) * spec.block_ratio))]


def block_commands(spec: WorkloadSpec) -> list[dict[str, Any]]:
    """Block some accounts (their debits and outgoing transfers are declined unauthorized)."""
    return [
        {
            "type": "block_account",
            "txn_id": f"block-{acct}",
            "account_id": acct,
            "reason": "suspected fraud",
            "occurred_at": "2026-11-18T00:00:00Z",
        }
        for acct in blocked_accounts(spec)
    ]


def unblock_commands(spec: WorkloadSpec) -> list[dict[str, Any]]:
    return [
        {
            "type": "unblock_account",
            "txn_id": f"unblock-{acct}",
            "account_id": acct,
            "reason": "cleared by the fraud team",
            "occurred_at": "2026-11-22T23:59:00Z",
        }
        for acct in blocked_accounts(spec)
    ]
