"""The fraud rules, pure: ``evaluate(profile, event, rules)`` gives the profile after the
event and the alerts it raises. Events must come in the account's seq order (the consumer
guarantees it), which makes every alert, and its evidence, a function of the history alone.

Windowed rules (velocity, decline velocity, small-debit burst, repeated amount, fan-out) count
the account's transactions in tumbling windows of the ledger's time (``recorded_at``; events
from before it existed: ``occurred_at``), never the client's claim nor the stream's: thirty
payments sent within a minute but dated a day apart are thirty payments in a minute. They
alert once per rule and window, at the transaction that crosses the threshold (the evidence:
the window's matching transactions up to it); an alert whose evidence holds a backdated event
(``occurred_at`` over ``BACKDATED_S`` before ``recorded_at``) says so in its detail.
The amount spike compares an approved outgoing amount with the account's running mean and deviation
(Welford's algorithm, over approved outgoing amounts; a declined attempt counts toward the
decline velocity instead); dormancy compares it with the last activity.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from processor.domain.events import LedgerEvent
from processor.domain.money import format_minor
from projections.fraud.config import RulesConfig
from projections.fraud.model import Alert, Profile, Txn, alert_id, day_of, iso

TXN_KINDS = frozenset({"credit", "debit", "transfer_out", "transfer_in"})
OUTGOING = frozenset({"debit", "transfer_out"})
MAX_FIRED = 200
#: an event dated this many seconds or more before it was recorded is "backdated" in evidence
BACKDATED_S = 300


def evaluate(
    profile: Profile, event: LedgerEvent, rules: RulesConfig
) -> tuple[Profile, list[Alert]]:
    """The profile after ``event`` (its seq applied) and the alerts the event raises."""
    p = profile.copy()
    p.applied_seq = event.seq
    if event.kind not in TXN_KINDS:
        return p, []
    txn = _txn(p, event)
    raised = (_dormant(p, txn, rules), _spike(p, txn, rules, event.currency))
    alerts = [a for a in raised if a is not None]
    p.recent.append(txn)
    _prune(p, txn.ts, rules)
    alerts += [a for a in _windowed(p, txn, rules) if a is not None]
    _learn(p, txn, rules)
    return p, alerts


def _txn(p: Profile, e: LedgerEvent) -> Txn:
    counterparty = e.counterparty_id
    new = (
        e.kind == "transfer_out"
        and counterparty is not None
        and counterparty not in p.counterparties
    )
    ts = ledger_time(e)
    claimed = e.occurred_at.timestamp()
    occurred = claimed if ts - claimed >= BACKDATED_S else None
    return Txn(e.seq, e.txn_id, ts, e.kind, e.status, e.amount, counterparty, new, occurred)


def ledger_time(e: LedgerEvent) -> float:
    """When the ledger recorded ``e`` (epoch seconds); ``occurred_at`` for events from before
    ``recorded_at`` existed (the upcaster gives them that too)."""
    return (e.recorded_at or e.occurred_at).timestamp()


def backdated_note(members: list[Txn]) -> str:
    """``; backdated: T1 (occurred ..., recorded ...), ...`` for evidence dated in the past
    (empty: none was)."""
    notes = [
        f"{t.txn_id} (occurred {iso(t.occurred)}, recorded {iso(t.ts)})"
        for t in members
        if t.occurred is not None
    ]
    return f"; backdated: {', '.join(notes)}" if notes else ""


def _prune(p: Profile, now: float, rules: RulesConfig) -> None:
    horizon = max(now, *(t.ts for t in p.recent)) - rules.horizon_s()
    p.recent = [t for t in p.recent if t.ts >= horizon][-rules.max_recent :]
    p.fired = p.fired[-MAX_FIRED:]


def _learn(p: Profile, txn: Txn, rules: RulesConfig) -> None:
    p.last_activity = txn.ts if p.last_activity is None else max(p.last_activity, txn.ts)
    if txn.counterparty is not None and txn.counterparty not in p.counterparties:
        p.counterparties = [*p.counterparties, txn.counterparty][-rules.max_counterparties :]
    if txn.kind in OUTGOING and txn.status == "approved":
        p.n += 1
        delta = txn.amount - p.mean
        p.mean += delta / p.n
        p.m2 += delta * (txn.amount - p.mean)


def _score(base: int, excess: float) -> int:
    return max(1, min(100, int(base + 5 * max(0.0, excess))))


def _alert(
    rule: str, p: Profile, members: list[Txn], span: tuple[float, float], *, score: int, detail: str
) -> Alert:
    evidence = tuple(t.txn_id for t in members)
    return Alert(
        alert_id(rule, p.account_id, evidence),
        rule,
        p.account_id,
        iso(span[0]),
        iso(span[1]),
        evidence,
        score,
        day_of(members[-1].ts),
        detail + backdated_note(members),
    )


def _dormant(p: Profile, txn: Txn, rules: RulesConfig) -> Alert | None:
    rule = rules.dormant
    if not rule.enabled or p.last_activity is None:
        return None
    idle_days = (txn.ts - p.last_activity) / 86_400
    if idle_days < rule.dormant_days:
        return None
    score = _score(rule.score, idle_days / rule.dormant_days - 1)
    detail = f"first transaction after {idle_days:.0f} quiet days"
    return _alert("dormant", p, [txn], (p.last_activity, txn.ts), score=score, detail=detail)


def _spike(p: Profile, txn: Txn, rules: RulesConfig, currency: str) -> Alert | None:
    rule = rules.amount_spike
    if not rule.enabled or txn.kind not in OUTGOING or txn.status != "approved":
        return None
    if p.n < rule.min_samples:
        return None
    if txn.amount < rule.min_amount or txn.amount < p.mean * rule.min_ratio:
        return None
    std = math.sqrt(p.m2 / (p.n - 1)) if p.n > 1 else 0.0
    z = (txn.amount - p.mean) / max(std, p.mean * 0.1, 1.0)
    if z < rule.min_z:
        return None
    amount, mean = format_minor(txn.amount, currency), format_minor(round(p.mean), currency)
    detail = f"amount {amount} {currency} vs mean {mean} (z {z:.1f}, n {p.n})"
    score = _score(rule.score, z - rule.min_z)
    return _alert("amount_spike", p, [txn], (txn.ts, txn.ts), score=score, detail=detail)


Select = Callable[[Txn], bool]


@dataclass(frozen=True)
class Window:
    """A windowed rule: its name, window width, base score, count needed, and selection."""

    rule: str
    enabled: bool
    width: int
    base: int
    needed: int
    select: Select


def _windowed(p: Profile, txn: Txn, rules: RulesConfig) -> list[Alert | None]:
    v, d, b = rules.velocity, rules.decline_velocity, rules.small_debit_burst
    r, f = rules.repeated_amount, rules.fan_out
    small, same = b.max_amount, txn.amount
    specs = [
        Window("velocity", v.enabled, v.window_s, v.score, v.max_txns + 1, lambda t: True),
        Window(
            "decline_velocity",
            d.enabled,
            d.window_s,
            d.score,
            d.max_declines + 1,
            lambda t: t.status == "declined",
        ),
        Window(
            "small_debit_burst",
            b.enabled,
            b.window_s,
            b.score,
            b.min_count,
            lambda t: t.kind == "debit" and t.status == "approved" and t.amount <= small,
        ),
        Window(
            "repeated_amount",
            r.enabled and same >= r.min_amount,
            r.window_s,
            r.score,
            r.min_repeats,
            lambda t: t.kind in OUTGOING and t.status == "approved" and t.amount == same,
        ),
        Window(
            "fan_out",
            f.enabled,
            f.window_s,
            f.score,
            f.max_new + 1,
            lambda t: t.new_counterparty and t.status == "approved",
        ),
    ]
    return [_window(p, txn, spec) for spec in specs]


def _window(p: Profile, txn: Txn, w: Window) -> Alert | None:
    """Alert when the window of ``txn`` holds ``w.needed`` matching transactions (once)."""
    if not w.enabled or not w.select(txn):
        return None
    bucket = math.floor(txn.ts / w.width)
    key = f"{w.rule}@{bucket}"
    if key in p.fired:
        return None
    members = [t for t in p.recent if math.floor(t.ts / w.width) == bucket and w.select(t)]
    if w.rule == "fan_out":
        members = _first_per_counterparty(members)
    if len(members) < w.needed:
        return None
    p.fired.append(key)
    detail = f"{len(members)} in {w.width} s (threshold {w.needed})"
    span = (bucket * w.width, (bucket + 1) * w.width)
    score = _score(w.base, len(members) - w.needed)
    return _alert(w.rule, p, members, span, score=score, detail=detail)


def _first_per_counterparty(members: list[Txn]) -> list[Txn]:
    seen: set[str | None] = set()
    out = []
    for t in members:
        if t.counterparty not in seen:
            seen.add(t.counterparty)
            out.append(t)
    return out
