"""One exception tree for the whole product.

Adapters translate botocore errors at the boundary (``raise ... from exc``) so that callers
only ever see these classes. The CLI maps them to exit codes: ``InvalidInput`` is 2, every
other ``AcmeError`` is 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class AcmeError(Exception):
    """Root of every error the product raises on purpose."""


class InvalidInput(AcmeError):
    """The caller sent something we will not act on; nothing was written."""


class UnknownAccount(InvalidInput):
    """A command names an account that was never opened."""

    def __init__(self, account_id: str) -> None:
        super().__init__(f"unknown account: {account_id!r}")
        self.account_id = account_id


class UnknownCustomer(InvalidInput):
    """A command names a customer that was never registered."""

    def __init__(self, customer_id: str) -> None:
        super().__init__(f"unknown customer: {customer_id!r}")
        self.customer_id = customer_id


class TxnIdConflict(InvalidInput):
    """A txn id was reused with a different payload."""

    def __init__(self, txn_id: str) -> None:
        super().__init__(
            f"txn_id {txn_id!r} was already used for a different command; "
            "pick a new txn_id or resend the original payload"
        )
        self.txn_id = txn_id


class AccountAlreadyExists(InvalidInput):
    """open_account for an id that exists with other attributes."""

    def __init__(self, account_id: str) -> None:
        super().__init__(f"account {account_id!r} already exists with different attributes")
        self.account_id = account_id


class ContentionExhausted(AcmeError):
    """Optimistic retries ran out: too many writers on one account."""


class BackendError(AcmeError):
    """DynamoDB (or the emulator) failed in a way the caller cannot fix by changing input."""


class BackendUnavailable(BackendError):
    """The endpoint cannot be reached."""


class Throttled(BackendError):
    """DynamoDB throttled the request and the retry budget is spent."""


class TableMissing(BackendError):
    """A table the product needs does not exist: run ``acme-txn init``."""


class ConditionFailed(BackendError):
    """A write's ``ConditionExpression`` was false (DynamoDB's ConditionalCheckFailedException).

    Often expected, so callers catch this class instead of reading botocore codes: a lease
    someone else holds, a dead letter already written. ``item`` is the item as it was
    (deserialized) when the write asked for ``ReturnValuesOnConditionCheckFailure=ALL_OLD``.
    """

    def __init__(self, message: str, item: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.item = item


class ConfigError(AcmeError):
    """The environment or the local installation is not usable (e.g. no Java)."""


class InvariantViolation(AcmeError):
    """The event log breaks a ledger invariant (a seq gap, a wrong running balance, ...).

    Never the caller's fault: it means stored data is wrong, so it maps to exit code 1.
    """


@dataclass(frozen=True)
class CancelReason:
    """One item's verdict in a cancelled ``TransactWriteItems``, in the items' order.

    ``code`` is DynamoDB's (``None``, ``ConditionalCheckFailed``, ``TransactionConflict``,
    ``ThrottlingError``, ...); ``item`` is the old item (deserialized) when the action asked
    for ``ReturnValuesOnConditionCheckFailure=ALL_OLD``.
    """

    code: str
    message: str = ""
    item: Mapping[str, Any] | None = None


class TransactionCancelled(BackendError):
    """A transaction was cancelled; ``reasons`` pairs each action with its verdict.

    Parsed once, where the error is made (``acme_base.aws.transact_write``), so no caller
    reads DynamoDB's ``CancellationReasons`` list again (as PynamoDB's ``TransactError``).
    """

    def __init__(self, what: str, reasons: Sequence[CancelReason]) -> None:
        codes = [r.code for r in reasons]
        super().__init__(f"{what}: transaction cancelled ({codes})")
        self.reasons = tuple(reasons)

    def failed(self, code: str = "ConditionalCheckFailed") -> list[int]:
        """Indexes of the actions that failed with ``code``."""
        return [i for i, r in enumerate(self.reasons) if r.code == code]

    @property
    def conflict(self) -> bool:
        """Another transaction touched our items (or no reasons given): worth a retry."""
        return not self.reasons or any(r.code == "TransactionConflict" for r in self.reasons)
