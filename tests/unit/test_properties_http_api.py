"""Properties of the HTTP API's request rules: the Idempotency-Key never silently replaces a
body's txn_id, batches keep input order, and the status is 503 exactly when the backend
failed a command (never 500 for anything the caller sent)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from acme_base.errors import InvalidInput
from acme_txn.http_api import requests as requests_mod  # through the module: mutants patch it
from acme_txn.http_api.requests import MAX_BATCH, parse_submission
from processor.domain.outcomes import Outcome

ids = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1, max_size=20)
commands = st.fixed_dictionaries(
    {"type": st.sampled_from(["credit", "debit"]), "account_id": ids},
    optional={"txn_id": ids, "amount": st.sampled_from(["1.00", "0.01", "250"])},
)
STATUSES = ["approved", "declined", "duplicate", "rejected", "failed", "opened", "registered"]


@given(command=commands, key=st.one_of(st.none(), ids))
def test_given_any_command_and_key_then_the_txn_id_is_the_agreed_one_or_refused(
    command: dict[str, Any], key: str | None
) -> None:
    headers = {"content-type": "application/json"}
    if key is not None:
        headers["Idempotency-Key"] = key
    try:
        (parsed,) = parse_submission(json.dumps(command), headers).commands
    except InvalidInput:
        assert key is not None and "txn_id" in command and command["txn_id"] != key
        return
    expected = command.get("txn_id", key)
    assert parsed.get("txn_id") == expected
    assert {k: v for k, v in parsed.items() if k != "txn_id"} == {
        k: v for k, v in command.items() if k != "txn_id"
    }


@given(batch=st.lists(commands, min_size=1, max_size=MAX_BATCH))
def test_given_any_batch_then_the_commands_in_input_order(batch: list[dict[str, Any]]) -> None:
    submission = parse_submission(json.dumps({"commands": batch}), {})
    assert submission.batch and submission.commands == batch


@given(statuses=st.lists(st.sampled_from(STATUSES), min_size=1, max_size=10), batch=st.booleans())
def test_given_any_outcomes_then_503_iff_a_backend_failure_and_never_500(
    statuses: list[str], batch: bool
) -> None:
    outcomes = [Outcome.model_validate({"status": s}) for s in statuses]
    code = requests_mod.status_of(outcomes, batch or len(outcomes) > 1)
    assert (code == 503) == ("failed" in statuses)
    assert code in {200, 400, 503}
