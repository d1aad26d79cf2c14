"""Properties of who may do what: whatever a customer sends, what passes moves money only out
of accounts it owns; whatever the backend said, a failed outcome shown to the caller carries
none of it."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from acme_txn.http_api import access as access_mod  # through the module: mutants patch it
from acme_txn.http_api import requests as requests_mod
from acme_txn.http_api.access import READ, TRANSACT, Forbidden, Principal

accounts = st.sampled_from(["A1", "A2", "B1", "B2", "NOPE"])
OWNERS: dict[str, str | None] = {"A1": "CA", "A2": "CA", "B1": "CB", "B2": "CB", "NOPE": None}
legs = st.one_of(
    st.fixed_dictionaries({"type": st.just("debit"), "account_id": accounts}),
    st.fixed_dictionaries(
        {"type": st.just("transfer"), "from_account": accounts, "to_account": accounts}
    ),
    st.fixed_dictionaries({"type": st.just("credit"), "account_id": accounts}),
    st.fixed_dictionaries({"type": st.just("void_pending"), "pending_txn_id": accounts}),
)
commands = st.one_of(
    legs, st.fixed_dictionaries({"type": st.just("linked"), "legs": st.lists(legs, max_size=4)})
)
CUSTOMER = Principal("jwt:x#a", frozenset({TRANSACT, READ}), "CA")


def _sources(command: dict[str, Any]) -> list[str | None]:
    if command["type"] == "linked":
        return [s for leg in command["legs"] for s in _sources(leg)]
    if command["type"] == "debit":
        return [command["account_id"]]
    if command["type"] == "transfer":
        return [command["from_account"]]
    return [None]  # a credit or a resolution: no account of the customer's to take from


@given(batch=st.lists(commands, min_size=1, max_size=5))
def test_given_any_commands_of_a_customer_then_what_passes_takes_only_from_its_accounts(
    batch: list[dict[str, Any]],
) -> None:
    try:
        access_mod.check_commands(CUSTOMER, batch, OWNERS)
    except Forbidden:
        assert any(
            not c.get("legs", True) or OWNERS.get(s or "") != "CA"
            for c in batch
            for s in _sources(c) or [None]
        )
        return
    sources = [s for c in batch for s in _sources(c)]
    assert sources and all(s is not None and OWNERS[s] == "CA" for s in sources)


@given(status=st.sampled_from(["approved", "failed", "rejected"]), error=st.text(max_size=40))
def test_given_any_backend_message_then_a_failed_outcome_shows_none_of_it(
    status: str, error: str
) -> None:
    payload = {"txn_id": "T1", "status": status, "error": "arn:aws:dynamodb " + error}
    shown = requests_mod.public_outcome(payload, "req-1")
    if status == "failed":
        assert "arn:aws" not in str(shown) and shown["request_id"] == "req-1"
    else:
        assert shown == payload
