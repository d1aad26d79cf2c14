"""Who may do what on the HTTP API: pure rules, no I/O (the routes look owners up).

A caller is a ``Principal``: a bounded id (issuer and subject, or an IAM role), its scopes,
and, for a person, the customer it is. Scopes open route families:

- ``ledger/transact``: ``POST /commands``, the money commands;
- ``ledger/read``: the balance, events and transaction reads;
- ``ledger/operate``: ``POST /admin/commands``, accounts' lifecycle, limits, customers, offers.

A principal with a customer id is that customer, whatever its scopes: it may move money only
out of accounts it owns (debits, transfers, linked batches of them), read only its own
accounts and transactions, and never operate. A principal without one is a service, limited
by its scopes alone. Anything else is refused: ``Forbidden`` (HTTP 403).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from acme_base.errors import AcmeError

TRANSACT = "ledger/transact"
READ = "ledger/read"
OPERATE = "ledger/operate"
SCOPES = (TRANSACT, READ, OPERATE)

#: the commands of ``POST /commands`` (money) and of ``POST /admin/commands`` (operations)
MONEY_TYPES = frozenset({"credit", "debit", "transfer", "post_pending", "void_pending", "linked"})
OPERATE_TYPES = frozenset(
    {"open_account", "close_account", "set_limits"}
    | {"block_account", "unblock_account", "freeze_account", "unfreeze_account"}
    | {"register_customer", "update_customer"}
    | {"create_offer", "send_offer", "respond_offer"}
)
#: what a customer may send, and the field naming the account its money leaves
CUSTOMER_SOURCES = {"debit": "account_id", "transfer": "from_account"}
#: a principal id is at most this long (it is stored on every event)
MAX_PRINCIPAL_CHARS = 200
_SAFE_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:/-]{0,99}")
_SAFE_SUBJECT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


class NotAuthenticated(AcmeError):
    """No valid credentials (HTTP 401)."""


class Forbidden(AcmeError):
    """Valid credentials, but outside the caller's rights (HTTP 403)."""


@dataclass(frozen=True)
class Principal:
    """Who is calling. ``id`` is what events record (no personal data: see ``principal_id``)."""

    id: str
    scopes: frozenset[str] = field(default_factory=frozenset)
    customer_id: str | None = None

    @property
    def is_customer(self) -> bool:
        return self.customer_id is not None


def _digest(text: str) -> str:
    return "h-" + hashlib.sha256(text.encode()).hexdigest()[:24]


def principal_id(issuer: str, subject: str) -> str:
    """``jwt:<issuer>#<subject>``, bounded. A subject that is not an opaque id (an e-mail
    address, a name) is replaced by its digest, and so is an overlong issuer."""
    iss = issuer if _SAFE_PART.fullmatch(issuer) else _digest(issuer)
    sub = subject if _SAFE_SUBJECT.fullmatch(subject) else _digest(subject)
    return f"jwt:{iss}#{sub}"[:MAX_PRINCIPAL_CHARS]


def iam_principal_id(arn: str) -> str:
    """``iam:<arn>`` without an assumed role's session name (often a person's name or
    e-mail), which is replaced by its digest."""
    parts = arn.split("/")
    if ":assumed-role/" in arn and len(parts) >= 3:
        arn = "/".join([*parts[:2], _digest("/".join(parts[2:]))])
    printable = all(32 < ord(c) < 127 for c in arn)
    if not printable or len(arn) > MAX_PRINCIPAL_CHARS - 4:
        arn = _digest(arn)
    return f"iam:{arn}"


def scopes_of(claim: Any) -> frozenset[str]:
    """The ``scope`` claim (space separated) or a list (``scp``, API Gateway's ``scopes``)."""
    if isinstance(claim, str):
        return frozenset(claim.split())
    if isinstance(claim, list | tuple):
        return frozenset(str(s) for s in claim)
    return frozenset()


def require(principal: Principal | None, scope: str | None) -> Principal:
    """The principal, if it may call a route needing ``scope`` (None: anyone)."""
    if scope is None:
        return principal or Principal("anonymous")
    if principal is None:
        raise NotAuthenticated("a valid bearer token is required")
    if scope not in principal.scopes:
        raise Forbidden(f"this route needs the {scope} scope")
    if scope == OPERATE and principal.is_customer:
        raise Forbidden("customers may not operate the ledger")
    return principal


def route_types(route_scope: str) -> frozenset[str]:
    """The command types a submission route takes."""
    return OPERATE_TYPES if route_scope == OPERATE else MONEY_TYPES


def sources_of(command: Mapping[str, Any]) -> list[str] | None:
    """The accounts a customer's command moves money out of; None: not a customer's command
    (a credit, a post or void of a pending, a linked leg of those, or something malformed)."""
    kind = command.get("type")
    if kind == "linked":
        legs = command.get("legs")
        if not isinstance(legs, list) or not legs:
            return None
        found: list[str] = []
        for leg in legs:
            inner = sources_of(leg) if isinstance(leg, Mapping) else None
            if inner is None or leg.get("type") == "linked":
                return None
            found += inner
        return found
    name = CUSTOMER_SOURCES.get(kind) if isinstance(kind, str) else None
    account = command.get(name) if name else None
    return [account] if isinstance(account, str) else None


def check_commands(
    principal: Principal,
    commands: Iterable[Mapping[str, Any]],
    owners: Mapping[str, str | None],
) -> None:
    """A customer's commands must each move money only out of accounts it owns
    (``owners``: account -> customer, None if unknown). A service's pass (its scope was
    checked by ``require``)."""
    if not principal.is_customer:
        return
    for command in commands:
        sources = sources_of(command)
        if sources is None:
            raise Forbidden("a customer may send debits and transfers (or linked ones) only")
        if any(owners.get(a) != principal.customer_id for a in sources):
            raise Forbidden("a customer may move money only out of its own accounts")


def customer_sources(commands: Iterable[Mapping[str, Any]]) -> set[str]:
    """Every account the commands would move money out of (for the owner look-up)."""
    found: set[str] = set()
    for command in commands:
        found |= set(sources_of(command) or ())
    return found


def may_read(principal: Principal, owners: Iterable[str | None]) -> None:
    """A customer reads only what touches one of its accounts (``owners``: the customers of
    the accounts involved); unknown and foreign look alike (403), so nothing is revealed."""
    if principal.is_customer and principal.customer_id not in set(owners):
        raise Forbidden("a customer may read only its own accounts and transactions")
