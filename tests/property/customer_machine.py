"""The customer state machine: customers registered, updated and given accounts through the
real ledger on the in-memory twins (``TWINS = True``, the fast lane) or on DynamoDB Local, a
pure model beside it (``customer_model``), invariants after every step.

Invariants, read through the ports on both backends (every customer id and every phone the
machine can draw, every event): the customers are exactly the model's (name, phone, state,
statuses, version); phones are unique: the phones claimed are exactly the customers' phones,
each naming its customer; every account opened names the model's customer. On DynamoDB Local
also over every item of the ledger table (the item layout): ``special_status_indicator`` is
``"yes"`` iff the customer has a status, and ABSENT otherwise (the sparse index); the GSI keys
follow the phone and state; the account items are the model's. Per command: the outcome is
the model's; a rejected command (an opening for an unknown customer included) writes nothing.
Concurrent registrations of one phone and concurrent moves to one phone (threads, two
ledgers) have exactly one winner.
"""

from __future__ import annotations

from typing import Any, ClassVar

from hypothesis import event as note_event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from acme_base.aws import deserialize
from acme_base.settings import Settings
from acme_txn.bootstrap import bootstrap
from acme_txn.infrastructure import MemoryInfrastructure
from processor.domain.events import AccountOpened
from processor.domain.outcomes import Outcome
from tests.property import backend as backends
from tests.property.bursts import run_threads
from tests.property.customer_model import PHONES, STATES, STATUSES, CustomerModel

CUSTOMERS = ("C1", "C2", "C3", "C4", "C5", "C6")
VALID_PHONES = sorted(p for p, e164 in PHONES.items() if e164)
E164S = sorted({e164 for e164 in PHONES.values() if e164})
phones = st.sampled_from(sorted(PHONES))
states = st.sampled_from(sorted(STATES))
statuses = st.lists(st.sampled_from(STATUSES), max_size=3)
names = st.sampled_from(["Ada Li", " Ada Li ", "Bo Ng"])


def registration(cid: str, phone: str, state: str, status: list[str], name: str) -> dict[str, Any]:
    return {"type": "register_customer", "customer_id": cid, "name": name, "phone": phone,
            "state": state, "special_status": status}  # fmt: skip


@st.composite
def updates(draw: st.DrawFn) -> dict[str, Any]:
    """Some of name, phone, state, statuses to add and remove (never one status both ways)."""
    cmd: dict[str, Any] = {"type": "update_customer"}
    for key, values in (("name", names), ("phone", phones), ("state", states)):
        if draw(st.booleans()):
            cmd[key] = draw(values)
    add = draw(st.sets(st.sampled_from(STATUSES), max_size=2))
    remove = draw(st.sets(st.sampled_from(STATUSES), max_size=3)) - add
    if add or not (set(cmd) - {"type"}):
        cmd["add_special_status"] = sorted(add) or ["student"]
    if remove - set(cmd.get("add_special_status", ())):
        cmd["remove_special_status"] = sorted(remove - set(cmd.get("add_special_status", ())))
    return cmd


