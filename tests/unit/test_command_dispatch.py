"""Dispatch by the one registry, exhaustive: every command type of every family has its decider
(the domain) and its handler (the services), and every table entry is a registered type, so a
command added without a handler, or a handler left for a type that is gone, fails here.

No handler picks its command by an ``isinstance`` chain: each looks the command's class up in
its table (``Registry.cover``), and the tables call the deciders by name at call time, so the
mutation check's patches (``processor.domain.decide._single`` ...) still reach them."""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import pytest
from pydantic import BaseModel

from acme_txn.command_types import COMMANDS
from apps.budgets.service import Budgets
from apps.loyalty.service import Loyalty
from processor.customers.service import CustomerService
from processor.domain import decide as decide_mod
from processor.domain.account_state import AccountState
from processor.domain.commands import LEDGER, LEDGER_COMMANDS, Credit, parse_command
from processor.domain.events import FundsCredited
from processor.domain.registry import CommandType, Registry
from processor.offers.service import OfferService
from processor.services import ledger as ledger_mod

NOW = datetime(2026, 5, 1, tzinfo=UTC)

#: each family's table and the handler its types name in the registry
TABLES: dict[str, Mapping[type[BaseModel], Any]] = {
    "ledger": ledger_mod.LEDGER_ROUTES,
    "customers": CustomerService.HANDLERS,
    "offers": OfferService.HANDLERS,
    "loyalty": Loyalty.HANDLERS,
    "budgets": Budgets.HANDLERS,
}


def test_given_the_ledger_types_when_decided_then_each_has_its_decider() -> None:
    assert set(decide_mod.DECIDERS) == LEDGER.models()
    assert all(callable(decider) for decider in decide_mod.DECIDERS.values())


@pytest.mark.parametrize("handler", sorted(COMMANDS.handlers))
def test_given_a_handler_when_its_table_is_read_then_it_covers_exactly_its_types(
    handler: str,
) -> None:
    # GIVEN every type the registry gives to this handler (ledger, customers, offers, apps)
    table = TABLES[handler]
    # THEN its table has an entry for each, and nothing else
    assert set(table) == COMMANDS.models(handler)
    assert all(callable(entry) for entry in table.values())


def test_given_every_handler_then_every_handler_has_a_table() -> None:
    assert set(TABLES) == set(COMMANDS.handlers)


def test_given_a_new_type_without_an_entry_when_covered_then_it_is_named() -> None:
    # GIVEN a registry with a type nobody handles
    class Refund(Credit):
        pass

    registry = Registry(LEDGER_COMMANDS, [CommandType("refund", Refund, "ledger", "x")])
    # THEN the ledger's table (and the deciders') no longer covers it, naming the type
    with pytest.raises(ValueError, match="no handler for the command types refund"):
        registry.cover(ledger_mod.LEDGER_ROUTES, "ledger")
    with pytest.raises(ValueError, match="refund"):
        registry.cover(decide_mod.DECIDERS)


def test_given_an_entry_for_no_registered_type_when_covered_then_it_is_named() -> None:
    class Refund(Credit):
        pass

    table = {**decide_mod.DECIDERS, Refund: print}
    with pytest.raises(ValueError, match="Refund"):
        LEDGER.cover(table)


def test_given_a_patched_decider_when_decided_then_the_patch_is_called() -> None:
    # GIVEN the mutation check's way of planting a bug: patch the module attribute
    calls: list[Any] = []
    real = decide_mod._single

    def single(states: Any, cmd: Any, now: Any) -> Any:
        calls.append(cmd)
        return real(states, cmd, now)

    states = {"A1": AccountState("A1", "C1", "USD", 0, 0)}
    credit = parse_command({"type": "credit", "txn_id": "T1", "account_id": "A1", "amount": "5"})
    with mock.patch.object(decide_mod, "_single", single):
        events = decide_mod.decide(states, credit, NOW)
    # THEN the table reached the patched decider
    assert calls == [credit]
    assert isinstance(events[0], FundsCredited)


DISPATCHERS: list[Callable[..., Any]] = [
    decide_mod._decide,
    ledger_mod.Ledger._ledger_command,
    CustomerService.handle,
    OfferService.handle,
    Loyalty.execute,
    Budgets.execute,
]


@pytest.mark.parametrize("function", DISPATCHERS, ids=lambda f: f.__qualname__)
def test_given_a_dispatcher_when_read_then_it_has_no_isinstance_chain(
    function: Callable[..., Any],
) -> None:
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    calls = [
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    ]
    assert "isinstance" not in calls
