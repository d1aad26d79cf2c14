"""A statement as CSV or as a printable HTML page (plain HTML + CSS, no dependency)."""

from __future__ import annotations

from html import escape
from typing import Any

from acme_txn.cli.report_render import to_csv
from processor.reads.statements import ENTRY_COLUMNS

CSS = """
body { font-family: Helvetica, Arial, sans-serif; margin: 2em; color: #111; }
h1 { font-size: 1.4em; margin-bottom: 0.2em; }
table { border-collapse: collapse; width: 100%; font-size: 0.85em; }
th, td { border-bottom: 1px solid #ccc; padding: 0.25em 0.5em; text-align: left; }
td.money, th.money { text-align: right; font-variant-numeric: tabular-nums; }
tr.declined td { color: #888; }
.summary td { border: none; }
.bad { color: #b00; font-weight: bold; }
@media print { body { margin: 0.5cm; } tr { page-break-inside: avoid; } }
"""
MONEY = frozenset({"amount", "balance_after", "ledger_balance_after"})


def statement_csv(data: dict[str, Any]) -> str:
    """The entries as CSV rows, with the opening and closing as the first and last rows."""
    opening = {"kind": "opening", "balance_after": data["opening_balance"]}
    closing = {"kind": "closing", "balance_after": data["closing_balance"]}
    return to_csv([opening, *data["entries"], closing], ENTRY_COLUMNS)


def _cell(column: str, value: Any) -> str:
    css = ' class="money"' if column in MONEY else ""
    return f"<td{css}>{escape('' if value is None else str(value))}</td>"


def statement_html(data: dict[str, Any]) -> str:
    """A self-contained printable page (print it to PDF from a browser)."""
    head = "".join(
        f"<th{' class=money' if c in MONEY else ''}>{escape(c)}</th>" for c in ENTRY_COLUMNS
    )
    rows = "\n".join(
        f'<tr class="{escape(str(e.get("status")))}">'
        + "".join(_cell(c, e.get(c)) for c in ENTRY_COLUMNS)
        + "</tr>"
        for e in data["entries"]
    )
    totals = data["totals"]
    verdict = (
        "reconciles with the ledger"
        if data["reconciles"]
        else '<span class="bad">does NOT reconcile with the ledger</span>'
    )
    title = escape(f"Statement {data['account_id']} {data['from']} .. {data['to']}")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>{CSS}</style></head><body>
<h1>{title}</h1>
<table class="summary">
<tr><td>Currency</td><td>{escape(data["currency"])}</td></tr>
<tr><td>Opening balance</td><td class="money">{escape(data["opening_balance"])}</td></tr>
<tr><td>Credits</td><td class="money">{escape(totals["credits"])}</td></tr>
<tr><td>Debits</td><td class="money">{escape(totals["debits"])}</td></tr>
<tr><td>Closing balance</td><td class="money">{escape(data["closing_balance"])}</td></tr>
<tr><td>Entries</td><td>{totals["entries"]} ({totals["declined"]} declined)</td></tr>
<tr><td>Check</td><td>{verdict}</td></tr>
</table>
<h2>Entries</h2>
<table><thead><tr>{head}</tr></thead><tbody>
{rows}
</tbody></table>
</body></html>
"""
