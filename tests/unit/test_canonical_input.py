"""Canonical input: the same bytes mean one thing to the ledger and to anyone screening them.

Every decoder of JSON (``submit``, the HTTP API's bodies, customers, offers) and every check of
an id, amount, key or name reads input the one strict way (``processor.domain.parsing``)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from acme_base.errors import InvalidInput
from acme_txn.bootstrap import App
from acme_txn.http_api import HttpApi
from acme_txn.http_api.local import http_event
from acme_txn.http_api.requests import parse_submission
from apps.budgets.commands import parse_budget_command
from apps.loyalty.commands import parse_loyalty
from processor.domain.commands import parse_command
from processor.domain.money import parse_amount
from processor.domain.parsing import MAX_DEPTH, check_depth, decode_json
from processor.offers.model import offer_date
from processor.services.commands import parse_submitted
from processor.storage.query_specs import check_id
from streams.handlers import CountingMetrics
from tests.auth_support import authenticator, bearer, token
from tests.customer_support import register, registration

CREDIT = {"type": "credit", "txn_id": "T1", "account_id": "A1", "amount": "1.00"}
NON_ASCII_DIGITS = [
    "\u0661\u0662\u0663",
    "\uff19\uff19\uff19",
    "\u0967\u0968",
    "12.\u0665\u0660",
    "\u06f1\u06f2\u06f3",
]


def line(**fields: Any) -> str:
    return json.dumps({**CREDIT, **fields}, ensure_ascii=False)


@pytest.mark.parametrize("amount", NON_ASCII_DIGITS)
def test_given_non_ascii_digits_then_the_amount_is_refused(amount: str) -> None:
    with pytest.raises(InvalidInput, match="not a positive decimal"):
        parse_amount(amount)
    with pytest.raises(InvalidInput, match="amount"):
        parse_command(line(amount=amount))


@pytest.mark.parametrize("amount", NON_ASCII_DIGITS)
def test_given_non_ascii_digits_in_an_app_command_then_refused(amount: str) -> None:
    earn = {"type": "earn", "transaction_id": "E1", "user_id": "U1", "order_id": "O1"}
    with pytest.raises(InvalidInput):
        parse_loyalty({**earn, "amount": amount})
    expense = {"type": "expense", "expense_id": "X1", "user_id": "U1", "category": "food"}
    expense |= {"description": "lunch", "date": "2026-01-02"}
    with pytest.raises(InvalidInput):
        parse_budget_command({**expense, "amount": amount})


def test_given_a_month_in_other_digits_then_the_budget_is_refused() -> None:
    budget = {"type": "set_budget", "user_id": "U1", "category": "food", "amount": "5.00"}
    with pytest.raises(InvalidInput):
        parse_budget_command({**budget, "month": "202٦-01"})


def test_given_a_key_twice_then_refused_not_last_wins() -> None:
    doubled = '{"type":"credit","txn_id":"T1","account_id":"A1","amount":"1.00","amount":"9.00"}'
    with pytest.raises(InvalidInput, match="duplicate key 'amount'"):
        parse_command(doubled)
    with pytest.raises(InvalidInput, match="duplicate key"):
        parse_submitted(doubled)
    with pytest.raises(InvalidInput, match="duplicate key"):
        parse_submission(doubled, {})
    nested = '{"commands":[{"type":"credit","metadata":{"k":"a","k":"b"}}]}'
    with pytest.raises(InvalidInput, match="duplicate key 'k'"):
        parse_submission(nested, {})


def test_given_a_duplicate_key_in_a_customer_line_then_refused() -> None:
    body = registration("C9")
    text = json.dumps(body)[:-1] + f', "name": "{body["name"]}x"}}'
    with pytest.raises(InvalidInput, match="duplicate key 'name'"):
        parse_submitted(text)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000, 200_000])
def test_given_deep_nesting_then_a_clear_error_never_a_recursion_error(depth: int) -> None:
    deep = "[" * depth + "]" * depth
    with pytest.raises(InvalidInput, match="nests deeper"):
        decode_json(deep, 10**7)
    body = '{"commands":' + deep + "}"
    with pytest.raises(InvalidInput, match="nests deeper"):
        parse_submission(body, {})


def test_given_deep_nesting_in_a_command_line_then_rejected() -> None:
    deep = '{"type":"credit","metadata":' + '{"a":' * 2000 + "1" + "}" * 2001
    with pytest.raises(InvalidInput, match="nests deeper"):
        parse_submitted(deep)


def test_given_a_dict_nested_too_deeply_then_refused() -> None:
    data: Any = {}
    for _ in range(MAX_DEPTH + 2):
        data = {"a": data}
    with pytest.raises(InvalidInput, match="nests deeper"):
        check_depth(data)
    assert check_depth({"a": [{"b": 1}]}) == {"a": [{"b": 1}]}


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_given_a_non_finite_constant_then_refused(constant: str) -> None:
    with pytest.raises(InvalidInput, match="not JSON"):
        decode_json('{"amount": ' + constant + "}", 1000)


@pytest.mark.parametrize("key", ["order\n", "order\r\n", "a\u202eb"])
def test_given_a_metadata_key_with_a_newline_or_bidi_then_refused(key: str) -> None:
    with pytest.raises(InvalidInput, match="metadata"):
        parse_command({**CREDIT, "metadata": {key: "x"}})


@pytest.mark.parametrize("value", ["order 12\u202e", "a\u2066b", "x\u200fy", "x\x85y"])
def test_given_a_metadata_value_with_a_bidi_or_c1_control_then_refused(value: str) -> None:
    with pytest.raises(InvalidInput, match="metadata"):
        parse_command({**CREDIT, "metadata": {"order": value}})


@pytest.mark.parametrize("name", ["Eve\u202eevil", "Ann\u2067 Lee", "Bob\u2028Lee", "Al\x9bi"])
def test_given_a_customer_name_with_bidi_or_control_then_refused(name: str) -> None:
    with pytest.raises(InvalidInput, match="name"):
        parse_submitted({**registration("C7"), "name": name})


@pytest.mark.parametrize("note", ["stolen\u202ecard", "lost\u2066"])
def test_given_a_note_with_bidi_then_refused(note: str) -> None:
    block = {"type": "block_account", "txn_id": "B1", "account_id": "A1", "reason": note}
    with pytest.raises(InvalidInput, match="reason"):
        parse_command(block)


def test_given_a_persian_name_with_a_zero_width_non_joiner_then_accepted() -> None:
    command = parse_submitted(
        {**registration("C8"), "name": "\u0645\u0647\u0631\u200c\u0633\u0627"}
    )
    assert getattr(command, "name", None) == "\u0645\u0647\u0631\u200c\u0633\u0627"


@pytest.mark.parametrize("value", ["A1\n", "A1\r", "A\u202e1", "A1 ", "\uff11"])
def test_given_an_id_with_a_trailing_newline_then_the_path_check_refuses_it(value: str) -> None:
    with pytest.raises(InvalidInput, match="not a valid id"):
        check_id(value, "account")
    assert check_id("A1", "account") == "A1"


def test_given_an_offer_id_with_a_trailing_newline_then_refused() -> None:
    assert offer_date("01022022-1").year == 2022
    with pytest.raises(InvalidInput):
        offer_date("01022022-1\n")
    with pytest.raises(InvalidInput):
        offer_date("01022022-\u0661")


@pytest.fixture
def api(memory_app: App) -> HttpApi:
    register(memory_app.ledger, "C1")
    opened = memory_app.ledger.submit_raw(
        {"type": "open_account", "account_id": "A1", "customer_id": "C1"}
    )
    assert opened.status == "opened"
    return HttpApi(memory_app, CountingMetrics(), authenticator())


def post(api: HttpApi, body: str) -> tuple[int, Any]:
    event = http_event(
        "POST", "/commands", body, {"content-type": "application/json", **bearer(token("ops-1"))}
    )
    response = api(event, None)
    return response["statusCode"], json.loads(response["body"])


@pytest.mark.parametrize(
    "body",
    [
        line(amount="\u0661\u0662\u0663"),
        line(amount="\uff19\uff19\uff19"),
        '{"type":"credit","txn_id":"T1","account_id":"A1","amount":"1.00","amount":"9000.00"}',
        "[" * 100_000 + "]" * 100_000,
        '{"type":"credit","txn_id":"T1","account_id":"A1","amount":"1.00","metadata":{"k\\n":"v"}}',
    ],
)
def test_given_non_canonical_bodies_then_400_and_nothing_written(
    api: HttpApi, memory_app: App, body: str
) -> None:
    code, answer = post(api, body)
    assert code == 400, answer
    assert len(list(memory_app.event_store.events("A1"))) == 1  # the opening only


@pytest.mark.parametrize("account", ["A" * 2048, "A\uff11", "A1 "])  # a bidi control: no route
@pytest.mark.parametrize("tail", ["balance", "events"])
def test_given_a_path_id_the_body_would_refuse_then_400(
    api: HttpApi, account: str, tail: str
) -> None:
    event = http_event("GET", f"/accounts/{account}/{tail}", None, bearer(token("ops-1")))
    response = api(event, None)
    assert response["statusCode"] == 400, response
    assert "is not an id" in json.loads(response["body"])["detail"]


def test_given_a_deep_line_then_submit_ordering_and_the_ledger_reject_it_without_a_crash(
    memory_app: App,
) -> None:
    from processor.services.ordering import keys_of

    deep = "[" * 100_000 + "]" * 100_000
    assert keys_of(deep) == frozenset()
    deep_line = '{"type":"credit","metadata":' + '{"a":' * 2000 + "1" + "}" * 2001
    assert keys_of(deep_line) == frozenset()
    outcome = memory_app.ledger.submit_raw(deep_line)
    assert outcome.status == "rejected" and "nests deeper" in (outcome.error or "")


def test_given_an_app_command_nested_too_deeply_then_refused() -> None:
    nested: Any = "x"
    for _ in range(MAX_DEPTH + 2):
        nested = {"a": nested}
    earn = {"type": "earn", "transaction_id": "E1", "user_id": "U1", "order_id": "O1"}
    with pytest.raises(InvalidInput, match="nests deeper"):
        parse_loyalty({**earn, "amount": "1.00", "description": nested})
