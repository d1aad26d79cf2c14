"""One exception tree for the whole product.

Adapters translate botocore errors at the boundary (``raise ... from exc``) so that callers
only ever see these classes. The CLI maps them to exit codes: ``InvalidInput`` is 2, every
other ``AcmeError`` is 1.
"""

from __future__ import annotations


class AcmeError(Exception):
    """Root of every error the product raises on purpose."""


class InvalidInput(AcmeError):
    """The caller sent something we will not act on; nothing was written."""


class UnknownAccount(InvalidInput):
    """A command names an account that was never opened."""

    def __init__(self, account_id: str) -> None:
        super().__init__(f"unknown account: {account_id!r}")
        self.account_id = account_id


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


class ConfigError(AcmeError):
    """The environment or the local installation is not usable (e.g. no Java)."""
