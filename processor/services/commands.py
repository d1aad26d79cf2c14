"""The commands of ``submit`` (the CLI, the HTTP API, the Lambda): the ledger's, the customers'
and the offers' types in one registry, read by one decoder (``processor.domain.registry``)."""

from __future__ import annotations

from typing import Any, cast

from processor.customers.commands import CUSTOMER_COMMANDS, CustomerCommand
from processor.domain.commands import LEDGER_COMMANDS, AnyCommand
from processor.domain.registry import Registry
from processor.offers.commands import OFFER_COMMANDS, OfferCommand

SubmittedCommand = AnyCommand | OfferCommand | CustomerCommand
#: every type ``submit`` takes, in the order its "unknown command type" error names them
SUBMITTED = Registry(LEDGER_COMMANDS, OFFER_COMMANDS, CUSTOMER_COMMANDS)


def parse_submitted(raw: str | bytes | dict[str, Any]) -> SubmittedCommand:
    """Any command of ``submit``, from a JSON line (read once) or a dict; else ``InvalidInput``."""
    return cast(SubmittedCommand, SUBMITTED.decode(raw))
