"""One output style for every command: ``--output json|jsonl|table|csv`` (``--json`` is
``--output json``); without either, the command's own human text.

Two kinds of answer, each with one shape in every format:

- one record (a balance, an outcome): ``json``/``jsonl`` one JSON object on one line;
  ``table`` two columns ``FIELD VALUE``; ``csv`` a header row and one row.
- a list (events, transactions, alerts, budgets, a report): ``json`` one document
  ``{"items": [...], "count": N, "next_token": TOKEN | null}``; ``jsonl`` one object per
  line; ``table`` a header row and aligned columns; ``csv`` a header row and one row per item.
  In ``jsonl``, ``table`` and ``csv`` a next-page token goes to stderr as ``more: --next T``.

Nested values (lists, objects) are JSON inside a table or CSV cell. Only the standard library
is imported here: this module is on the path of ``acme-txn --help``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

FORMATS = ("json", "jsonl", "table", "csv")
TEXT = "text"


def add_output_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """``--output`` and its alias ``--json`` (before or after the command, see ``main``)."""

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    parser.add_argument(
        "--output",
        "-o",
        choices=FORMATS,
        default=default(None),
        help="output format: json (one document), jsonl (one object per line), table "
        "(with column headers) or csv (default: text for people)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        default=default(False),
        help="the same as --output json",
    )


def chosen_format(args: argparse.Namespace) -> str:
    """``--output`` wins; ``--json`` alone is ``json``; neither is the human text."""
    chosen = getattr(args, "output", None)
    if chosen:
        return str(chosen)
    return "json" if getattr(args, "json", False) else TEXT


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, default=str)
    return str(value)


def columns_of(rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every key, in order of first appearance."""
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """A header row of upper-cased column names over left-aligned columns."""
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(line.rstrip() for line in lines)


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([_cell(row.get(c)) for c in columns] for row in rows)
    return buffer.getvalue().rstrip("\n")


def render_record(data: Any, fmt: str) -> str:
    """One record in ``fmt`` (not ``text``: the caller has its own human line)."""
    if fmt in ("table", "csv") and isinstance(data, Mapping):
        if fmt == "csv":
            return csv_text([data], list(data))
        pairs = [{"field": k, "value": v} for k, v in data.items()]
        return table(pairs, ("field", "value"))
    return json.dumps(data, default=str)


def render_list(
    rows: Sequence[Mapping[str, Any]],
    fmt: str,
    columns: Sequence[str] | None = None,
    next_token: str | None = None,
) -> str:
    """A list in ``fmt`` (not ``text``); the token is in the ``json`` document only."""
    if fmt == "json":
        document = {"items": list(rows), "count": len(rows), "next_token": next_token}
        return json.dumps(document, default=str)
    if fmt == "jsonl":
        return "\n".join(json.dumps(row, default=str) for row in rows)
    cols = list(columns) if columns else columns_of(rows)
    return table(rows, cols) if fmt == "table" else csv_text(rows, cols)


def print_out(text: str) -> None:
    if text:
        print(text, flush=True)


def emit_list(
    fmt: str,
    rows: Sequence[Mapping[str, Any]],
    line: Callable[[Mapping[str, Any]], str] | None = None,
    *,
    columns: Sequence[str] | None = None,
    next_token: str | None = None,
) -> None:
    """Print a list in ``fmt``; ``text`` is ``line(row)`` per row (or a table with
    ``columns``), ``(none)`` for an empty list, and the next-page hint."""
    if fmt == TEXT:
        if line is not None:
            body = "\n".join(line(row) for row in rows) or "(none)"
        else:
            body = table(rows, list(columns or columns_of(rows))) if rows else "(none)"
        print_out(body + (f"\nmore: --next {next_token}" if next_token else ""))
        return
    print_out(render_list(rows, fmt, columns, next_token))
    if next_token and fmt != "json":
        print(f"more: --next {next_token}", file=sys.stderr, flush=True)
