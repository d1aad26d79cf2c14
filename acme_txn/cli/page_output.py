"""Printing a page of query results in the ``--output`` format (``acme_txn.cli.output``).

``--output json``: ``{"items": [...], "count": N, "next_token": TOKEN | null}``; pass the
token back with ``--next TOKEN`` for the next page (with the same other arguments).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import Any

from acme_txn.cli.context import Context
from processor.storage.paging import MAX_LIMIT, Page


def add_paging(parser: argparse.ArgumentParser, default: int = 100) -> None:
    parser.add_argument(
        "--limit",
        type=int,
        default=default,
        help=f"items per page, 1..{MAX_LIMIT} (default {default})",
    )
    parser.add_argument("--next", dest="next_token", help="the token a previous page printed")


def emit_page(ctx: Context, page: Page, line: Callable[[Mapping[str, Any]], str]) -> None:
    ctx.emit_list(page.items, line, next_token=page.next_token)
