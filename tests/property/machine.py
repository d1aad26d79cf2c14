"""The ledger state machine: the real ledger on the in-memory twins (``TWINS = True``, the fast
lane) or on DynamoDB Local, a pure model beside it, invariants after every step. See README.md
in this folder for how to extend it.

Write side: open accounts, credit, debit, transfer, resubmit earlier commands (same payload:
``duplicate`` with the original fields; other payload: ``rejected``, nothing written),
concurrent bursts (threads on one ledger, two ledgers with their own clients, and, on DynamoDB
Local only, a second OS process running ``acme-txn submit``), throttled writes (transient: on
DynamoDB Local only, botocore's retry absorbs it; persistent: the caller sees it).

The invariants read the store through its port (``all_events``, ``all_records``), never
through boto3, so the same checks hold the twins and DynamoDB.

Read side (``ProjectingLedgerMachine``): a simulated stream of the events delivered to the
real ``projections.projector.Projector`` in batches with duplicates, reordering within and
across batches, crashes after the projection write and before the checkpoint, throttling and
a failing transaction mid-batch; drains check every read model against the fold of the log.

``RestartingLedgerMachine`` adds a backend restart on a persistent data dir.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from hypothesis import event as note_event
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from acme_base.errors import BackendError
from acme_base.settings import Settings
from acme_txn.bootstrap import Options, bootstrap
from processor.domain.events import LedgerEvent
from processor.domain.outcomes import Outcome
from processor.services.config import LedgerConfig
from tests.customer_support import register
from tests.property import backend as backends
from tests.property.bursts import bursts, race_second_process, run_threads
from tests.property.decline_rules import DeclineRules
from tests.property.faults import failing, injected
from tests.property.ledger_checks import burst_winners, check_ledger, same_outcome
from tests.property.model import Committed, Model, canon, cents, other_payload, text
from tests.property.rules_machine import RulesRules
from tests.property.strategies import (
    ACCOUNT_POOL,
    account_ids,
    equivalent_spelling,
    money_commands,
)

# Txn ids a client may legitimately choose that look like ids the system makes up itself.
SUSPICIOUS_TXN_IDS = tuple(f"open-{a}" for a in ACCOUNT_POOL)


#: when the machine's accounts take effect: no command may be dated before its opening
OPENED_AT = "2026-01-01T00:00:00Z"


class LedgerMachine(DeclineRules, RulesRules, RuleBasedStateMachine):
    """Write-side rules and invariants. Subclasses add the projector and restarts."""

    #: on the in-memory twins (tests/property/test_twin_machines.py), else on DynamoDB Local
    TWINS: ClassVar[bool] = False
    OPTIONS = Options(ledger=LedgerConfig(max_attempts=60))

    def __init__(self) -> None:
        super().__init__()
        if self.TWINS:
            self.settings = Settings(table_prefix="twins")
        else:
            self.backend = backends.current()
            self.settings = backends.fresh_settings(self.backend)
            backends.create_tables(self.settings)
        self.model = Model()
        self._txn = 0
        self.process_bursts = 0
        self._connect()

    def _connect(self) -> None:
        """(Re)build clients and ledgers; called again after a backend restart."""
        if self.TWINS:
            self.app = bootstrap(self.settings, self.OPTIONS, memory=True)
            self.store = self.app.event_store
            self.ledger = self.app.ledger
            self.other = self.app.new_ledger()  # a second writer with its own head cache
            return
        self.settings = self.settings.with_(endpoint_url=self.backend.endpoint)
        self.app = bootstrap(self.settings, self.OPTIONS)
        self.client = self.app.dynamodb
        self.store = self.app.event_store
        self.ledger = self.app.ledger
        # A second writer with its own connection pool: races the first like another host.
        self.other = bootstrap(self.settings, self.OPTIONS).ledger

    def teardown(self) -> None:
        if self.TWINS:
            return
        for ledger in (getattr(self, "ledger", None), getattr(self, "other", None)):
            if ledger is not None:
                ledger.store.client.close()

    def fresh_txn_id(self) -> str:
        self._txn += 1
        return f"T{self._txn:04d}"

    # --- rules: one command at a time, outcome predicted exactly --------------------------

    @initialize()
    def open_two_accounts(self) -> None:
        note_event("rule: open_two_accounts")
        register(self.ledger, "C1", "C2")  # accounts need registered customers (issue 9)
        for account in ("A1", "A2"):
            self.open_account(account, "C1", "USD")

    @rule(
        account=account_ids,
        customer=st.sampled_from(["C1", "C2"]),
        currency=st.sampled_from(["USD", "USD", "USD", "EUR"]),
    )
    def open_account(self, account: str, customer: str, currency: str) -> None:
        note_event("rule: open_account")
        cmd = {
            "type": "open_account",
            "account_id": account,
            "customer_id": customer,
            "currency": currency,
            "occurred_at": OPENED_AT,  # before every day the money commands are dated
        }
        expected = self.model.predict_open(cmd)
        actual = self.ledger.submit_raw(cmd)
        assert not same_outcome(actual, expected), (cmd, same_outcome(actual, expected))
        self.model.record_open(cmd, actual)

    @rule(
        cmd=money_commands(txn_id="_"),
        as_json=st.booleans(),
        odd_id=st.one_of(st.none(), st.sampled_from(SUSPICIOUS_TXN_IDS)),
    )
    def money(self, cmd: dict[str, Any], as_json: bool, odd_id: str | None) -> None:
        """A credit, debit or transfer (accounts may be unknown: then rejected)."""
        note_event("rule: money")
        cmd = {**cmd, "txn_id": odd_id or self.fresh_txn_id()}
        self.submit_one(cmd, as_json)

    @precondition(
        lambda self: any(f"open-{a}" not in self.model.committed for a in self.model.accounts)
    )
    @rule(data=st.data(), amount=st.sampled_from(["0.01", "1.00"]))
    def credit_under_an_opening_like_id(self, data: st.DataObject, amount: str) -> None:
        """A credit to an open account X under txn id ``open-X`` (a valid client id; what
        X's ``AccountOpened`` event was once called): one more event, never a second event
        of one txn id on X (``money`` draws such ids too, but rarely on their own account)."""
        note_event("rule: credit_under_an_opening_like_id")
        free = [a for a in sorted(self.model.accounts) if f"open-{a}" not in self.model.committed]
        account = data.draw(st.sampled_from(free))
        cmd = {"type": "credit", "txn_id": f"open-{account}", "account_id": account}
        self.submit_one({**cmd, "amount": amount})

    def submit_one(self, cmd: dict[str, Any], as_json: bool = False) -> Outcome:
        before = len(self.scan_events())
        expected = self.model.predict(cmd)
        actual = self.ledger.submit_raw(json.dumps(cmd) if as_json else cmd)
        diffs = same_outcome(actual, expected)
        assert not diffs, (cmd, actual, diffs)
        if actual.status in {"rejected", "duplicate"}:
            assert len(self.scan_events()) == before, f"{actual.status} {cmd} wrote events"
        self.model.record(cmd, actual)
        return actual

    @precondition(lambda self: bool(self.model.committed))
    @rule(data=st.data(), respell=st.booleans(), as_json=st.booleans())
    def resubmit_same(self, data: st.DataObject, respell: bool, as_json: bool) -> None:
        """A client retry: same txn id, same payload (maybe respelled) -> the original outcome."""
        note_event("rule: resubmit_same")
        txn_id = data.draw(st.sampled_from(sorted(self.model.committed)))
        cmd = dict(self.model.committed[txn_id].payload)
        if respell and "amount" in cmd:
            cmd["amount"] = equivalent_spelling(cmd["amount"])
            if "occurred_at" in cmd:
                cmd["occurred_at"] = cmd["occurred_at"].replace("Z", "+00:00")
        outcome = self.submit_one(cmd, as_json)
        assert outcome.status == "duplicate"

    @precondition(lambda self: bool(self.model.committed))
    @rule(data=st.data(), change=st.sampled_from(["amount", "type", "account", "time"]))
    def resubmit_other(self, data: st.DataObject, change: str) -> None:
        """A reused txn id with another payload -> rejected, and nothing is written."""
        note_event("rule: resubmit_other")
        txn_id = data.draw(st.sampled_from(sorted(self.model.committed)))
        cmd = dict(self.model.committed[txn_id].payload)
        if change == "amount":
            cmd = other_payload(cmd)
        elif change == "type" and cmd["type"] != "transfer":
            cmd["type"] = "debit" if cmd["type"] == "credit" else "credit"
        elif change == "time":
            cmd["occurred_at"] = "2026-11-19T00:00:00Z"
        else:
            key = "account_id" if "account_id" in cmd else "to_account"
            others = [a for a in ACCOUNT_POOL if a != cmd[key] and a != cmd.get("from_account")]
            cmd[key] = data.draw(st.sampled_from(others))
        assert canon(cmd) != canon(self.model.committed[txn_id].payload)
        outcome = self.submit_one(cmd)
        assert outcome.status == "rejected"

    # --- rules: concurrency -----------------------------------------------------------------

    @rule(spec=bursts(), data=st.data())
    def burst(self, spec: dict[str, Any], data: st.DataObject) -> None:
        """Several writers at once on overlapping accounts (threads; one or two ledgers)."""
        note_event("rule: burst")
        cmds = self._burst_commands(spec, data)
        ledgers = [self.ledger] if spec["mode"] == "one_ledger" else [self.ledger, self.other]
        outcomes = run_threads(cmds, ledgers)
        self._absorb_burst(cmds, outcomes)

    @precondition(lambda self: not self.TWINS and self.process_bursts < 1)
    @rule(spec=bursts(), data=st.data())
    def burst_with_second_process(self, spec: dict[str, Any], data: st.DataObject) -> None:
        """Half the burst goes through `acme-txn submit` in another OS process, at once.

        The process gets a warm-up credit first; once its idempotency record shows up the
        process is running, and the rest of both halves are fired together."""
        note_event("rule: burst_with_second_process")
        self.process_bursts += 1
        warm = {
            "type": "credit",
            "txn_id": self.fresh_txn_id(),
            "account_id": "A1",
            "amount": "0.01",
        }
        cmds = [warm, *self._burst_commands(spec, data)]
        merged = race_second_process(self.settings, self.store, self.ledger, cmds)
        self._absorb_burst(cmds, merged)

    def _burst_commands(self, spec: dict[str, Any], data: st.DataObject) -> list[dict[str, Any]]:
        cmds = [{**c, "txn_id": self.fresh_txn_id()} for c in spec["base"]]
        for index, same in spec["copies"]:
            original = cmds[index % len(cmds)]
            if same:
                cmds.append(dict(original))
            else:
                cmds.append({**original, "amount": text(cents(original["amount"]) + 1)})
        if spec["resubmit"] and self.model.committed:
            txn_id = data.draw(st.sampled_from(sorted(self.model.committed)))
            earlier = dict(self.model.committed[txn_id].payload)
            if spec["resubmit"] == "other":
                earlier = other_payload(earlier)
            cmds.append(earlier)
        return cmds

    def _absorb_burst(
        self, cmds: list[dict[str, Any]], results: list[Outcome | BaseException]
    ) -> None:
        """Check a burst's outcomes and events against *some* serial order, then absorb them."""
        errors = [r for r in results if isinstance(r, BaseException)]
        assert not errors, f"burst raised {errors!r}"
        outcomes = [r for r in results if isinstance(r, Outcome)]
        winners = burst_winners(self.model, cmds, outcomes)
        # The events written are exactly the winners', and some serial order explains them.
        heads = {a: m.seq for a, m in self.model.accounts.items()}
        new = [e for e in self.scan_events() if e.seq > heads.get(e.account_id, -1)]
        assert {e.txn_id for e in new} == set(winners), (
            sorted({e.txn_id for e in new}),
            sorted(winners),
        )
        problems = self.model.replay_concurrent({t: cmds[i] for t, i in winners.items()}, new)
        assert not problems, problems
        for txn_id, i in winners.items():
            self.model.committed[txn_id] = Committed(cmds[i], outcomes[i])
        self.model.outcomes += outcomes

    # --- rules: faults on the write path ---------------------------------------------------

    @rule(cmd=money_commands(txn_id="_"), persistent=st.booleans())
    def throttled_write(self, cmd: dict[str, Any], persistent: bool) -> None:
        """ProvisionedThroughputExceeded on TransactWriteItems: once (botocore's retry absorbs
        it: the normal outcome; DynamoDB Local only, the twins have no client) or on every call
        (the caller sees a failure, nothing is written, and the same command succeeds later;
        on the twins the store's appends raise ``Throttled``)."""
        note_event("rule: throttled_write")
        cmd = {**cmd, "txn_id": self.fresh_txn_id()}
        expected = self.model.predict(cmd)
        if not persistent:
            if self.TWINS:
                actual = self.ledger.submit_raw(cmd)
            else:
                client = self.ledger.store.client  # type: ignore[attr-defined]
                with injected(client, "TransactWriteItems", 1, transient=True) as injector:
                    actual = self.ledger.submit_raw(cmd)
                assert injector.injected == (0 if expected.status == "rejected" else 1)
            assert not same_outcome(actual, expected), (cmd, actual, expected)
            self.model.record(cmd, actual)
            return
        before = self.scan_events()
        with self._throttling() as injector:
            try:
                actual = self.ledger.submit_raw(cmd)
            except BackendError as exc:
                assert "throttled" in str(exc).lower(), exc
                actual = Outcome(status="failed", txn_id=cmd["txn_id"], error=str(exc))
        if expected.status == "rejected":
            assert actual.status == "rejected", actual
        else:
            assert injector.injected >= 1 and actual.status == "failed", actual
        assert self.scan_events() == before, "a throttled write wrote something"
        assert self.store.idempotency_record(cmd["txn_id"]) is None
        self.model.outcomes.append(actual)
        # The client retries later, with the throttling gone: a normal first execution.
        self.submit_one(cmd)

    def _throttling(self) -> Any:
        """Every append fails as throttled: botocore's ``before-call`` on DynamoDB Local, the
        store's append methods on the twins."""
        if self.TWINS:
            return failing(self.store, ("append", "append_many"), None)
        client = self.ledger.store.client  # type: ignore[attr-defined]
        return injected(client, "TransactWriteItems", None, transient=False)

    # --- invariants ---------------------------------------------------------------------------

    def scan_events(self) -> list[LedgerEvent]:
        """Every event, through the port (a consistent Scan on DynamoDB)."""
        return sorted(self.store.all_events(), key=lambda e: (e.account_id, e.seq))

    @invariant()
    def ledger_invariants_hold(self) -> None:
        """Money conserved, no negative balance, seq contiguous, one event per txn per
        account, outcomes = stored events, idempotency records = committed commands, and the
        model's balances = the store's."""
        check_ledger(self.scan_events(), list(self.store.all_records()), self.model)
