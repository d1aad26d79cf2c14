"""What the applications share: a user's ledger account under the app's prefix, and parsing a
command dict with a pydantic adapter into ``InvalidInput`` naming the bad fields."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from acme_base.errors import InvalidInput
from processor.domain.parsing import check_depth

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


def parse_with(adapter: TypeAdapter[T], raw: Any, what: str) -> T:
    """``raw`` validated by ``adapter``; a validation error becomes ``InvalidInput`` ("invalid
    ``what``: field: message; ...")."""
    try:
        return adapter.validate_python(check_depth(raw))  # bounded as a decoded line is
    except InvalidInput:
        raise
    except ValidationError as exc:
        tag = raw.get("type") if isinstance(raw, dict) else None
        errors = "; ".join(_message(e, tag) for e in exc.errors())
        raise InvalidInput(f"invalid {what}: {errors}") from None


def _message(error: Any, tag: Any) -> str:
    """``field: message`` in words: no discriminator tag in the path, no "Value error, "
    prefix, and a pattern mismatch echoes the input rather than the regular expression."""
    loc = [str(p) for p in error["loc"]]
    if len(loc) > 1 and loc[0] == tag:  # the union's member: the command's own type
        loc = loc[1:]
    message = str(error["msg"]).removeprefix("Value error, ")
    if error.get("type") == "string_pattern_mismatch":
        message = f"{error.get('input')!r} is not in the expected form"
    return f"{'.'.join(loc) or 'command'}: {message}"
