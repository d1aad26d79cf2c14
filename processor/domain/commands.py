"""Commands: what a caller asks for, validated strictly before anything is decided or written.

The classes live by family (``command_base``: field types and the ``Command`` base;
``command_accounts``; ``command_money``; ``command_pending``); this module re-exports them,
so ``processor.domain.commands.X`` keeps working, and holds the unions and the parser.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, cast

from pydantic import Field

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
from processor.domain.registry import CommandType, Registry

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
#: the ledger's command types: model, handler and what each does (``processor.domain.registry``)
LEDGER_COMMANDS = (
    CommandType("open_account", OpenAccount, "ledger", "open an account for a registered customer"),
    CommandType("credit", Credit, "ledger", "pay money in (a deposit, a check, a pending credit)"),
    CommandType("debit", Debit, "ledger", "take money out (or hold it: a pending debit)"),
    CommandType("transfer", Transfer, "ledger", "move money between two accounts"),
    CommandType("block_account", BlockAccount, "ledger", "block an account (no more debits)"),
    CommandType("unblock_account", UnblockAccount, "ledger", "lift a block"),
    CommandType("freeze_account", BlockAccount, "ledger", "block_account's other name"),
    CommandType("unfreeze_account", UnblockAccount, "ledger", "unblock_account's other name"),
    CommandType("set_limits", SetLimits, "ledger", "change an account's limits"),
    CommandType("close_account", CloseAccount, "ledger", "close an account at a zero balance"),
    CommandType("post_pending", PostPending, "ledger", "post a pending amount, all or part"),
    CommandType("void_pending", VoidPending, "ledger", "release a pending amount in full"),
    CommandType("linked", Linked, "ledger", "legs that all succeed or all fail"),
)
LEDGER = Registry(LEDGER_COMMANDS)
LEDGER_TYPES = frozenset(LEDGER.names)


def parse_command(raw: str | bytes | dict[str, Any]) -> AnyCommand:
    """Parse one JSON line (or dict) into a command, or raise InvalidInput saying why."""
    return cast(AnyCommand, LEDGER.decode(raw))


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
    "LEDGER",
    "LEDGER_COMMANDS",
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
