"""A probe Lambda for the LocalStack end-to-end check (stdlib only; deployed by e2e.py).

It sits on the ledger stream beside the real projection function, with its own event source
mapping, and tests the mapping's failure semantics:

- a txn event whose ``txn_id`` starts with ``FAILONCE`` is reported in ``batchItemFailures``
  the first time it is seen (a marker file under ``PROBE_STATE_DIR`` remembers it), so the
  mapping must redeliver from that record on;
- a txn event whose ``txn_id`` starts with ``POISON`` always fails, so after
  ``MaximumRetryAttempts`` the mapping must give up and notify its on-failure destination.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def _txn_id(record: dict[str, Any]) -> str:
    image = (record.get("dynamodb") or {}).get("NewImage") or {}
    return str((image.get("txn_id") or {}).get("S", ""))


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    state = Path(os.environ.get("PROBE_STATE_DIR", "/tmp/acme-probe"))
    state.mkdir(parents=True, exist_ok=True)
    for record in event.get("Records") or []:
        txn_id = _txn_id(record)
        seq = record["dynamodb"]["SequenceNumber"]
        if txn_id.startswith("POISON"):
            return {"batchItemFailures": [{"itemIdentifier": seq}]}
        if txn_id.startswith("FAILONCE"):
            marker = state / txn_id
            if not marker.exists():
                marker.write_text(seq)
                return {"batchItemFailures": [{"itemIdentifier": seq}]}
    return {"batchItemFailures": []}
