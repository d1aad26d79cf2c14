"""Planted bugs in canonical input (``processor.domain.parsing``, ``processor.domain.money``, the id
checks): see ``mutants.MUTATIONS``."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any
from unittest import mock

from processor.domain import money, parsing
from processor.storage import query_specs


@contextlib.contextmanager
def amount_accepts_unicode_digits() -> Iterator[None]:
    """The amount pattern uses ``\\d`` (any script's digits): "١٢٣" is booked as 123.00."""

    with mock.patch.object(money, "_SHAPE", re.compile(r"\d{1,40}(\.\d{1,40})?")):
        yield


@contextlib.contextmanager
def json_last_key_wins() -> Iterator[None]:
    """Duplicate JSON keys are kept as ``json`` does by default: the last one wins."""

    def last_wins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        return dict(pairs)

    with mock.patch.object(parsing, "_unique_keys", last_wins):
        yield


class _DollarMatch:
    """An id pattern checked with ``re.match`` and ``^...$`` (a trailing newline passes)."""

    _re = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")

    def fullmatch(self, value: str) -> re.Match[str] | None:
        return self._re.match(value)


@contextlib.contextmanager
def id_matched_with_dollar() -> Iterator[None]:
    with mock.patch.object(query_specs, "ID_RE", _DollarMatch()):
        yield
