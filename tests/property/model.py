"""The pure in-memory model of the ledger the state machine checks the real store against.

The model never talks to DynamoDB and never calls ``decide``: it restates the business rules
(credits always approved, a debit or transfer approved iff the payer has enough, declined
events leave the balance alone, unknown accounts and reused txn ids with another payload are
rejected) in a few lines, so a bug in the product does not hide itself in the model.

Decline reasons (issue 9): a debit or outgoing transfer from a blocked account is declined
``unauthorized`` whatever the balance; credits and incoming transfers still land on a blocked
account; a check deposit whose check does not read is declined ``illegible_check``; blocking a
blocked account (or unblocking an unblocked one) is rejected.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from processor.domain.events import LedgerEvent
from processor.domain.outcomes import Outcome, Status
from tests.property.rules_model import (
    RULE_STATUSES,
    RULE_TYPES,
    credit_refused,
    debit_refused,
    limits_canon,
    predict_rule,
    record_rule,
)

Canon = tuple[Any, ...]


def cents(amount: str) -> int:
    return int(Decimal(amount) * 100)


def text(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    return f"{sign}{abs(minor) // 100}.{abs(minor) % 100:02d}"


def canon(cmd: dict[str, Any]) -> Canon:
    """What makes two payloads "the same command" (spelling of amounts and times aside)."""
    when = cmd.get("occurred_at")
    at = datetime.fromisoformat(when.replace("Z", "+00:00")).astimezone(UTC) if when else None
    return (
        cmd["type"],
        cmd.get("account_id"),
        cmd.get("from_account"),
        cmd.get("to_account"),
        cents(cmd["amount"]) if "amount" in cmd else None,
        at,
        cmd.get("currency"),
        cmd.get("channel"),
        tuple(sorted((cmd.get("check") or {}).items())),
        (cmd.get("reason") or "").strip() or None,  # block/unblock: the reason, stripped
        *limits_canon(cmd),  # set_limits (issue 11)
    )


BLOCK_TYPES: dict[str, Status] = {
    "block_account": "blocked",
    "unblock_account": "unblocked",
    "freeze_account": "blocked",  # issue 11: freeze is an alias of block
    "unfreeze_account": "unblocked",
}
_ABA_PREFIXES = {*range(13), *range(21, 33), *range(61, 73), 80}


def check_reads(check: dict[str, str], minor: int) -> bool:
    """A deposited check reads (restated from the rules, not the product's reader): an ABA
    routing number (9 digits, Federal Reserve prefix, 3-7-1 checksum), a check number of 1-10
    digits that is not zero, and words that spell the amount (as ``spell_amount`` writes)."""
    from tests.property.strategies import spell_amount

    routing, number = check["routing"], check["number"]
    aba = (
        len(routing) == 9
        and routing.isdigit()
        and int(routing[:2]) in _ABA_PREFIXES
        and sum(w * int(d) for w, d in zip((3, 7, 1) * 3, routing, strict=True)) % 10 == 0
    )
    numbered = 1 <= len(number) <= 10 and number.isdigit() and int(number) > 0
    return aba and numbered and check["amount_in_words"] in {spell_amount(minor, s) for s in (0, 1)}


def other_payload(cmd: dict[str, Any]) -> dict[str, Any]:
    """The same txn id with another payload (a cent more, or another block reason)."""
    if "amount" in cmd:
        return {**cmd, "amount": text(cents(cmd["amount"]) + 1)}
    return {**cmd, "reason": f"{cmd.get('reason') or ''} (edited)"}


def payer(cmd: dict[str, Any]) -> str:
    return str(cmd.get("account_id") or cmd["from_account"])


@dataclass
class ModelAccount:
    customer_id: str
    currency: str
    balance: int = 0
    seq: int = 0
    txn_ids: list[str] = field(default_factory=list)
    blocked: bool = False
    credit_limit: int = 0  # issue 11 (tests/property/rules_model.py)
    max_balance: int | None = None
    closed: bool = False


@dataclass
class Committed:
    """A command that wrote events: its payload and the outcome the ledger answered."""

    payload: dict[str, Any]
    outcome: Outcome


@dataclass
class Model:
    accounts: dict[str, ModelAccount] = field(default_factory=dict)
    committed: dict[str, Committed] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)

    # --- predictions (for commands run one at a time) -----------------------------------------

    def predict_open(self, cmd: dict[str, Any]) -> Outcome:
        have = self.accounts.get(cmd["account_id"])
        opened = Outcome(status="opened", account_id=cmd["account_id"], seq=0, balance_after="0.00")
        if have is None:
            return opened
        if have.customer_id == cmd["customer_id"] and have.currency == cmd["currency"]:
            return opened.model_copy(update={"status": "duplicate", "original_status": "opened"})
        return Outcome(status="rejected", account_id=cmd["account_id"])

    def predict(self, cmd: dict[str, Any]) -> Outcome:
        """The exact outcome of a money command run alone (``error`` text aside)."""
        earlier = self.committed.get(cmd["txn_id"])
        if earlier is not None:
            if canon(earlier.payload) == canon(cmd):
                return earlier.outcome.model_copy(
                    update={"status": "duplicate", "original_status": earlier.outcome.status}
                )
            return Outcome(status="rejected", txn_id=cmd["txn_id"])
        names = [
            a for a in (cmd.get("account_id"), cmd.get("from_account"), cmd.get("to_account")) if a
        ]
        if any(a not in self.accounts or self.accounts[a].closed for a in names):
            return Outcome(status="rejected", txn_id=cmd["txn_id"])
        if len({self.accounts[a].currency for a in names}) > 1:
            return Outcome(status="rejected", txn_id=cmd["txn_id"])
        src = self.accounts[payer(cmd)]
        base = {"txn_id": cmd["txn_id"], "account_id": payer(cmd), "seq": src.seq + 1}
        if cmd["type"] in RULE_TYPES:
            return predict_rule(src, cmd, base)
        if cmd["type"] in BLOCK_TYPES:
            if src.blocked == (BLOCK_TYPES[cmd["type"]] == "blocked"):
                return Outcome(status="rejected", txn_id=cmd["txn_id"])
            status = BLOCK_TYPES[cmd["type"]]
            return Outcome(status=status, balance_after=text(src.balance), **base)
        amount = cents(cmd["amount"])
        if cmd["type"] == "credit":
            if "check" in cmd and not check_reads(cmd["check"], amount):
                return Outcome(
                    status="declined",
                    balance_after=text(src.balance),
                    reason="illegible_check",
                    **base,
                )
            if credit_refused(src, amount):
                reason = credit_refused(src, amount)
                return Outcome(
                    status="declined", balance_after=text(src.balance), reason=reason, **base
                )
            return Outcome(status="approved", balance_after=text(src.balance + amount), **base)
        dst_ = self.accounts.get(cmd.get("to_account") or "")
        refused = debit_refused(src, amount) or (dst_ and credit_refused(dst_, amount))
        if src.blocked or refused:
            extra = {"to_account": cmd["to_account"]} if cmd["type"] == "transfer" else {}
            return Outcome(
                status="declined",
                balance_after=text(src.balance),
                reason="unauthorized" if src.blocked else refused,
                **base,
                **extra,
            )
        if cmd["type"] == "debit":
            return Outcome(status="approved", balance_after=text(src.balance - amount), **base)
        dst = self.accounts[cmd["to_account"]]
        return Outcome(
            status="approved",
            balance_after=text(src.balance - amount),
            **base,
            to_account=cmd["to_account"],
            to_seq=dst.seq + 1,
            to_balance_after=text(dst.balance + amount),
        )

    # --- updates --------------------------------------------------------------------------------

    def record_open(self, cmd: dict[str, Any], outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        if outcome.status == "opened":
            self.accounts[cmd["account_id"]] = ModelAccount(cmd["customer_id"], cmd["currency"])

    def record(self, cmd: dict[str, Any], outcome: Outcome) -> None:
        """Apply a command's (checked) outcome to the model."""
        self.outcomes.append(outcome)
        if outcome.status not in {"approved", "declined", *BLOCK_TYPES.values(), *RULE_STATUSES}:
            return
        self.committed[cmd["txn_id"]] = Committed(cmd, outcome)
        src = self.accounts[payer(cmd)]
        src.seq += 1
        src.txn_ids.append(cmd["txn_id"])
        if outcome.status in RULE_STATUSES:
            record_rule(src, cmd)
            return
        if outcome.status in BLOCK_TYPES.values():
            src.blocked = outcome.status == "blocked"
            return
        amount = cents(cmd["amount"])
        if outcome.status == "declined":
            return
        src.balance += amount if cmd["type"] == "credit" else -amount
        if cmd["type"] == "transfer":
            dst = self.accounts[cmd["to_account"]]
            dst.seq += 1
            dst.balance += amount
            dst.txn_ids.append(cmd["txn_id"])

    def replay_concurrent(
        self, cmds: dict[str, dict[str, Any]], new_events: Iterable[LedgerEvent]
    ) -> list[str]:
        """Accept the events a concurrent burst wrote iff some serial order explains them.

        Each account's new events, in seq order, must each follow from the model's balance of
        that account just before (the payer's balance alone decides approval), and a transfer's
        two legs must both exist or the transfer must be declined. Returns the problems found;
        on success the model has absorbed the burst.
        """
        problems: list[str] = []
        by_account: dict[str, list[LedgerEvent]] = {}
        for event in sorted(new_events, key=lambda e: (e.account_id, e.seq)):
            by_account.setdefault(event.account_id, []).append(event)
        legs: dict[str, set[tuple[str, bool]]] = {}
        for account_id, events in by_account.items():
            acct = self.accounts.get(account_id)
            if acct is None:
                problems.append(f"events on unopened account {account_id}")
                continue
            for event in events:
                cmd = cmds.get(event.txn_id)
                if cmd is None:
                    problems.append(f"{account_id} seq {event.seq}: unknown txn {event.txn_id}")
                    continue
                amount = cents(cmd["amount"])
                want_kind, delta, approved = self._expected_leg(cmd, account_id, acct, amount)
                if event.seq != acct.seq + 1:
                    problems.append(f"{account_id}: seq {event.seq} after {acct.seq}")
                if (event.kind, event.approved, event.amount) != (want_kind, approved, amount):
                    problems.append(
                        f"{account_id} seq {event.seq} ({event.txn_id}): "
                        f"{event.kind}/{event.status}/{event.amount}, model says "
                        f"{want_kind}/{'approved' if approved else 'declined'}/{amount} "
                        f"at balance {acct.balance}"
                    )
                legs.setdefault(event.txn_id, set()).add((event.kind, event.approved))
                acct.seq = event.seq
                acct.balance += delta if approved else 0
                acct.txn_ids.append(event.txn_id)
                if event.balance_after != acct.balance:
                    problems.append(
                        f"{account_id} seq {event.seq}: balance_after "
                        f"{event.balance_after}, model {acct.balance}"
                    )
        for txn_id, seen in legs.items():
            sent, received = ("transfer_out", True) in seen, ("transfer_in", True) in seen
            if sent != received:
                problems.append(f"transfer {txn_id}: sent={sent} but received={received}")
        return problems

    @staticmethod
    def _expected_leg(
        cmd: dict[str, Any], account_id: str, acct: ModelAccount, amount: int
    ) -> tuple[str, int, bool]:
        if cmd["type"] == "credit":
            legible = "check" not in cmd or check_reads(cmd["check"], amount)
            return "credit", amount, legible and not credit_refused(acct, amount)
        if cmd["type"] == "debit":
            return "debit", -amount, not acct.blocked and not debit_refused(acct, amount)
        if cmd["to_account"] == account_id:
            return "transfer_in", amount, True
        return "transfer_out", -amount, not acct.blocked and not debit_refused(acct, amount)

    def total(self) -> int:
        return sum(a.balance for a in self.accounts.values())
