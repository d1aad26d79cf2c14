"""Commands: what a caller asks for, validated strictly before anything is decided or written.

The classes live by family (``command_base``: field types and the ``Command`` base;
``command_accounts``; ``command_money``; ``command_pending``); this module re-exports them,
so ``processor.domain.commands.X`` keeps working, and holds the unions and the parser.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError

from acme_base.errors import InvalidInput
from processor.domain.command_accounts import (
    BlockAccount,
    CloseAccount,
    OpenAccount,
    SetLimits,
    UnblockAccount,
)
from processor.domain.command_base import (
    EARLIEST,
    LATEST,
    MAX_LINE_BYTES,
    Amount,
    AnyAmount,
    CheckText,
    Command,
    Currency,
    Id,
    MoneyBase,
    Note,
    OccurredAt,
    SpecialStatus,
)
from processor.domain.command_money import Check, Credit, Debit, Transfer
from processor.domain.command_pending import Leg, Linked, PostPending, Resolution, VoidPending
from processor.domain.event_base import CreditChannel
from processor.domain.parsing import decode_line, explain

_Money = MoneyBase  # the name before the split

MoneyCommand = Credit | Debit | Transfer
#: commands of one account that go through its group commit, decided in arrival order
GroupCommand = Credit | Debit | BlockAccount | UnblockAccount | SetLimits | CloseAccount
AnyCommand = Annotated[
    OpenAccount
    | Credit
    | Debit
    | Transfer
    | BlockAccount
    | UnblockAccount
    | SetLimits
    | CloseAccount
    | PostPending
    | VoidPending
    | Linked,
    Field(discriminator="type"),
]
_ADAPTER: TypeAdapter[AnyCommand] = TypeAdapter(AnyCommand)
LEDGER_TYPES = frozenset(
    {"open_account", "credit", "debit", "transfer", "block_account", "unblock_account"}
    | {"freeze_account", "unfreeze_account", "set_limits", "close_account"}
    | {"post_pending", "void_pending", "linked"}
)


def parse_command(raw: str | bytes | dict[str, Any]) -> AnyCommand:
    """Parse one JSON line (or dict) into a command, or raise InvalidInput saying why."""
    if isinstance(raw, str | bytes):
        raw = decode_line(raw, MAX_LINE_BYTES)
    if not isinstance(raw, dict):
        raise InvalidInput("a command must be a JSON object")
    if raw.get("type") not in {
        "open_account",
        "credit",
        "debit",
        "transfer",
        "block_account",
        "unblock_account",
    } | {"freeze_account", "unfreeze_account", "set_limits", "close_account"} | {
        "post_pending",
        "void_pending",
        "linked",
    }:
        raise InvalidInput(
            f"unknown command type {raw.get('type')!r}; "
            "expected open_account, credit, debit, transfer, block_account or unblock_account"
            ", freeze_account, unfreeze_account, set_limits, close_account"
            ", post_pending, void_pending or linked"
        )
    try:
        return _ADAPTER.validate_python(raw)
    except ValidationError as exc:
        raise InvalidInput(explain(exc, LEDGER_TYPES)) from exc


def txn_id_of(raw: Any) -> str | None:
    """Best-effort txn id of a possibly invalid command, for the rejected outcome line."""
    if isinstance(raw, str | bytes) and len(raw) <= MAX_LINE_BYTES:
        try:
            raw = json.loads(raw)  # floats allowed here: we only want the id back
        except (ValueError, RecursionError):  # a line nested too deep has no id to give back
            return None
    if isinstance(raw, dict) and isinstance(raw.get("txn_id"), str):
        return str(raw["txn_id"])[:64]
    return None


__all__ = [
    "EARLIEST",
    "LATEST",
    "LEDGER_TYPES",
    "MAX_LINE_BYTES",
    "Amount",
    "AnyAmount",
    "AnyCommand",
    "BlockAccount",
    "Check",
    "CheckText",
    "CloseAccount",
    "Command",
    "Credit",
    "CreditChannel",
    "Currency",
    "Debit",
    "GroupCommand",
    "Id",
    "Leg",
    "Linked",
    "MoneyBase",
    "MoneyCommand",
    "Note",
    "OccurredAt",
    "OpenAccount",
    "PostPending",
    "Resolution",
    "SetLimits",
    "SpecialStatus",
    "Transfer",
    "UnblockAccount",
    "VoidPending",
    "parse_command",
    "txn_id_of",
]
