"""Measurements for the LocalStack end-to-end check (``e2e.py``): write-to-projection latency
polled from the view, and reports read from the host executor's invocation trace (delivery
order, duplicates, write-to-handler latency, ``batchItemFailures`` redelivery) and from the
probe's on-failure queue."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

from processor.services.ledger import Ledger
from projections.ports import ViewStore

LATENCY_SAMPLES = 5


# --- the view, polled ----------------------------------------------------------------------
def latency_phase(ledger: Ledger, views: ViewStore) -> list[dict[str, Any]]:
    """Single credits, one at a time, written in-process (a CLI run's start-up and exit would
    blur the write time): when the write returned, when the view showed it."""
    samples = []
    for i in range(1, LATENCY_SAMPLES + 1):
        outcome = ledger.submit_raw(
            {"type": "credit", "txn_id": f"LAT{i}", "account_id": "L1", "amount": "1.00"}
        )
        written = time.time()
        seq = int(outcome.seq or 0)
        deadline = written + 60
        seen = None
        while time.time() < deadline:
            view = views.balance("L1")
            if view is not None and view.applied_seq >= seq:
                seen = time.time()
                break
            time.sleep(0.05)
        samples.append({"account": "L1", "seq": seq, "written": written, "projected": seen})
        time.sleep(1.0)
    return samples


def wait_projected(views: ViewStore, want: dict[str, int], timeout: float) -> float | None:
    start = time.time()
    while time.time() - start < timeout:
        done = 0
        for account, seq in want.items():
            view = views.balance(account)
            done += view is not None and view.applied_seq >= seq
        if done == len(want):
            return time.time() - start
        time.sleep(0.25)
    return None


# --- analysis ------------------------------------------------------------------------------
def read_trace(path: Path, function: str) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    lines = [json.loads(x) for x in path.read_text().splitlines() if x.strip()]
    return sorted((x for x in lines if x.get("function") == function), key=lambda x: x["t_start"])


def order_report(calls: list[dict[str, Any]]) -> dict[str, Any]:
    """Per account: were first deliveries in seq order? how many records came twice?"""
    first: dict[str, list[int]] = {}
    seen: set[tuple[str, int]] = set()
    duplicates = 0
    for call in calls:
        for _name, pk, sk, _seqno in call["records"]:
            if not str(sk).startswith("TXN#"):
                continue
            key = (pk, int(sk[4:]))
            if key in seen:
                duplicates += 1
                continue
            seen.add(key)
            first.setdefault(pk, []).append(key[1])
    out_of_order = {pk: s for pk, s in first.items() if s != sorted(s)}
    return {
        "records": len(seen),
        "duplicate_deliveries": duplicates,
        "accounts_out_of_order": sorted(out_of_order),
        "in_order": not out_of_order,
    }


def handler_latency(
    samples: list[dict[str, Any]], calls: list[dict[str, Any]]
) -> list[float | None]:
    out: list[float | None] = []
    for sample in samples:
        sk = f"TXN#{sample['seq']:012d}"
        hit = next(
            (
                c["t_start"]
                for c in calls
                if any(r[1] == "ACCT#L1" and r[2] == sk for r in c["records"])
            ),
            None,
        )
        out.append(None if hit is None else round(hit - sample["written"], 3))
    return out


def failure_report(calls: list[dict[str, Any]]) -> dict[str, Any]:
    """After FAILONCE1 was reported failed, did the next batch start exactly at it?"""
    for i, call in enumerate(calls):
        failed = call.get("batch_item_failures") or []
        ids = [r[3] for r in call["records"]]
        if not failed or failed[0] not in ids or i + 1 >= len(calls):
            continue
        nxt = [r[3] for r in calls[i + 1]["records"]]
        rest = ids[ids.index(failed[0]) :]
        return {
            "failed_record": failed[0],
            "batch_size": len(ids),
            "redelivered_from_failed_record": bool(nxt) and nxt[0] == failed[0],
            "earlier_records_redelivered": any(x in nxt for x in ids[: ids.index(failed[0])]),
            "later_records_redelivered": all(x in nxt for x in rest) if nxt else False,
        }
    return {"failed_record": None}


def poison_report(sqs: Any, queue_url: str, timeout: float) -> dict[str, Any]:
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = sqs.receive_message(
            QueueUrl=queue_url, WaitTimeSeconds=2, MaxNumberOfMessages=10
        ).get("Messages", [])
        if got:
            body = json.loads(got[0]["Body"])
            return {
                "on_failure_messages": len(got),
                "condition": (body.get("requestContext") or {}).get("condition"),
                "batch_info": body.get("DDBStreamBatchInfo"),
            }
    return {"on_failure_messages": 0}


def summarise(samples: list[dict[str, Any]], handler_lat: list[float | None]) -> dict[str, Any]:
    projected = [
        round(s["projected"] - s["written"], 3) if s["projected"] else None for s in samples
    ]
    warm_h = [x for x in handler_lat if x is not None]
    warm_p = [x for x in projected if x is not None]
    return {
        "write_to_handler_s": handler_lat,
        "write_to_projection_s": projected,
        "median_write_to_handler_s": statistics.median(warm_h) if warm_h else None,
        "median_write_to_projection_s": statistics.median(warm_p) if warm_p else None,
    }