class CustomerMachine(RuleBasedStateMachine):
    #: on the in-memory twins (tests/property/test_twin_machines.py), else on DynamoDB Local
    TWINS: ClassVar[bool] = False

    def __init__(self) -> None:
        super().__init__()
        if self.TWINS:
            self.app = bootstrap(Settings(table_prefix="twins"), memory=True)
            self.ledger = self.app.ledger
            self.other = self.app.new_ledger()  # another writer: its own head cache
        else:
            self.settings = backends.fresh_settings(backends.current())
            backends.create_tables(self.settings)
            self.app = bootstrap(self.settings)
            self.client, self.ledger = self.app.dynamodb, self.app.ledger
            self.other = bootstrap(self.settings).ledger  # another host: its own client
        self.model = CustomerModel()

    def teardown(self) -> None:
        if not self.TWINS:
            self.client.close()
            self.other.store.client.close()  # type: ignore[attr-defined]

    def items(self) -> list[dict[str, Any]]:
        """Every item of the ledger table (DynamoDB Local only: the item layout)."""
        pages = self.client.get_paginator("scan").paginate(
            TableName=self.settings.ledger_table, ConsistentRead=True
        )
        return [deserialize(i) for page in pages for i in page.get("Items", [])]

    def contents(self) -> dict[str, Any]:
        """What the store holds, through the ports (both backends): the customers of every id
        and the owners of every phone the machine can draw, every event and every record."""
        customers, store = self.app.customer_store, self.app.event_store
        ids = [*CUSTOMERS, "C9"]
        return {
            "customers": {c: found for c in ids if (found := customers.customer(c)) is not None},
            "claims": {p: owner for p in E164S if (owner := customers.phone_owner(p))},
            "events": sorted(store.all_events(), key=lambda e: (e.account_id, e.seq)),
            "records": sorted(store.all_records(), key=lambda r: r.txn_id),
        }

    def snapshot(self) -> Any:
        return self.contents() if self.TWINS else (self.contents(), self.items())

    def submit(self, cmd: dict[str, Any], expected: str) -> Outcome:
        before = self.snapshot()
        outcome = self.ledger.submit_raw(cmd)
        assert outcome.status == expected, (cmd, outcome, expected)
        if expected in {"rejected", "duplicate"}:
            assert self.snapshot() == before, f"{expected} {cmd} wrote something"
        return outcome

    # --- rules ----------------------------------------------------------------------------------

    @rule(cid=st.sampled_from(CUSTOMERS), phone=phones, state=states, status=statuses, name=names)
    def register(self, cid: str, phone: str, state: str, status: list[str], name: str) -> None:
        note_event("rule: register")
        cmd = registration(cid, phone, state, status, name)
        outcome = self.submit(cmd, self.model.predict_register(cmd))
        self.model.record_register(cmd, outcome.status)

    @precondition(lambda self: bool(self.model.registrations))
    @rule(data=st.data())
    def register_again(self, data: st.DataObject) -> None:
        """The first registration resent, its phone respelled: a duplicate, whatever changed
        since (a retry of the original command)."""
        note_event("rule: register_again")
        cid = data.draw(st.sampled_from(sorted(self.model.registrations)))
        first = self.model.registrations[cid]
        phone = data.draw(st.sampled_from([p for p in PHONES if PHONES[p] == first.phone]))
        state = next(s for s, code in STATES.items() if code == first.state)
        cmd = registration(cid, phone, state, sorted(first.statuses), first.name)
        self.submit(cmd, "duplicate")

    @rule(cid=st.sampled_from([*CUSTOMERS, "C9"]), cmd=updates())
    def update(self, cid: str, cmd: dict[str, Any]) -> None:
        note_event("rule: update")
        cmd = {**cmd, "customer_id": cid}
        status, after = self.model.apply_update(cmd)
        self.submit(cmd, status)
        self.model.record_update(cmd, after)

    @rule(account=st.sampled_from(["A1", "A2"]), cid=st.sampled_from([*CUSTOMERS, "C9"]))
    def open_account(self, account: str, cid: str) -> None:
        note_event("rule: open_account")
        cmd = {"type": "open_account", "account_id": account, "customer_id": cid}
        outcome = self.submit(cmd, self.model.predict_open(account, cid))
        if outcome.status == "opened":
            self.model.accounts[account] = cid

    @precondition(lambda self: len(set(CUSTOMERS) - set(self.model.customers)) >= 2)
    @rule(data=st.data(), phone=st.sampled_from(VALID_PHONES), two=st.booleans())
    def race_registrations(self, data: st.DataObject, phone: str, two: bool) -> None:
        """New customers registering one phone at once: one winner if the phone is free."""
        note_event("rule: race_registrations")
        fresh = sorted(set(CUSTOMERS) - set(self.model.customers))
        ids = data.draw(st.lists(st.sampled_from(fresh), min_size=2, max_size=4, unique=True))
        cmds = [registration(c, phone, "NY", [], "Racer") for c in ids]
        taken = self.model.owner(str(PHONES[phone])) is not None
        results = run_threads(cmds, [self.ledger, self.other] if two else [self.ledger])
        outcomes = [r for r in results if isinstance(r, Outcome)]
        assert len(outcomes) == len(cmds), results
        won = [i for i, o in enumerate(outcomes) if o.status == "registered"]
        assert len(won) == (0 if taken else 1), outcomes
        assert all(o.status == "rejected" for i, o in enumerate(outcomes) if i not in won)
        for i in won:
            self.model.record_register(cmds[i], "registered")

    @precondition(lambda self: len(self.model.customers) >= 2)
    @rule(data=st.data(), phone=st.sampled_from(VALID_PHONES))
    def race_phone_moves(self, data: st.DataObject, phone: str) -> None:
        """Two customers moving to one free phone at once, on two ledgers: one winner."""
        note_event("rule: race_phone_moves")
        e164 = str(PHONES[phone])
        movers = [c for c in sorted(self.model.customers) if self.model.customers[c].phone != e164]
        if self.model.owner(e164) is not None or len(movers) < 2:
            return
        pair = data.draw(st.lists(st.sampled_from(movers), min_size=2, max_size=2, unique=True))
        cmds = [{"type": "update_customer", "customer_id": c, "phone": phone} for c in pair]
        results = run_threads(cmds, [self.ledger, self.other])
        outcomes = [r for r in results if isinstance(r, Outcome)]
        assert sorted(o.status for o in outcomes) == ["rejected", "updated"], results
        winner = next(i for i, o in enumerate(outcomes) if o.status == "updated")
        _, after = self.model.apply_update(cmds[winner])
        self.model.record_update(cmds[winner], after)

    # --- invariants -----------------------------------------------------------------------------

    @invariant()
    def customers_and_phones_hold(self) -> None:
        """Through the ports: the customers, their phones' claims and the accounts."""
        contents = self.contents()
        model = self.model.customers
        customers = contents["customers"]
        assert set(customers) == set(model), (sorted(customers), sorted(model))
        assert contents["claims"] == {m.phone: c for c, m in model.items()}  # phones unique
        for cid, customer in customers.items():
            want = model[cid]
            got = (customer.name, customer.phone, customer.state, customer.version)
            assert got == (want.name, want.phone, want.state, want.version), (cid, got, want)
            assert customer.special_status == want.statuses, (cid, customer, want)
        accounts = {
            e.account_id: e.customer_id for e in contents["events"] if isinstance(e, AccountOpened)
        }
        assert accounts == self.model.accounts, (accounts, self.model.accounts)

    @invariant()
    def items_hold(self) -> None:
        """DynamoDB Local: every item of the ledger table follows the layout (the twins: their
        account records, the account items' twin, are the model's)."""
        if isinstance(self.app.infra, MemoryInfrastructure):
            held = {account: cid for cid, account in self.app.infra.events.accounts}
            assert held == self.model.accounts, (held, self.model.accounts)
            return
        items = self.items()
        customers = {i["customer_id"]: i for i in items if i.get("entity") == "customer"}
        claims = {
            str(i["PK"]).removeprefix("UNIQUE#PHONE#"): i["customer_id"]
            for i in items
            if str(i["PK"]).startswith("UNIQUE#PHONE#")
        }
        model = self.model.customers
        assert set(customers) == set(model), (sorted(customers), sorted(model))
        assert claims == {m.phone: c for c, m in model.items()}, claims  # phones unique
        for cid, item in customers.items():
            want = model[cid]
            got = (item["name"], item["phone"], item["state"], item["version"])
            assert got == (want.name, want.phone, want.state, want.version), (cid, item, want)
            assert set(item.get("special_status", ())) == want.statuses, (cid, item)
            if want.statuses:
                assert item.get("special_status_indicator") == "yes", (cid, item)
            else:  # REMOVED, not "no": the customer must leave the sparse index
                assert "special_status_indicator" not in item, (cid, item)
                assert "special_status" not in item, (cid, item)
            assert (item["GSI1PK"], item["GSI1SK"]) == (f"PHONE#{want.phone}", f"CUST#{cid}")
            assert (item["GSI2PK"], item["GSI2SK"]) == (f"STATE#{want.state}", f"CUST#{cid}")
        accounts = {
            i["account_id"]: i["customer_id"] for i in items if i.get("entity") == "account"
        }
        assert accounts == self.model.accounts, (accounts, self.model.accounts)
