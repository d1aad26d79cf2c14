"""The fraud consumer's data: a transaction as the rules see it, an account's profile (the
projection item the rules keep between events) and an alert. Pure, JSON-shaped.

An alert's id is derived from its rule, account and evidence (the txn ids that make it), so
the same evidence found again (a redelivery, a replay after a crash, another consumer) names
the same alert, and a conditional put stores it once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

OPEN, REVIEWED, DISMISSED = "open", "reviewed", "dismissed"
STATUSES = (OPEN, REVIEWED, DISMISSED)
#: the status an alert may move to from each status (a dismissed alert is closed for good)
NEXT_STATUS: dict[str, tuple[str, ...]] = {
    OPEN: (REVIEWED, DISMISSED),
    REVIEWED: (DISMISSED,),
    DISMISSED: (),
}


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def day_of(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d")


@dataclass(frozen=True)
class Txn:
    """One transaction of the account, as the rules need it."""

    seq: int
    txn_id: str
    ts: float  # recorded_at, epoch seconds (the ledger's clock: not the client's, nor the stream's)
    kind: str  # credit | debit | transfer_out | transfer_in
    status: str  # approved | declined
    amount: int  # minor units
    counterparty: str | None = None
    new_counterparty: bool = False  # an outgoing transfer to someone never paid before
    occurred: float | None = None  # the client's occurred_at, only when backdated (BACKDATED_S)

    def to_list(self) -> list[Any]:
        return [
            self.seq,
            self.txn_id,
            self.ts,
            self.kind,
            self.status,
            self.amount,
            self.counterparty,
            self.new_counterparty,
            self.occurred,
        ]

    @classmethod
    def from_list(cls, row: list[Any]) -> Txn:
        return cls(
            int(row[0]),
            str(row[1]),
            float(row[2]),
            str(row[3]),
            str(row[4]),
            int(row[5]),
            row[6],
            bool(row[7]),
            None if len(row) < 9 or row[8] is None else float(row[8]),  # older profiles: 8
        )


@dataclass
class Profile:
    """What the rules remember of one account; ``applied_seq`` guards its conditional write."""

    account_id: str
    applied_seq: int = -1
    last_activity: float | None = None
    n: int = 0  # Welford's running count, mean and sum of squared deviations of the
    mean: float = 0.0  # account's approved outgoing amounts (minor units)
    m2: float = 0.0
    recent: list[Txn] = field(default_factory=list)
    counterparties: list[str] = field(default_factory=list)
    fired: list[str] = field(default_factory=list)  # "rule@window" already alerted

    def copy(self) -> Profile:
        return replace(
            self,
            recent=list(self.recent),
            counterparties=list(self.counterparties),
            fired=list(self.fired),
        )

    def to_doc(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "applied_seq": self.applied_seq,
            "last_activity": self.last_activity,
            "n": self.n,
            "mean": self.mean,
            "m2": self.m2,
            "recent": [t.to_list() for t in self.recent],
            "counterparties": list(self.counterparties),
            "fired": list(self.fired),
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Profile:
        last = doc.get("last_activity")
        return cls(
            account_id=str(doc["account_id"]),
            applied_seq=int(doc["applied_seq"]),
            last_activity=None if last is None else float(last),
            n=int(doc.get("n", 0)),
            mean=float(doc.get("mean", 0.0)),
            m2=float(doc.get("m2", 0.0)),
            recent=[Txn.from_list(r) for r in doc.get("recent", [])],
            counterparties=[str(c) for c in doc.get("counterparties", [])],
            fired=[str(f) for f in doc.get("fired", [])],
        )


def alert_id(rule: str, account_id: str, evidence: tuple[str, ...]) -> str:
    """The alert's identity: rule, account and evidence, hashed (24 hex digits)."""
    text = "\x1f".join((rule, account_id, *evidence))
    return hashlib.sha256(text.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Alert:
    alert_id: str
    rule: str
    account_id: str
    window_start: str  # ISO instants: the rule's window (or the quiet span, for dormant)
    window_end: str
    evidence: tuple[str, ...]  # txn ids, in the account's order
    risk_score: int  # 1..100
    alert_day: str  # the date of the txn that raised it (the index's partition)
    detail: str = ""
    status: str = OPEN
    note: str | None = None
    reviewer: str | None = None
    reviewed_at: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "alert_id": self.alert_id,
            "rule": self.rule,
            "account_id": self.account_id,
            "window": {"start": self.window_start, "end": self.window_end},
            "evidence": list(self.evidence),
            "risk_score": self.risk_score,
            "alert_day": self.alert_day,
            "detail": self.detail,
            "status": self.status,
            "note": self.note,
            "reviewer": self.reviewer,
            "reviewed_at": self.reviewed_at,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Alert:
        return cls(
            alert_id=str(d["alert_id"]),
            rule=str(d["rule"]),
            account_id=str(d["account_id"]),
            window_start=str(d["window"]["start"]),
            window_end=str(d["window"]["end"]),
            evidence=tuple(str(e) for e in d["evidence"]),
            risk_score=int(d["risk_score"]),
            alert_day=str(d["alert_day"]),
            detail=str(d.get("detail") or ""),
            status=str(d.get("status") or OPEN),
            note=d.get("note"),
            reviewer=d.get("reviewer"),
            reviewed_at=d.get("reviewed_at"),
        )
