"""The state machine's rules for the decline reasons of issue 9 (a mixin of
``LedgerMachine``): block and unblock, spending from a blocked account (declined
``unauthorized``), and check deposits, legible or not (declined ``illegible_check``). The
model predicts each outcome exactly (``Model.predict``); ``submit_one`` checks it and that a
rejection writes nothing; ``check_ledger`` checks after every step that no money left a
blocked account and that no declined event changed a balance."""

from __future__ import annotations

from typing import Any

from hypothesis import event as note_event
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from processor.domain.outcomes import Outcome
from tests.property.model import Model
from tests.property.strategies import ACCOUNT_POOL, account_ids, amount_texts, check_credits


class DeclineRules:
    """Rules only; the machine provides ``model``, ``fresh_txn_id`` and ``submit_one``."""

    model: Model

    def fresh_txn_id(self) -> str:
        raise NotImplementedError

    def submit_one(self, cmd: dict[str, Any], as_json: bool = False) -> Outcome:
        raise NotImplementedError

    @rule(
        account=account_ids,
        block=st.booleans(),
        reason=st.sampled_from(["suspected fraud", " court order ", "customer request"]),
    )
    def block_or_unblock(self, account: str, block: bool, reason: str) -> None:
        """Block or unblock (accounts may be unknown, or already so: then rejected)."""
        note_event("rule: block_or_unblock")
        kind = "block_account" if block else "unblock_account"
        cmd = {"type": kind, "txn_id": self.fresh_txn_id(), "account_id": account}
        self.submit_one({**cmd, "reason": reason})

    @precondition(lambda self: any(a.blocked for a in self.model.accounts.values()))
    @rule(data=st.data(), transfer=st.booleans(), amount=amount_texts())
    def spend_from_blocked(self, data: st.DataObject, transfer: bool, amount: str) -> None:
        """A debit or transfer out of a blocked account: declined unauthorized, nothing moves."""
        note_event("rule: spend_from_blocked")
        blocked = sorted(a for a, m in self.model.accounts.items() if m.blocked)
        src = data.draw(st.sampled_from(blocked))
        cmd: dict[str, Any] = {"type": "debit", "txn_id": self.fresh_txn_id(), "amount": amount}
        if transfer:
            dst = data.draw(st.sampled_from([a for a in ACCOUNT_POOL if a != src]))
            cmd |= {"type": "transfer", "from_account": src, "to_account": dst}
        else:
            cmd["account_id"] = src
        self.submit_one(cmd)

    @rule(cmd=check_credits(txn_id="_"), as_json=st.booleans())
    def check_deposit(self, cmd: dict[str, Any], as_json: bool) -> None:
        """A check deposit: legible (credited) or not (declined illegible_check)."""
        note_event("rule: check_deposit")
        self.submit_one({**cmd, "txn_id": self.fresh_txn_id()}, as_json)
