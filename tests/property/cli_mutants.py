"""Planted bugs in what users see (catalogued in ``mutants.MUTATIONS``, caught by
``tests/unit/test_properties_cli.py``)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any
from unittest import mock

from acme_base.errors import InvalidInput
from acme_txn.cli import budget_cmd, ledger_cmd
from processor.domain import money


@contextlib.contextmanager
def apps_show_cents() -> Iterator[None]:
    """The budget answers print the cents the views store (``25000``), not dollars."""
    with mock.patch.object(budget_cmd, "in_dollars", dict):
        yield


@contextlib.contextmanager
def amount_shape_caps_digits() -> Iterator[None]:
    """The amount's shape allows at most 10 whole digits, so a too-large amount is told it
    is "not a positive decimal" instead of the real limit."""
    real = money._parse_text

    def parse(value: str, currency: str, places: int) -> Any:
        if not re.fullmatch(r"\d{1,10}(\.\d+)?", value.strip()):
            raise InvalidInput(f"amount {value!r} is not a positive decimal with at most 2 places")
        return real(value, currency, places)

    with mock.patch.object(money, "_parse_text", parse):
        yield


@contextlib.contextmanager
def submit_keeps_line_ends() -> Iterator[None]:
    """``submit`` hands the decoder each line with its newline: a line at the size limit is
    refused as one byte over it, and a malformed one is placed on a line 2 that is not there."""

    def lines(stream: Any) -> Iterator[tuple[int, str]]:
        for number, line in enumerate(stream, start=1):
            if line.strip():
                yield number, line

    with mock.patch.object(ledger_cmd, "_lines", lines):
        yield
