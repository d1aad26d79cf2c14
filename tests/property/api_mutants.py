"""Planted bugs in the HTTP API's request rules: see ``mutants.MUTATIONS``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from unittest import mock

from acme_txn.http_api import requests as requests_mod


@contextlib.contextmanager
def key_overrides_txn_id() -> Iterator[None]:
    """The Idempotency-Key silently replaces a body's different txn_id (a replay under one
    key could then approve two different commands, or dedupe a different one)."""

    def with_key(command: dict[str, Any], key: str | None) -> dict[str, Any]:
        return command if key is None else {**command, "txn_id": key}

    with mock.patch.object(requests_mod, "with_key", with_key):
        yield


@contextlib.contextmanager
def backend_failure_is_ok() -> Iterator[None]:
    """A batch with a backend failure answers 200: the client never learns to resend."""

    def status_of(outcomes: Any, batch: bool) -> int:
        if not batch and outcomes[0].status == "failed":
            return 503
        return 400 if not batch and outcomes[0].status == "rejected" else 200

    with mock.patch.object(requests_mod, "status_of", status_of):
        yield


@contextlib.contextmanager
def customer_spends_any_account() -> Iterator[None]:
    """A customer's commands pass whatever account they take money from."""
    from acme_txn.http_api import access

    with mock.patch.object(access, "check_commands", lambda *args: None):
        yield


@contextlib.contextmanager
def failure_detail_shown() -> Iterator[None]:
    """A failed outcome is shown with the backend's own message (table, role, operation)."""

    with mock.patch.object(requests_mod, "public_outcome", lambda payload, request_id: payload):
        yield
