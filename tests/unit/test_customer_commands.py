"""Customer commands: parsing and normalisation (phones, states, names, statuses), bad input,
the pure update rule and item layout, and the service's answers on the in-memory twins."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acme_base.errors import InvalidInput
from acme_txn.bootstrap import App
from processor.customers.commands import (
    RegisterCustomer,
    UpdateCustomer,
)
from processor.customers.items import customer_item, update_parts
from processor.customers.model import (
    Changes,
    Customer,
    apply_changes,
    normalize_phone,
    parse_state,
)
from processor.services.commands import parse_submitted

ADA = {
    "type": "register_customer",
    "customer_id": "C1",
    "name": "Ada Li",
    "phone": "+12125550123",
    "state": "NY",
    "special_status": ["veteran"],
}


def test_given_a_registration_when_parsed_then_phone_state_and_statuses_are_normalised() -> None:
    cmd = parse_submitted(
        {**ADA, "phone": "(212) 555-0123", "state": " ny ", "special_status": ["veteran"] * 2}
    )
    assert isinstance(cmd, RegisterCustomer)
    assert (cmd.phone, cmd.state, cmd.special_status) == ("+12125550123", "NY", ("veteran",))
    assert cmd.fingerprint() == parse_submitted(json.dumps(ADA)).fingerprint()  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("spelling", "e164"),
    [
        ("+12125550123", "+12125550123"),
        ("+1 212 555 0123", "+12125550123"),
        ("212-555-0123", "+12125550123"),  # no +: read as a US number
        ("(212) 555.0123", "+12125550123"),
        ("+44 20 7183 8750", "+442071838750"),  # another country: with its + code
    ],
)
def test_given_a_phone_spelling_when_normalised_then_e164(spelling: str, e164: str) -> None:
    assert normalize_phone(spelling) == e164


@pytest.mark.parametrize(
    "bad",
    ["", "212-555", "+1555", "+19995550000", "tel:+12125550123", "212-555-0123 ext 4",
     "1-800-FLOWERS", "+" + "1" * 40],
)  # fmt: skip
def test_given_a_bad_phone_when_normalised_then_invalid_input_naming_it(bad: str) -> None:
    with pytest.raises(InvalidInput, match="phone"):
        normalize_phone(bad)


def test_given_state_codes_then_states_dc_and_territories_only() -> None:
    assert [parse_state(s) for s in ("NY", "dc", " PR ", "GU")] == ["NY", "DC", "PR", "GU"]
    for bad in ("ZZ", "New York", "", "N"):
        with pytest.raises(InvalidInput, match="state"):
            parse_state(bad)


BAD_LINES = [
    ({**ADA, "email": "a@b.c"}, "email: Extra inputs are not permitted"),
    ({**ADA, "phone": "212-555"}, "phone"),
    ({**ADA, "phone": 12125550123}, "phone: must be a string"),
    ({**ADA, "state": "ZZ"}, "state 'ZZ' is not a US state"),
    ({**ADA, "name": "x" * 101}, "name: must be 1-100 characters, not 101"),
    ({**ADA, "name": "   "}, "name: must be 1-100 characters, not 0"),
    ({**ADA, "name": "Ada\u0007"}, "name: control characters"),
    ({**ADA, "special_status": ["vip"]}, "special_status.0"),
    ({**ADA, "customer_id": "bad id!"}, "customer_id"),
    ({k: v for k, v in ADA.items() if k != "phone"}, "phone: Field required"),
    ({"type": "update_customer", "customer_id": "C1"}, "give at least one of"),
    (
        {"type": "update_customer", "customer_id": "C1", "add_special_status": ["student"],
         "remove_special_status": ["student"]},
        "cannot be both added and removed",
    ),
    ({"type": "update_customer", "customer_id": "C1", "special_status": []}, "Extra inputs"),
    ({"type": "open_account", "account_id": "A1", "customer_id": "C1", "state": "NY"}, "state"),
    ({"type": "open_account", "account_id": "A1", "customer_id": "C1",
      "special_status": ["veteran"]}, "special_status: Extra inputs"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "fragment"), BAD_LINES)
def test_given_bad_customer_input_when_parsed_then_invalid_input_saying_why(
    raw: dict[str, Any], fragment: str
) -> None:
    for line in (raw, json.dumps(raw)):
        with pytest.raises(InvalidInput) as exc:
            parse_submitted(line)
        assert fragment in str(exc.value)


def test_given_malformed_oversized_or_float_lines_then_invalid_input() -> None:
    for line, fragment in [
        ('{"type":"register_customer",', "malformed JSON"),
        (json.dumps({**ADA, "name": "x" * 20_000}), "over the 16384 limit"),
        (json.dumps(ADA)[:-1] + ',"n":1.5}', "float"),
        ('{"type":"nope"}', "register_customer or update_customer"),
    ]:
        with pytest.raises(InvalidInput, match=fragment):
            parse_submitted(line)


# --- the pure rule and the item layout ---------------------------------------------------------

BEFORE = Customer("C1", "Ada", "+12125550123", "NY", frozenset({"veteran"}), "t0", "t0", 3, "fp")


@given(
    add=st.frozensets(st.sampled_from(["veteran", "handicap", "student"])),
    remove=st.frozensets(st.sampled_from(["veteran", "handicap", "student"])),
    state=st.sampled_from([None, "NY", "CA"]),
)
def test_any_changes_set_the_statuses_and_move_the_version_iff_something_changed(
    add: frozenset[str], remove: frozenset[str], state: str | None
) -> None:
    after, changed = apply_changes(BEFORE, Changes(state=state, add_special_status=add,
                                                   remove_special_status=remove), "t1")  # fmt: skip
    assert after.special_status == (BEFORE.special_status | add) - remove
    assert bool(changed) == (after.version == BEFORE.version + 1) == (after.updated_at == "t1")
    assert changed or after == BEFORE
    assert set(changed) == {f for f in ("state", "special_status")
                            if getattr(after, f) != getattr(BEFORE, f)}  # fmt: skip


def test_given_no_status_then_the_item_has_no_indicator_and_an_update_removes_it() -> None:
    plain = Customer("C2", "Bo", "+12125550124", "CA")
    assert "special_status" not in customer_item(plain)
    assert "special_status_indicator" not in customer_item(plain)
    assert customer_item(BEFORE)["special_status_indicator"] == "yes"
    emptied, _ = apply_changes(BEFORE, Changes(remove_special_status=frozenset({"veteran"})), "t")
    parts = update_parts(BEFORE, emptied)
    assert parts["UpdateExpression"].endswith(" REMOVE #ss, #ssi")
    assert ":no" not in parts["ExpressionAttributeValues"]
    assert parts["ExpressionAttributeValues"][":expected"] == 3  # the version read
    kept = update_parts(BEFORE, BEFORE)
    assert "#ssi = :yes" in kept["UpdateExpression"] and "REMOVE" not in kept["UpdateExpression"]


# --- the service, on the in-memory twins -------------------------------------------------------


def test_given_memory_ledger_when_customers_come_and_change_then_every_answer_is_right(
    memory_app: App,
) -> None:
    ledger, store = memory_app.ledger, memory_app.customer_store
    assert ledger.submit_raw(ADA).status == "registered"
    again = ledger.submit_raw({**ADA, "phone": "212 555 0123"}).to_json_dict()
    assert (again["status"], again["original_status"], again["version"]) == (
        "duplicate", "registered", 1)  # fmt: skip
    other = ledger.submit_raw({**ADA, "name": "Ada Lu"})
    assert other.status == "rejected" and "already registered" in (other.error or "")
    clash = ledger.submit_raw({**ADA, "customer_id": "C2"})
    assert (clash.status, clash.error) == (
        "rejected", "phone +12125550123 is already registered to another customer")  # fmt: skip
    assert store.customer("C2") is None
    move = {"type": "update_customer", "customer_id": "C1", "phone": "+12125550999"}
    moved = ledger.submit_raw({**move, "remove_special_status": ["veteran"]})
    assert moved.to_json_dict()["changed"] == ["phone", "special_status"]
    assert (store.phone_owner("+12125550123"), store.phone_owner("+12125550999")) == (None, "C1")
    assert ledger.submit_raw({**ADA, "customer_id": "C2"}).status == "registered"  # freed
    unknown = ledger.submit_raw({"type": "update_customer", "customer_id": "C9", "name": "X"})
    assert (unknown.status, unknown.error) == ("rejected", "unknown customer: 'C9'")
    assert store.customer("C9") is None
    opening = ledger.submit_raw({"type": "open_account", "account_id": "A9", "customer_id": "C9"})
    assert (opening.status, opening.error) == ("rejected", "unknown customer: 'C9'")
    assert memory_app.event_store.head("A9") is None


def test_given_memory_threads_registering_one_phone_then_one_winner(memory_app: App) -> None:
    ledgers = [memory_app.ledger, memory_app.new_ledger()]
    start, results = threading.Barrier(16), [""] * 16

    def run(i: int) -> None:
        start.wait()
        outcome = ledgers[i % 2].submit_raw({**ADA, "customer_id": f"C{i}"})
        results[i] = outcome.status

    threads = [threading.Thread(target=run, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["registered"] + ["rejected"] * 15
    assert (
        memory_app.customer_store.phone_owner("+12125550123") == f"C{results.index('registered')}"
    )


def test_given_parsed_update_then_changes_carry_only_what_was_given() -> None:
    cmd = parse_submitted({"type": "update_customer", "customer_id": "C1", "state": "tx",
                           "add_special_status": ["student", "student"]})  # fmt: skip
    assert isinstance(cmd, UpdateCustomer)
    assert cmd.changes() == Changes(state="TX", add_special_status=frozenset({"student"}))
