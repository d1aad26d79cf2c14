"""Hypothesis strategies shared by the pure property tests and the stateful machine.

Money is generated in integer minor units and rendered as decimal strings, so every
generated amount is exact (never a float).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from processor.domain.decide import AccountState
from processor.domain.events import (
    AccountOpened,
    DebitDeclined,
    DeclineReason,
    FundsCredited,
    FundsDebited,
    LedgerEvent,
    TransferDeclined,
    TransferReceived,
    TransferSent,
)
from processor.domain.money import MAX_AMOUNT

MAX_MINOR = int(MAX_AMOUNT * 100)
ACCOUNT_POOL = ("A1", "A2", "A3", "A4")

ids = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_.:-]{0,20}\Z")
account_ids = st.sampled_from(ACCOUNT_POOL)

# Small amounts make declines and exact-balance debits likely; big ones stay in range.
small_minor = st.integers(min_value=1, max_value=5_000)
any_minor = st.one_of(small_minor, st.integers(min_value=1, max_value=MAX_MINOR))

aware_datetimes = st.datetimes(
    min_value=datetime(1971, 1, 1),
    max_value=datetime(2099, 12, 30),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
    ),
)
# A fixed few days, so several events share a txn_date (daily totals get > 1 event per day).
DAYS = ("2026-11-20", "2026-11-21", "2026-11-22")
occurred_ats = st.tuples(st.sampled_from(DAYS), st.integers(0, 23), st.integers(0, 59)).map(
    lambda t: f"{t[0]}T{t[1]:02d}:{t[2]:02d}:00Z"
)


def minor_to_text(minor: int) -> str:
    """Exactly two decimal places, e.g. 5 -> "0.05"."""
    return f"{minor // 100}.{minor % 100:02d}"


@st.composite
def amount_texts(draw: st.DrawFn, minor: st.SearchStrategy[int] = small_minor) -> str:
    """A decimal string for ``minor`` cents, in one of the equivalent spellings ("5", "5.0")."""
    value = draw(minor)
    text = minor_to_text(value)
    if value % 100 == 0 and draw(st.booleans()):
        return str(value // 100)
    if value % 10 == 0 and draw(st.booleans()):
        return text[:-1]
    return text


def equivalent_spelling(amount: str) -> str:
    """Another text of the same amount ("5" <-> "5.00"): the same payload for idempotency."""
    value = Decimal(amount)
    return (
        f"{value:.2f}"
        if amount != f"{value:.2f}"
        else f"{value:.1f}"
        if (value * 10 == (value * 10).to_integral_value())
        else amount
    )


@st.composite
def money_commands(
    draw: st.DrawFn,
    txn_id: str | None = None,
    accounts: st.SearchStrategy[str] = account_ids,
    with_time: bool = True,
) -> dict[str, Any]:
    """A valid credit, debit or transfer command dict (accounts may not exist yet)."""
    kind = draw(st.sampled_from(["credit", "debit", "transfer"]))
    cmd: dict[str, Any] = {
        "type": kind,
        "txn_id": txn_id or draw(ids),
        "amount": draw(amount_texts()),
    }
    if kind == "transfer":
        src = draw(accounts)
        dst = draw(accounts.filter(lambda a: a != src))
        cmd |= {"from_account": src, "to_account": dst}
    else:
        cmd["account_id"] = draw(accounts)
    if with_time and draw(st.booleans()):
        cmd["occurred_at"] = draw(occurred_ats)
    return cmd


def _event_common(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "account_id": draw(ids),
        "seq": draw(st.integers(1, 10**9)),
        "txn_id": draw(ids),
        "currency": draw(st.sampled_from(["USD", "EUR", "JPY"])),
        "amount": draw(any_minor),
        "balance_after": draw(st.integers(0, 10**15)),
        "occurred_at": draw(aware_datetimes),
    }


@st.composite
def ledger_events(draw: st.DrawFn) -> LedgerEvent:
    """Any single well-formed event of any type (not necessarily consistent with a history)."""
    common = _event_common(draw)
    kind = draw(
        st.sampled_from(
            ["open", "credit", "debit", "debit_declined", "sent", "received", "transfer_declined"]
        )
    )
    other = draw(ids)
    reason = DeclineReason.LOW_BALANCE
    if kind == "open":
        return AccountOpened(
            **{**common, "seq": 0, "amount": 0, "balance_after": 0}, customer_id=draw(ids)
        )
    if kind == "credit":
        return FundsCredited(**common)
    if kind == "debit":
        return FundsDebited(**common)
    if kind == "debit_declined":
        return DebitDeclined(**common, reason=reason)
    if kind == "sent":
        return TransferSent(**common, counterparty=other)
    if kind == "received":
        return TransferReceived(**common, counterparty=other)
    return TransferDeclined(**common, reason=reason, counterparty=other)


def opened_states(balances: dict[str, int]) -> dict[str, AccountState]:
    return {a: AccountState(a, f"C-{a}", "USD", b, 0) for a, b in balances.items()}


# --- check deposits (issue 9: illegible_check) ------------------------------------------------

#: real ABA routing numbers (JPMorgan Chase NY, Fed Boston, Bank of America, BofA CA, Chase CA,
#: Truist): each passes the 3-7-1 checksum and has a Federal Reserve prefix
VALID_ROUTINGS = ("021000021", "011000015", "026009593", "121000358", "322271627", "061000104")
_ONE_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
)
_ONES = _ONE_WORDS.split()
_TEN_WORDS = "- - twenty thirty forty fifty sixty seventy eighty ninety"
_TENS = _TEN_WORDS.split()


def _below_thousand(n: int) -> list[str]:
    words = [_ONES[n // 100], "hundred"] if n >= 100 else []
    n %= 100
    if n >= 20:
        words.append(_TENS[n // 10] + (f"-{_ONES[n % 10]}" if n % 10 else ""))
    elif n:
        words.append(_ONES[n])
    return words


def spell_amount(minor: int, style: int = 0) -> str:
    """How a check writer spells ``minor`` cents (written independently of the product's
    reader): style 0 "One hundred twenty-three and 45/100", style 1 "one hundred twenty-three
    dollars and 45/100"."""
    dollars, cents = divmod(minor, 100)
    words: list[str] = []
    for scale, name in ((10**9, "billion"), (10**6, "million"), (10**3, "thousand"), (1, "")):
        if dollars >= scale:
            words += _below_thousand(dollars // scale) + ([name] if name else [])
            dollars %= scale
    text = " ".join(words) or "zero"
    if style == 0:
        return f"{text[0].upper()}{text[1:]} and {cents:02d}/100"
    return f"{text} dollars and {cents:02d}/100"


@st.composite
def check_credits(
    draw: st.DrawFn, txn_id: str | None = None, accounts: st.SearchStrategy[str] = account_ids
) -> dict[str, Any]:
    """A check deposit: a legible check, or one with exactly one flaw (a routing digit changed,
    a number that is no number, words spelling another amount)."""
    minor = draw(small_minor)
    routing = draw(st.sampled_from(VALID_ROUTINGS))
    number = str(draw(st.integers(1, 999_999)))
    words = spell_amount(minor, draw(st.integers(0, 1)))
    flaw = draw(st.sampled_from([None, None, "routing", "number", "words"]))
    if flaw == "routing":  # one changed digit always breaks the 3-7-1 checksum
        i, step = draw(st.integers(0, 8)), draw(st.integers(1, 9))
        routing = f"{routing[:i]}{(int(routing[i]) + step) % 10}{routing[i + 1 :]}"
    elif flaw == "number":
        number = draw(st.sampled_from(["", "0", "000", "12A4", "12345678901", "1 234"]))
    elif flaw == "words":
        words = spell_amount(minor + draw(st.integers(1, 500)), 0)
    return {
        "type": "credit",
        "txn_id": txn_id or draw(ids),
        "account_id": draw(accounts),
        "amount": minor_to_text(minor),
        "channel": "check",
        "check": {"number": number, "routing": routing, "amount_in_words": words},
    }
