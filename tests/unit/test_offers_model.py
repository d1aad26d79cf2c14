"""Offers, pure: ids, dates, TTL arithmetic, and every bad input of the three commands refused
with a clear error (``parse_submitted``, the submit path's parser); the offer rules on the in-memory
twins (``memory_app``)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any, get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acme_base.errors import InvalidInput
from acme_txn.bootstrap import App
from processor.domain import commands as ledger_commands
from processor.offers import commands as offer_commands
from processor.offers.commands import CreateOffer, SendOffer
from processor.offers.model import add_months, delete_after, is_expired, offer_date, ttl_epoch
from processor.services.commands import parse_submitted
from tests.offer_support import OFFER, Clock, add_customer, create_offer, respond


def test_given_offer_ids_when_parsed_then_only_real_dates_and_numbers_from_1() -> None:
    assert offer_date("01022022-1") == date(2022, 1, 2)
    assert offer_date("05262022-12") == date(2022, 5, 26)
    assert offer_date("02292024-1") == date(2024, 2, 29)
    bad_ids = ["13012022-1", "02302022-1", "02292023-1", "01022022-0", "01022022-01"]
    bad_ids += ["0102202-1", "01022022", "01-02-2022-1", "01022022-1 ", "", "01022022-1234567"]
    for bad in bad_ids:
        with pytest.raises(InvalidInput, match="offer id"):
            offer_date(bad)


@given(st.dates(date(1971, 1, 1), date(2090, 12, 31)))
def test_given_any_expiry_when_the_ttl_is_computed_then_it_is_6_months_after_the_last_day(
    expires_on: date,
) -> None:
    gone = delete_after(expires_on)
    last_moment = datetime(expires_on.year, expires_on.month, expires_on.day, tzinfo=UTC)
    assert gone > last_moment
    months = (gone.year - expires_on.year) * 12 + gone.month - expires_on.month
    assert months in {6, 7}  # 6 calendar months, then the day after (may roll the month)
    assert ttl_epoch(expires_on) == int(gone.timestamp())
    assert not is_expired(expires_on, last_moment.replace(hour=23, minute=59))
    assert is_expired(expires_on, gone)


def test_given_month_ends_when_months_are_added_then_the_day_is_clamped() -> None:
    assert add_months(date(2022, 8, 31), 6) == date(2023, 2, 28)
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert add_months(date(2022, 3, 1), 6) == date(2022, 9, 1)
    assert add_months(date(2022, 12, 15), 1) == date(2023, 1, 15)


def test_given_the_ledger_statuses_when_offers_name_them_then_they_are_the_same() -> None:
    assert get_args(offer_commands.SpecialStatus) == get_args(ledger_commands.SpecialStatus)


def test_given_good_commands_when_parsed_then_typed() -> None:
    cmd = parse_submitted(json.dumps(create_offer()))
    assert isinstance(cmd, CreateOffer) and cmd.expires_on == date(2030, 3, 1)
    send = parse_submitted({"type": "send_offer", "offer_id": OFFER, "customer_ids": ["C1", "C1"]})
    assert isinstance(send, SendOffer) and send.audience() == ("C1",)
    rich = parse_submitted({"type": "send_offer", "offer_id": OFFER, "min_balance": "10000.00"})
    assert isinstance(rich, SendOffer) and str(rich.min_balance) == "10000.00"
    credit = '{"type":"credit","txn_id":"T1","account_id":"A1","amount":"1.00"}'
    assert isinstance(parse_submitted(credit), ledger_commands.Credit)


SEND = {"type": "send_offer", "offer_id": OFFER}
BAD: list[tuple[Any, str]] = [
    ({**create_offer(), "colour": "red"}, "colour: Extra inputs are not permitted"),
    (create_offer("13022030-1"), "no real date"),
    (create_offer("01022030-0"), "is not MMDDYYYY-N"),
    (create_offer(expires_on="2030-01-01"), "before the offer's date"),
    (create_offer(expires_on="2030/03/01"), "is not a date YYYY-MM-DD"),
    (create_offer(expires_on="2030-02-30"), "not a real date"),
    (create_offer(expires_on=1900000000), "is not a date YYYY-MM-DD"),
    (create_offer(details={"blob": "x" * 17_000}), "over the 16384 limit"),
    (create_offer(details=["not", "an", "object"]), "details"),
    (create_offer(details={"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": 1}}}}}}}}), "deeper"),
    (create_offer(terms=""), "terms"),
    (create_offer(terms="t" * 16_385), "terms are 16385 bytes"),
    (json.dumps(create_offer()).replace('"limit": 5000', '"limit": 50.5'), "not a float"),
    (json.dumps(create_offer(terms="x" * 50_000)), "over the 49152 limit"),
    ('{"type": "create_offer", "offer_id": ', "malformed JSON"),
    ({**SEND, "customer_ids": ["C1"], "special_status": "veteran"}, "exactly one of"),
    (SEND, "exactly one of"),
    ({**SEND, "customer_ids": []}, "at least 1 item"),
    ({**SEND, "customer_ids": [f"C{i}" for i in range(101)]}, "at most 100 items"),
    ({**SEND, "customer_ids": ["bad id!"]}, "customer_ids.0"),
    ({**SEND, "special_status": "pirate"}, "special_status"),
    ({**SEND, "min_balance": "-5.00"}, "min_balance"),
    ({**SEND, "min_balance": 10000.5}, "float"),
    ({**SEND, "min_balance": "1.00", "currency": "usd"}, "currency"),
    ({**SEND, "customer_ids": ["C1"], "currency": "USD"}, "currency only goes with"),
    ({**respond("C1"), "response": "MAYBE"}, "response"),
    ({**respond("C1"), "response": "accepted"}, "response"),
    ({**respond("C1"), "offer_id": "1-01022030"}, "is not MMDDYYYY-N"),
    ({**respond("C1"), "at": "now"}, "Extra inputs"),
    ({"type": "respond_offr"}, "create_offer, send_offer, respond_offer"),
]


@pytest.mark.parametrize(("raw", "message"), BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_given_bad_input_when_parsed_then_invalid_input_says_why(raw: Any, message: str) -> None:
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(".", r"\.")):
        parse_submitted(raw)


# --- the rules, on the in-memory twins ---------------------------------------------------------


def test_given_memory_twins_when_an_offer_lives_then_every_rule_holds(memory_app: App) -> None:
    clock = Clock()
    ledger = memory_app.new_ledger(clock=clock)
    add_customer(ledger, "C1", ["veteran"])
    add_customer(ledger, "C2")
    assert ledger.submit_raw(create_offer()).status == "created"
    assert ledger.submit_raw(create_offer()).status == "duplicate"
    other = ledger.submit_raw(create_offer(terms="other"))
    assert other.status == "rejected" and "already exists" in (other.error or "")
    unknown = ledger.submit_raw({**SEND, "customer_ids": ["C1", "C7"]})
    assert unknown.status == "rejected" and "unknown customer: 'C7'" in (unknown.error or "")
    assert memory_app.offer_store.offers_of("C1", 0, 10).items == []  # nothing written
    sent = ledger.submit_raw({**SEND, "special_status": "veteran"}).to_json_dict()
    assert (sent["sent"], sent["already_sent"]) == (1, 0)
    assert ledger.submit_raw(respond("C2")).error == f"offer {OFFER!r} was not sent to 'C2'"
    assert ledger.submit_raw(respond("C9")).error == "unknown customer: 'C9'"
    assert ledger.submit_raw(respond("C1", offer_id="01022030-5")).error == (
        "unknown offer: '01022030-5'"
    )
    assert ledger.submit_raw(respond("C1", "REJECTED")).status == "responded"
    assert ledger.submit_raw(respond("C1", "REJECTED")).status == "duplicate"
    assert ledger.submit_raw(respond("C1", "ACCEPTED")).status == "rejected"
    again = ledger.submit_raw({**SEND, "customer_ids": ["C1", "C2"]}).to_json_dict()
    assert (again["sent"], again["already_sent"]) == (1, 1)
    assert memory_app.offer_queries().status("C1", OFFER)["status"] == "REJECTED"
