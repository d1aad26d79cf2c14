"""Synthetic workloads (demo, benchmarks, tests): a reproducible stream of command dicts."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from processor.money import format_minor


@dataclass(frozen=True)
class WorkloadSpec:
    accounts: int = 20
    commands: int = 600
    seed: int = 7
    opening_credit: str = "500.00"
    duplicate_ratio: float = 0.05
    transfer_ratio: float = 0.3
    debit_ratio: float = 0.35
    currency: str = "USD"
    prefix: str = "A"


def account_ids(spec: WorkloadSpec) -> list[str]:
    return [f"{spec.prefix}{i:04d}" for i in range(spec.accounts)]


def opening_commands(spec: WorkloadSpec) -> list[dict[str, Any]]:
    cmds: list[dict[str, Any]] = []
    for i, acct in enumerate(account_ids(spec)):
        cmds.append(
            {
                "type": "open_account",
                "account_id": acct,
                "customer_id": f"C{i // 2:04d}",
                "currency": spec.currency,
            }
        )
    return cmds


def funding_commands(spec: WorkloadSpec) -> list[dict[str, Any]]:
    return [
        {
            "type": "credit",
            "txn_id": f"fund-{acct}",
            "account_id": acct,
            "amount": spec.opening_credit,
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
        amount = format_minor(rng.randint(1, 40000))  # whole cents, never a float
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
            cmds.append(
                {
                    "type": "credit",
                    "txn_id": txn_id,
                    "account_id": rng.choice(accounts),
                    "amount": amount,
                    "occurred_at": day,
                }
            )
    return cmds
