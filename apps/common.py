"""What the applications share: a user's ledger account under the app's prefix, and parsing a
command dict with a pydantic adapter into ``InvalidInput`` naming the bad fields."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import ValidationError

T = TypeVar("T")


@dataclass(frozen=True)
class AccountPrefix:
    """An app's ledger accounts: one per user, named ``<prefix><user id>``."""

    prefix: str

    def account(self, user_id: str) -> str:
        """The ledger account of ``user_id``."""
        return f"{self.prefix}{user_id}"

    def user_of(self, account_id: str) -> str | None:
        """The user a ledger account belongs to (None: not one of this app's accounts)."""
        if account_id.startswith(self.prefix) and len(account_id) > len(self.prefix):
            return account_id[len(self.prefix) :]
        return None


def explain_as(what: str) -> Callable[[ValidationError, Collection[str]], str]:
    """The apps' wording of a validation error ("invalid ``what``: field: message; ..."), for
    their registries (``processor.domain.registry``)."""

    def explain(exc: ValidationError, kinds: Collection[str]) -> str:
        return f"invalid {what}: " + "; ".join(_message(e, kinds) for e in exc.errors())

    return explain


def _message(error: Any, kinds: Collection[str]) -> str:
    """``field: message`` in words: no "Value error, " prefix, and a pattern mismatch echoes
    the input rather than the regular expression."""
    loc = [str(p) for p in error["loc"]]
    if len(loc) > 1 and loc[0] in kinds:  # a union member's tag: the command's own type
        loc = loc[1:]
    message = str(error["msg"]).removeprefix("Value error, ")
    if error.get("type") == "string_pattern_mismatch":
        message = f"{error.get('input')!r} is not in the expected form"
    return f"{'.'.join(loc) or 'command'}: {message}"
