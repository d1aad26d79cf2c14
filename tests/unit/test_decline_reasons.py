"""Every new path of issue 9's decline reasons, pure: block/unblock, unauthorized declines,
check deposits (good and illegible), the line between rejected and declined, the codec and
the read models. No I/O (the in-memory ledger at the end runs the real dispatch)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from acme_base.errors import InvalidInput, InvariantViolation, UnknownAccount
from processor.domain.commands import Credit, parse_command
from processor.domain.decide import AccountState, decide, evolve
from processor.domain.events import (
    AccountBlocked,
    AccountUnblocked,
    DebitDeclined,
    DeclineReason,
    DepositDeclined,
    FundsCredited,
    FundsDebited,
    TransferDeclined,
    TransferReceived,
)
from processor.domain.metadata import TRACE_FIELDS
from processor.domain.outcomes import outcome_of
from processor.reads.views import event_json
from processor.storage.codec import event_to_item, item_to_event
from projections.model import DailyTotals, fold_all

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
CHECK = {"number": "1001", "routing": "021000021", "amount_in_words": "Twelve and 50/100"}


def state(balance: int = 10_000, blocked: bool = False, account: str = "A") -> AccountState:
    return AccountState(account, "C", "USD", balance, 3, blocked)


def run(states: dict[str, AccountState], **fields: Any) -> list[Any]:
    return decide(states, parse_command(fields), NOW)


def credit(**extra: Any) -> dict[str, Any]:
    return {"type": "credit", "txn_id": "T", "account_id": "A", "amount": "12.50", **extra}


# --- block / unblock ------------------------------------------------------------------------


def test_given_an_open_account_when_blocked_then_account_blocked_with_the_reason() -> None:
    [event] = run({"A": state()}, type="block_account", txn_id="B1", account_id="A", reason="fraud")
    assert isinstance(event, AccountBlocked)
    assert (event.seq, event.amount, event.balance_after, event.blocked) == (4, 0, 10_000, True)
    assert (event.note, event.version, event.kind) == ("fraud", 1, "block")
    assert evolve(state(), event).blocked
    assert outcome_of([event]).status == "blocked"


def test_given_a_blocked_account_when_unblocked_then_account_unblocked() -> None:
    [event] = run({"A": state(blocked=True)}, type="unblock_account", txn_id="U1", account_id="A")
    assert isinstance(event, AccountUnblocked) and not event.blocked and event.note is None
    assert not evolve(state(blocked=True), event).blocked
    assert outcome_of([event]).status == "unblocked"


@pytest.mark.parametrize(
    ("kind", "blocked", "says"),
    [("block_account", True, "already blocked"), ("unblock_account", False, "not blocked")],
)
def test_given_the_account_already_so_when_blocked_again_then_refused(
    kind: str, blocked: bool, says: str
) -> None:
    with pytest.raises(InvalidInput, match=says):
        run({"A": state(blocked=blocked)}, type=kind, txn_id="B", account_id="A", reason="x")


def test_given_an_unknown_account_when_blocked_then_unknown_account() -> None:
    with pytest.raises(UnknownAccount):
        run({}, type="block_account", txn_id="B", account_id="A", reason="x")


# --- unauthorized ---------------------------------------------------------------------------


def test_given_a_blocked_account_when_debited_then_declined_unauthorized_even_if_covered() -> None:
    [event] = run({"A": state(blocked=True)}, type="debit", txn_id="T", account_id="A", amount="1")
    assert isinstance(event, DebitDeclined) and event.reason == DeclineReason.UNAUTHORIZED
    assert event.balance_after == 10_000 and event.blocked
    assert evolve(state(blocked=True), event).balance == 10_000


def test_given_a_blocked_sender_when_transferring_then_one_unauthorized_leg() -> None:
    states = {"A": state(blocked=True), "B": state(account="B")}
    events = run(states, type="transfer", txn_id="T", from_account="A", to_account="B", amount="1")
    assert len(events) == 1 and isinstance(events[0], TransferDeclined)
    assert events[0].reason == "unauthorized" and events[0].counterparty == "B"


def test_given_a_blocked_sender_without_funds_then_unauthorized_wins_over_low_balance() -> None:
    [event] = run(
        {"A": state(0, blocked=True)}, type="debit", txn_id="T", account_id="A", amount="1"
    )
    assert event.reason == "unauthorized"


def test_given_a_blocked_receiver_when_transferred_to_then_the_money_lands() -> None:
    states = {"A": state(), "B": state(0, blocked=True, account="B")}
    sent, received = run(
        states, type="transfer", txn_id="T", from_account="A", to_account="B", amount="1"
    )
    assert sent.approved and not sent.blocked
    assert isinstance(received, TransferReceived) and received.blocked
    assert evolve(states["B"], received).balance == 100


def test_given_a_blocked_account_when_credited_then_approved() -> None:
    [event] = run({"A": state(blocked=True)}, **credit())
    assert isinstance(event, FundsCredited) and event.blocked and event.balance_after == 11_250


def test_given_a_blocked_state_when_an_approved_debit_is_folded_then_violation() -> None:
    debit = FundsDebited(
        account_id="A", seq=4, txn_id="T", currency="USD", amount=1, balance_after=9_999,
        occurred_at=NOW, blocked=True,
    )  # fmt: skip
    with pytest.raises(InvariantViolation, match="blocked"):
        evolve(state(blocked=True), debit)


def test_given_an_event_with_the_wrong_block_flag_when_folded_then_violation() -> None:
    [event] = run({"A": state()}, **credit())
    with pytest.raises(InvariantViolation, match="blocked"):
        evolve(state(), replace(event, blocked=True))


# --- check deposits -------------------------------------------------------------------------


def test_given_a_good_check_when_deposited_then_credited_with_channel_and_number() -> None:
    [event] = run({"A": state()}, **credit(channel="check", check=CHECK))
    assert isinstance(event, FundsCredited)
    assert (event.channel, event.check_number, event.balance_after) == ("check", "1001", 11_250)


def test_given_an_illegible_check_when_deposited_then_declined_and_recorded() -> None:
    words = {**CHECK, "amount_in_words": "Twelve and 05/100"}
    [event] = run({"A": state()}, **credit(channel="check", check=words))
    assert isinstance(event, DepositDeclined)
    assert (event.reason, event.kind, event.status) == ("illegible_check", "credit", "declined")
    assert event.balance_after == 10_000 and "12.05" in event.detail
    outcome = outcome_of([event])
    assert (outcome.status, outcome.reason, outcome.detail) == (
        "declined",
        "illegible_check",
        event.detail,
    )


def test_given_a_wire_credit_when_decided_then_the_channel_is_recorded() -> None:
    [event] = run({"A": state()}, **credit(channel="wire"))
    assert isinstance(event, FundsCredited) and event.channel == "wire"


# --- the line between rejected and declined -------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"channel": "check"}, "check"),
        ({"check": CHECK}, "check"),
        ({"channel": "cash", "check": CHECK}, "check"),
        ({"channel": "crypto"}, "channel"),
        ({"channel": "check", "check": {**CHECK, "memo": "rent"}}, "check.memo"),
        ({"channel": "check", "check": {**CHECK, "number": 1001}}, "check.number"),
        ({"channel": "check", "check": {"number": "1", "routing": "021000021"}}, "amount_in_words"),
        ({"channel": "check", "check": {**CHECK, "routing": "0" * 65}}, "check.routing"),
        ({"channel": "check", "check": {**CHECK, "amount_in_words": "x" * 201}}, "amount_in_words"),
        ({"channel": "check", "check": {**CHECK, "number": "10\n01"}}, "control"),
        ({"channel": "check", "check": "1001"}, "check"),
    ],
)
def test_given_a_malformed_check_when_parsed_then_rejected(
    fields: dict[str, Any], says: str
) -> None:
    with pytest.raises(InvalidInput, match=says):
        parse_command(credit(**fields))


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"reason": ""}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"reason": "x" * 201}, "reason"),
        ({"reason": 7}, "reason"),
        ({"reason": "x", "amount": "1.00"}, "amount"),
        ({"reason": "x", "account_id": "bad id"}, "account_id"),
        ({"reason": "x", "txn_id": "B#1"}, "txn_id"),
    ],
)
def test_given_a_bad_block_command_when_parsed_then_rejected(
    fields: dict[str, Any], says: str
) -> None:
    cmd = {"type": "block_account", "txn_id": "B1", "account_id": "A", **fields}
    with pytest.raises(InvalidInput, match=says):
        parse_command(cmd)


def test_given_a_float_amount_on_a_check_deposit_then_rejected() -> None:
    line = json.dumps(credit(channel="check", check=CHECK)).replace('"12.50"', "12.5")
    with pytest.raises(InvalidInput, match="float"):
        parse_command(line)


def test_given_a_plain_credit_then_its_fingerprint_is_what_it_was_before_channels() -> None:
    """Retries of credits recorded before ``channel``/``check`` existed still match."""
    cmd = parse_command(credit())
    assert isinstance(cmd, Credit)
    later = {"channel", "check", "pending", "timeout_s", *TRACE_FIELDS}  # added later
    before = {k: v for k, v in cmd.model_dump(mode="json").items() if k not in later}
    old = hashlib.sha256(json.dumps(before, sort_keys=True, default=str).encode()).hexdigest()
    assert cmd.fingerprint() == old
    assert parse_command(credit(channel="cash")).fingerprint() != old


# --- codec and read models ------------------------------------------------------------------


def test_given_new_events_when_stored_then_they_read_back_and_index_their_reason() -> None:
    [blocked] = run({"A": state()}, type="block_account", txn_id="B", account_id="A", reason="x")
    [declined] = run(
        {"A": state()}, **credit(channel="check", check={**CHECK, "routing": "021000022"})
    )
    for event in (blocked, declined):
        item = event_to_item(event)
        assert item_to_event(item) == event and item["version"] == 1
    assert event_to_item(declined)["txn_declined_reason"] == "illegible_check"
    assert "txn_declined_reason" not in event_to_item(blocked)


def test_given_an_unblocked_plain_event_when_stored_then_the_item_is_as_before() -> None:
    """No ``blocked``/``channel``/``check_number`` attributes unless set: old items and new
    items of old kinds look the same, and an old item reads back as not blocked."""
    [event] = run({"A": state()}, type="debit", txn_id="T", account_id="A", amount="1")
    item = event_to_item(event)
    assert not {"blocked", "channel", "check_number", "version"} & set(item)
    assert item_to_event(item).blocked is False


def test_given_blocks_and_declined_credits_when_folded_then_totals_and_index_agree() -> None:
    states = {"A": state()}
    [blocked] = run(states, type="block_account", txn_id="B", account_id="A", reason="x")
    after = {"A": evolve(states["A"], blocked)}
    [debit] = run(after, type="debit", txn_id="T1", account_id="A", amount="1")
    after = {"A": evolve(after["A"], debit)}
    [check] = run(after, **credit(txn_id="T2", channel="check", check={**CHECK, "number": "x"}))
    assert DailyTotals.of(blocked).empty
    snapshot = fold_all([blocked, debit, check])
    totals = snapshot.daily[(NOW.date().isoformat(), "USD")]
    assert (totals.txn_count, totals.declined_count, totals.declined_total) == (2, 2, 1_350)
    assert (totals.credit_total, totals.debit_total, totals.approved_count) == (0, 0, 0)
    reasons = {e.reason for e in snapshot.declined.values()}
    assert reasons == {"unauthorized", "illegible_check"}
    assert snapshot.balances["A"].balance == 0  # declines and blocks move no money


def test_given_new_events_when_shown_then_their_optional_fields_appear_only_when_set() -> None:
    [blocked] = run({"A": state()}, type="block_account", txn_id="B", account_id="A", reason="x")
    [declined] = run({"A": state()}, **credit(channel="check", check={**CHECK, "number": "x"}))
    [plain] = run({"A": state()}, type="debit", txn_id="T", account_id="A", amount="1")
    assert event_json(blocked) | {"note": "x", "blocked": True} == event_json(blocked)
    shown = event_json(declined)
    assert (shown["reason"], shown["channel"], shown["check_number"]) == (
        "illegible_check",
        "check",
        "x",
    )
    assert "detail" in shown and "blocked" not in shown
    assert not {"blocked", "channel", "detail", "note"} & set(event_json(plain))
