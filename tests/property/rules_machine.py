"""The state machine's rules for issue 11 (a mixin of ``LedgerMachine``): overdraft limits,
freeze/unfreeze (the block alias), close, tracing fields, and money conserved per currency.
The model predicts each outcome exactly (``model.Model.predict`` with ``rules_model``);
``submit_one`` checks it and that a rejection writes nothing."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from hypothesis import event as note_event
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

from processor.domain.events import LedgerEvent
from processor.domain.outcomes import Outcome
from processor.domain.parsing import text_problem
from tests.property.model import Model
from tests.property.strategies import account_ids, money_commands

limits_texts = st.sampled_from(["0", "0.00", "5.00", "25", "100.00", "1000.00"])
metadata = st.fixed_dictionaries(
    {"correlation_id": st.sampled_from(["flow-1", "flow-2"])},
    optional={
        "causation_id": st.sampled_from(["msg:1", "order:2"]),
        "metadata": st.dictionaries(
            st.sampled_from(["order", "channel", "x.y"]),
            st.text(
                st.characters(min_codepoint=32, max_codepoint=0x2FFF).filter(
                    lambda c: text_problem(c) is None  # printable: no C1, no bidi control
                ),
                max_size=8,
            ),
            max_size=3,
        ),
    },
)


class RulesRules:
    """Rules only; the machine provides ``model``, ``fresh_txn_id``, ``submit_one`` and
    ``scan_events``."""

    model: Model

    def fresh_txn_id(self) -> str:
        raise NotImplementedError

    def submit_one(self, cmd: dict[str, Any], as_json: bool = False) -> Outcome:
        raise NotImplementedError

    def scan_events(self) -> list[LedgerEvent]:
        raise NotImplementedError

    @rule(account=account_ids, limit=limits_texts, as_json=st.booleans())
    def set_credit_limit(self, account: str, limit: str, as_json: bool) -> None:
        """An overdraft, raised or lowered (below the current debt, or unchanged: rejected)."""
        note_event("rule: set_credit_limit")
        cmd = {"type": "set_limits", "txn_id": self.fresh_txn_id(), "account_id": account}
        self.submit_one({**cmd, "credit_limit": limit}, as_json)

    @precondition(lambda self: any(not a.closed for a in self.model.accounts.values()))
    @rule(data=st.data(), past=st.sampled_from([0, 1]), transfer=st.booleans())
    def spend_to_the_limit(self, data: st.DataObject, past: int, transfer: bool) -> None:
        """Spend all that may be spent (balance + overdraft), or a cent more: the edge."""
        note_event("rule: spend_to_the_limit")
        open_ = sorted(a for a, m in self.model.accounts.items() if not m.closed)
        src = data.draw(st.sampled_from(open_))
        acct = self.model.accounts[src]
        minor = acct.balance + acct.credit_limit + past
        if minor <= 0:
            return
        amount = f"{minor // 100}.{minor % 100:02d}"
        cmd: dict[str, Any] = {"type": "debit", "txn_id": self.fresh_txn_id(), "amount": amount}
        others = [a for a in self.model.accounts if a != src]
        if transfer and others:
            cmd |= {
                "type": "transfer",
                "from_account": src,
                "to_account": data.draw(st.sampled_from(others)),
            }
        else:
            cmd["account_id"] = src
        self.submit_one(cmd)

    @rule(account=account_ids, freeze=st.booleans())
    def freeze_or_unfreeze(self, account: str, freeze: bool) -> None:
        note_event("rule: freeze_or_unfreeze")
        kind = "freeze_account" if freeze else "unfreeze_account"
        cmd = {"type": kind, "txn_id": self.fresh_txn_id(), "account_id": account}
        self.submit_one({**cmd, "reason": "review"} if freeze else cmd)

    @rule(account=account_ids)
    def close_account(self, account: str) -> None:
        """Close (only at zero; every later command on the account is rejected)."""
        note_event("rule: close_account")
        cmd = {"type": "close_account", "txn_id": self.fresh_txn_id(), "account_id": account}
        self.submit_one(cmd)

    @rule(cmd=money_commands(txn_id="_"), trace=metadata)
    def traced_money(self, cmd: dict[str, Any], trace: dict[str, Any]) -> None:
        """A money command with tracing fields: every event it writes carries them."""
        note_event("rule: traced_money")
        txn_id = self.fresh_txn_id()
        outcome = self.submit_one({**cmd, **trace, "txn_id": txn_id})
        written = [e for e in self.scan_events() if e.txn_id == txn_id]
        assert bool(written) == (outcome.status in {"approved", "declined"}), outcome
        for event in written:
            assert event.correlation_id == trace["correlation_id"]
            assert event.causation_id == trace.get("causation_id")
            assert event.metadata == (trace.get("metadata") or None)
            assert event.recorded_at is not None

    @precondition(lambda self: bool(self.model.accounts))
    @invariant()
    def money_conserved_per_currency_and_closed_stay_closed(self) -> None:
        """Per currency: the sum of balances = approved credits - approved debits (transfers
        net zero); the limits hold on every event; nothing follows a close."""
        net: dict[str, int] = defaultdict(int)
        heads: dict[str, LedgerEvent] = {}
        closed_at: dict[str, int] = {}
        for event in self.scan_events():
            if event.approved and event.kind in {"credit", "transfer_in"}:
                net[event.currency] += event.amount
            elif event.approved and event.kind in {"debit", "transfer_out"}:
                net[event.currency] -= event.amount
            if event.account_id not in heads or heads[event.account_id].seq < event.seq:
                heads[event.account_id] = event
            if event.event_type == "AccountClosed":
                closed_at[event.account_id] = event.seq
            limit = event.limits.credit_limit if event.limits else 0
            assert event.balance_after >= -limit, event
        balances: dict[str, int] = defaultdict(int)
        for head in heads.values():
            balances[head.currency] += head.balance_after
        assert {c: b for c, b in balances.items() if b} == {c: n for c, n in net.items() if n}
        for account, seq in closed_at.items():
            assert heads[account].seq == seq, f"{account}: an event after its close"
