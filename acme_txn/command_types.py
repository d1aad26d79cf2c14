"""Every command type of the product in one registry: the ledger's, the customers', the offers'
and the apps'. Each family declares its types beside its models; this is where they meet, for
the exhaustive dispatch (``App.dispatch``) and the reference page (``docs/command-types.md``,
``reference()``; a test keeps the page equal to it)."""

from __future__ import annotations

from apps.budgets.commands import BUDGET_COMMANDS
from apps.loyalty.commands import LOYALTY_COMMANDS
from processor.domain.registry import Registry
from processor.services.commands import SUBMITTED

COMMANDS = Registry(SUBMITTED.types.values(), LOYALTY_COMMANDS, BUDGET_COMMANDS)

#: where each handler's commands come in
ENTRY = {
    "ledger": "`acme-txn submit`, `POST /commands`",
    "customers": "`acme-txn submit`, `POST /commands`",
    "offers": "`acme-txn submit`, `POST /commands`",
    "loyalty": "`acme-txn points`",
    "budgets": "`acme-txn budget`",
}


def reference() -> str:
    """The reference page of every command type, in registry order."""
    lines = [
        "# Command types",
        "",
        "Every command the product takes, by its JSON `type`: the service that runs it, where it",
        "comes in, and what it does. Generated from the command registry",
        "(`python -m acme_txn.command_types > docs/command-types.md`); a test keeps it current.",
        "",
        "| type | handler | comes in through | what it does |",
        "|---|---|---|---|",
    ]
    for kind in COMMANDS.types.values():
        entry = ENTRY.get(kind.handler, "")
        lines.append(f"| `{kind.name}` | {kind.handler} | {entry} | {kind.doc} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(reference(), end="")
