"""The model's rules of issue 11 (restated, never calling the product): overdraft limits,
max balance, close. ``model.Model`` calls these; ``rules_machine.RulesRules`` drives them.

- A debit or outgoing transfer may take the payer down to ``-credit_limit`` (declined
  ``low_balance`` past it without an overdraft, ``limit_exceeded`` with one);
- a credit may take an account up to ``max_balance`` (declined ``max_balance_exceeded``);
- ``set_limits`` is rejected when nothing changes or the balance would be out of bounds;
- ``close_account`` only at a zero balance; a closed account rejects every command.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from processor.domain.outcomes import Outcome

RULE_TYPES = frozenset({"set_limits", "close_account"})
RULE_STATUSES = frozenset({"limits_set", "closed"})


class Limited(Protocol):
    balance: int
    credit_limit: int
    max_balance: int | None
    closed: bool


def _cents(amount: Any) -> int:
    return int(Decimal(str(amount)) * 100)


def _text(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    return f"{sign}{abs(minor) // 100}.{abs(minor) % 100:02d}"


def debit_refused(acct: Limited, amount: int) -> str | None:
    if acct.balance - amount >= -acct.credit_limit:
        return None
    return "limit_exceeded" if acct.credit_limit else "low_balance"


def credit_refused(acct: Limited, amount: int) -> str | None:
    if acct.max_balance is not None and acct.balance + amount > acct.max_balance:
        return "max_balance_exceeded"
    return None


def limits_canon(cmd: dict[str, Any]) -> tuple[Any, ...]:
    """The limits of a ``set_limits`` payload, spelling aside (absent != null max_balance)."""
    limit = cmd.get("credit_limit")
    cap = cmd.get("max_balance")
    return (
        None if limit is None else _cents(limit),
        "max_balance" in cmd,
        None if cap is None else _cents(cap),
    )


def _limits_after(acct: Limited, cmd: dict[str, Any]) -> tuple[int, int | None]:
    limit = _cents(cmd["credit_limit"]) if "credit_limit" in cmd else acct.credit_limit
    cap = acct.max_balance
    if "max_balance" in cmd:
        cap = None if cmd["max_balance"] is None else _cents(cmd["max_balance"])
    return limit, cap


def predict_rule(acct: Limited, cmd: dict[str, Any], base: dict[str, Any]) -> Outcome:
    rejected = Outcome(status="rejected", txn_id=cmd["txn_id"])
    if cmd["type"] == "close_account":
        if acct.balance != 0:
            return rejected
        return Outcome(status="closed", balance_after=_text(0), **base)
    limit, cap = _limits_after(acct, cmd)
    unchanged = (limit, cap) == (acct.credit_limit, acct.max_balance)
    if unchanged or acct.balance < -limit or (cap is not None and acct.balance > cap):
        return rejected
    return Outcome(status="limits_set", balance_after=_text(acct.balance), **base)


def record_rule(acct: Limited, cmd: dict[str, Any]) -> None:
    if cmd["type"] == "close_account":
        acct.closed = True
    else:
        acct.credit_limit, acct.max_balance = _limits_after(acct, cmd)
