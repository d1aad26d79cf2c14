"""`acme-txn export`: datasets for SQL (Parquet, CSV or JSON lines), page by page, resumable.

Each dataset reads a list of partitions in order (``events``/``balances``: each day's 8 GSI2
write shards; ``declined``: the ledger's sparse index, one partition per reason; ``daily``
and ``alerts``: one read per day) a page at a time, and writes each page as its own part file
``DIR/<dataset>/part-<partition>-<page>.<ext>``. After a part is written, the checkpoint file
``DIR/.export-checkpoint.json`` records the partition, the page's ``LastEvaluatedKey`` and any
carried state (an account's balance row that may continue on the next page). A rerun with the
same arguments resumes after the last checkpointed page; a part rewritten after a crash has
the same name and rows, so nothing is duplicated.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa

from acme_base.aws import call, deserialize, serialize
from acme_base.errors import InvalidInput
from acme_txn import export_schema as schema
from processor.storage.query_specs import KeyQuery, declined_in_range, parse_range, txns_of_day
from projections.model import MONEY_FIELDS
from projections.reports import DAILY_COLUMNS, daily_report, date_range

DATASETS = ("events", "balances", "daily", "declined", "alerts")
FORMATS = ("parquet", "csv", "jsonl")
PAGE = 1000
CHECKPOINT = ".export-checkpoint.json"
Progress = Callable[[str, int], None]  # (dataset, rows written so far)


@dataclass
class Dataset:
    """Partitions read in order; ``read(i, start)`` -> (rows, next start, carry)."""

    name: str
    schema: pa.Schema
    partitions: int
    read: Callable[[int, Any, Any], tuple[list[dict[str, Any]], Any, Any]]


@dataclass
class Exporter:
    app: Any
    out: Path
    date_from: str
    date_to: str
    fmt: str
    progress: Progress = lambda _name, _rows: None
    state: dict[str, Any] = field(default_factory=dict)

    def run(self, names: list[str]) -> dict[str, Any]:
        first, last = parse_range(self.date_from, self.date_to)
        if self.fmt not in FORMATS:
            raise InvalidInput(f"--format {self.fmt!r} is not one of {', '.join(FORMATS)}")
        unknown = [n for n in names if n not in DATASETS]
        if unknown:
            raise InvalidInput(f"unknown dataset {unknown[0]!r} (known: {', '.join(DATASETS)})")
        self.out.mkdir(parents=True, exist_ok=True)
        self._load(first, last)
        days = date_range(first, last)
        summary = {}
        for name in names:
            dataset = self._dataset(name, days)
            summary[name] = (
                {"skipped": "no alerts store"} if dataset is None else self._export(dataset)
            )
        return summary

    # --- the checkpoint ------------------------------------------------------------------------

    def _load(self, first: str, last: str) -> None:
        path = self.out / CHECKPOINT
        args = {"from": first, "to": last, "format": self.fmt}
        if path.exists():
            saved = json.loads(path.read_text())
            if saved.get("args") != args:
                raise InvalidInput(_other_export(self.out, saved.get("args") or {}))
            self.state = saved
        else:
            self.state = {"args": args, "datasets": {}}

    def _save(self) -> None:
        path = self.out / CHECKPOINT
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state, default=str))
        os.replace(tmp, path)  # atomic: a crash leaves the old checkpoint or the new one

    # --- one dataset ---------------------------------------------------------------------------

    def _export(self, dataset: Dataset) -> dict[str, Any]:
        mark = self.state["datasets"].setdefault(
            dataset.name, {"partition": 0, "start": None, "page": 0, "carry": None, "rows": 0}
        )
        folder = self.out / dataset.name
        folder.mkdir(exist_ok=True)
        while mark["partition"] < dataset.partitions:
            rows, start, carry = dataset.read(mark["partition"], mark["start"], mark["carry"])
            if rows:
                self._write(
                    dataset, folder / f"part-{mark['partition']:05d}-{mark['page']:05d}", rows
                )
            mark["rows"] += len(rows)
            mark["page"] += 1
            mark["carry"] = carry
            if start is None:
                mark["partition"], mark["page"], mark["start"] = mark["partition"] + 1, 0, None
            else:
                mark["start"] = start
            self._save()
            self.progress(dataset.name, mark["rows"])
        return {"rows": mark["rows"], "dir": str(folder)}

    def combine(self, names: list[str]) -> dict[str, str]:
        """``--single-file``: each dataset's parts (in order) as one file ``DIR/<name>.<ext>``.
        The parts stay: they are the pages a rerun resumes after."""
        ext = {"parquet": ".parquet", "csv": ".csv", "jsonl": ".jsonl"}[self.fmt]
        written = {}
        for name in names:
            parts = sorted((self.out / name).glob(f"part-*{ext}"))
            target = self.out / f"{name}{ext}"
            _concatenate(parts, target, self.fmt)
            written[name] = str(target)
        return written

    def _write(self, dataset: Dataset, stem: Path, rows: list[dict[str, Any]]) -> None:
        table = pa.Table.from_pylist(rows, schema=dataset.schema)
        if self.fmt == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(table, stem.with_suffix(".parquet"))
        elif self.fmt == "csv":
            import pyarrow.csv as pcsv

            pcsv.write_csv(table, stem.with_suffix(".csv"))
        else:
            with stem.with_suffix(".jsonl").open("w", encoding="utf-8") as fh:
                for row in rows:
                    fh.write(json.dumps(row, default=_json) + "\n")

    # --- the datasets --------------------------------------------------------------------------

    def _dataset(self, name: str, days: list[str]) -> Dataset | None:
        if name in ("events", "balances"):
            queries = [q for day in days for q in txns_of_day(day)]
            if name == "events":
                return Dataset(name, schema.EVENT_SCHEMA, len(queries), self._query_rows(queries))
            return Dataset(name, schema.BALANCE_SCHEMA, len(queries), self._balances(queries))
        if name == "declined":
            from processor.domain.events import DeclineReason

            queries = declined_in_range([r.value for r in DeclineReason], days[0], days[-1])
            return Dataset(name, schema.EVENT_SCHEMA, len(queries), self._query_rows(queries))
        if name == "daily":
            columns = list(DAILY_COLUMNS)
            typed = schema.daily_schema(columns, MONEY_FIELDS)

            def daily(i: int, _start: Any, _carry: Any) -> tuple[list[dict[str, Any]], Any, Any]:
                rows = daily_report(self.app.views, [days[i]])
                return [schema.daily_typed(r, MONEY_FIELDS) for r in rows], None, None

            return Dataset(name, typed, len(days), daily)
        store = getattr(self.app, "fraud_store", None)
        if store is None:
            return None

        def alerts(i: int, _start: Any, _carry: Any) -> tuple[list[dict[str, Any]], Any, Any]:
            return [schema.alert_row(a) for a in store.alerts([days[i]])], None, None

        return Dataset(name, schema.ALERT_SCHEMA, len(days), alerts)

    def _page(self, query: KeyQuery, start: Any) -> tuple[list[dict[str, Any]], Any]:
        params = query.params()
        params["ExpressionAttributeValues"] = serialize(params["ExpressionAttributeValues"])
        if start is not None:
            params["ExclusiveStartKey"] = start
        resp = call(
            "export query", self.app.dynamodb.query, TableName=self.app.settings.ledger_table,
            Limit=PAGE, **params,
        )  # fmt: skip
        return [deserialize(i) for i in resp.get("Items", [])], resp.get("LastEvaluatedKey")

    def _query_rows(self, queries: list[KeyQuery]) -> Any:
        def read(i: int, start: Any, _carry: Any) -> tuple[list[dict[str, Any]], Any, Any]:
            items, last = self._page(queries[i], start)
            return [schema.event_row(item) for item in items], last, None

        return read

    def _balances(self, queries: list[KeyQuery]) -> Any:
        """End-of-day balances: a day shard's items come by account, then seq (``GSI2SK``),
        so an account's last item of the day closes it; the last account of a page is
        carried to the next page (and through the checkpoint)."""

        def read(i: int, start: Any, carry: Any) -> tuple[list[dict[str, Any]], Any, Any]:
            items, last = self._page(queries[i], start)
            day = str(queries[i].partition.value).split("#")[1]
            rows, held = _closing_rows(day, ([carry] if carry else []) + items)
            if last is None and held is not None:
                rows.append(schema.balance_row(day, held))
                held = None
            return rows, last, held

        return read


def _other_export(out: Path, args: dict[str, Any]) -> str:
    return (
        f"{out} already holds the {args.get('format')} export of {args.get('from')} .. "
        f"{args.get('to')}: give another --out, or repeat those dates and format to resume it"
    )


def _concatenate(parts: list[Path], target: Path, fmt: str) -> None:
    """Parts into one file: CSV keeps the first header only; Parquet is rewritten as one
    table; JSON lines are appended."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        tables = [pq.read_table(p) for p in parts]
        if tables:
            pq.write_table(pa.concat_tables(tables), target)
        return
    with target.open("w", encoding="utf-8") as out:
        for i, part in enumerate(parts):
            lines = part.read_text(encoding="utf-8").splitlines(keepends=True)
            out.writelines(lines[1:] if fmt == "csv" and i else lines)


def _closing_rows(day: str, items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], Any]:
    rows, held = [], None
    for item in items:
        if held is not None and held["account_id"] != item["account_id"]:
            rows.append(schema.balance_row(day, held))
        held = {k: _plain(v) for k, v in item.items() if k in _BALANCE_KEYS}
    return rows, held


_BALANCE_KEYS = frozenset({"account_id", "currency", "balance_after", "seq"})


def _plain(value: Any) -> Any:
    """A carried item's value as JSON (its numbers are whole minor units and seqs)."""
    return int(value) if isinstance(value, Decimal) else value


def _json(value: Any) -> Any:
    """A JSON-lines cell: money as an exact decimal string, instants and dates as ISO."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON: {value!r}")
