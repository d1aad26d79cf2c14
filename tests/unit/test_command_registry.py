"""One registry of command types: every type has a model, a handler and a reference entry, and
one decoder reads every JSON line (the CLI's, the HTTP API's, the apps')."""

from __future__ import annotations

import json
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from acme_base.errors import InvalidInput
from acme_base.settings import Settings
from acme_txn.bootstrap import App
from acme_txn.command_types import COMMANDS, reference
from processor.domain.commands import LEDGER_COMMANDS, Credit
from processor.domain.registry import CommandType, Registry
from processor.services.commands import SUBMITTED, parse_submitted

ROOT = Path(__file__).resolve().parents[2]


def _tags(model: type[BaseModel]) -> tuple[str, ...]:
    return typing.get_args(model.model_fields["type"].annotation)


@pytest.mark.parametrize("name", COMMANDS.names)
def test_given_a_command_type_when_registered_then_its_model_takes_that_type(name: str) -> None:
    # GIVEN a registered type WHEN its model is asked which "type" values it accepts
    kind = COMMANDS.types[name]
    # THEN the name is one of them, and it is documented
    assert name in _tags(kind.model)
    assert kind.doc.strip()


def test_given_the_app_when_dispatch_is_built_then_every_type_has_a_handler() -> None:
    # GIVEN the assembled product (in memory) WHEN its dispatch table is built
    app = App(Settings.from_env({}), memory=True)
    table = app.dispatch
    # THEN every registered model maps to a callable service method (exhaustive)
    assert set(table) == {kind.model for kind in COMMANDS.types.values()}
    assert all(callable(handler) for handler in table.values())


def test_given_a_type_without_handler_when_dispatch_is_built_then_it_is_named() -> None:
    # GIVEN a registry with a type whose service is not given
    registry = Registry(LEDGER_COMMANDS, [CommandType("refund", Credit, "refunds", "x")])
    # THEN building the dispatch fails naming it, not when the first refund arrives
    with pytest.raises(ValueError, match="refund"):
        registry.dispatch({"ledger": print})


def test_given_a_type_declared_twice_when_registered_then_refused() -> None:
    with pytest.raises(ValueError, match="credit"):
        Registry(LEDGER_COMMANDS, [CommandType("credit", Credit, "ledger", "again")])


def test_given_the_reference_page_when_compared_then_it_lists_every_type() -> None:
    # GIVEN docs/command-types.md WHEN compared with the registry's reference
    page = (ROOT / "docs" / "command-types.md").read_text()
    # THEN it is current, one row per type
    assert page == reference()
    assert all(f"| `{name}` |" in page for name in COMMANDS.names)


def test_given_an_unknown_type_when_decoded_then_every_type_is_named() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_submitted('{"type":"refund","txn_id":"T1"}')
    message = str(caught.value)
    assert message.startswith("unknown command type 'refund'")
    assert all(name in message for name in SUBMITTED.names)


def test_given_a_long_line_when_decoded_then_its_own_type_bounds_it() -> None:
    # GIVEN a 20 KiB credit line (the ledger's limit is 16 KiB, the offers' 48 KiB)
    line = json.dumps({"type": "credit", "txn_id": "T1", "note": "x" * 20_000})
    # THEN the credit's own limit refuses it
    with pytest.raises(InvalidInput, match="over the 16384 limit"):
        parse_submitted(line)
