"""The composition root chooses the backend once: one infrastructure object per backend, the
clock given at construction, parts replaced through the constructor (never ``app.__dict__``)."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from pathlib import Path

from acme_base.settings import Settings
from acme_txn.bootstrap import App
from acme_txn.infrastructure import DynamoInfrastructure, MemoryInfrastructure
from apps.loyalty.rules import LoyaltyRules
from processor.customers.memory import MemoryCustomerStore
from processor.storage.store import DynamoEventStore
from projections.fraud.memory import MemoryFraudStore

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = Settings.from_env({})
THEN = datetime(2026, 5, 1, tzinfo=UTC)


def test_given_memory_when_built_then_every_store_comes_from_the_memory_twins() -> None:
    app = App(SETTINGS, memory=True)
    assert isinstance(app.infra, MemoryInfrastructure)
    # the customers' twin shares the event store's records (an opening's customer check)
    assert isinstance(app.customer_store, MemoryCustomerStore)
    assert app.customer_store.events is app.event_store
    assert app.loyalty.reads is None  # the bank's queries have no twin


def test_given_a_client_when_built_then_the_dynamodb_adapters_use_it() -> None:
    client = object()  # never called: the stores are only built
    app = App(SETTINGS, dynamodb=client)
    assert isinstance(app.infra, DynamoInfrastructure)
    assert isinstance(app.event_store, DynamoEventStore)
    assert app.infra.dynamodb is client


def test_given_a_clock_when_built_then_every_ledger_reads_it() -> None:
    app = App(SETTINGS, memory=True, clock=lambda: THEN)
    assert app.ledger.clock() == THEN
    assert app.offer_queries().clock() == THEN
    later = datetime(2027, 1, 1, tzinfo=UTC)
    assert app.new_ledger(clock=lambda: later).clock() == later


def test_given_parts_when_built_then_they_replace_the_backend_s() -> None:
    fraud, rules = MemoryFraudStore(), LoyaltyRules()
    app = App(SETTINGS, dynamodb=object(), fraud_store=fraud, loyalty_rules=rules)
    assert app.fraud_store is fraud
    assert app.loyalty_rules is rules


def test_given_the_sources_when_read_then_no_memory_branch_and_no_dict_writes() -> None:
    # the App never asks which backend it has ...
    bootstrap = (ROOT / "acme_txn" / "bootstrap.py").read_text()
    assert "self.memory" not in bootstrap
    assert "__dict__" not in bootstrap
    # ... and no test replaces an App's part by writing into its __dict__
    writes = re.compile(r"app\.__dict__\[")
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("*.py")
        if path.name != Path(__file__).name and writes.search(path.read_text())
    ]
    assert offenders == []


def test_given_the_root_when_read_then_it_is_small_and_chooses_the_backend_in_one_place() -> None:
    # GIVEN the composition root's source
    source = (ROOT / "acme_txn" / "bootstrap.py").read_text()
    # THEN it is small (its parts live in acme_txn/wiring/) ...
    assert len(source.splitlines()) <= 150
    # ... and no condition in it or its parts asks for the memory backend
    parts = [source, *(path.read_text() for path in (ROOT / "acme_txn" / "wiring").glob("*.py"))]
    tests = [
        ast.unparse(node.test)
        for part in parts
        for node in ast.walk(ast.parse(part))
        if isinstance(node, ast.If | ast.IfExp | ast.While)
    ]
    assert [test for test in tests if "memory" in test.lower()] == []
