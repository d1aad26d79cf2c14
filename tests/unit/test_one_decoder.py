"""One decoder of JSON lines: the CLI (``acme-txn submit``), the HTTP API (``POST /commands``)
and the apps' registries read a line the same way, so the same bad line gets the same error
from each (``processor.domain.registry.Registry.decode`` over ``processor.domain.parsing``)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acme_base.errors import InvalidInput
from acme_txn.bootstrap import App
from acme_txn.cli import ledger_cmd
from acme_txn.http_api import HttpApi
from acme_txn.http_api.local import http_event
from apps.budgets.commands import BUDGETS
from apps.loyalty.commands import LOYALTY
from processor.domain.commands import MAX_LINE_BYTES
from processor.services.commands import parse_submitted
from streams.handlers import CountingMetrics
from tests.auth_support import authenticator, bearer, token
from tests.unit.cli_memory import memory_cli

#: lines every decoder refuses before it looks at the command's type
UNREADABLE = {
    "malformed": '{"type": "credit", "txn_id": ',
    "float": '{"type": "credit", "txn_id": "T1", "account_id": "A1", "amount": 1.5}',
    "key twice": '{"type": "credit", "txn_id": "T1", "txn_id": "T2"}',
    "constant": '{"type": "credit", "txn_id": "T1", "amount": NaN}',
    "too deep": '{"type": "credit", "metadata": ' + "[" * 80 + "]" * 80 + "}",
}
#: lines that read as JSON but are not a ledger command (the ledger's registry's errors)
INVALID = {
    "unknown type": '{"type": "refund", "txn_id": "T1"}',
    "bad amount": '{"type": "credit", "txn_id": "T1", "account_id": "A1", "amount": "-1"}',
    "extra field": '{"type": "credit", "txn_id": "T1", "account_id": "A1", "amount": "1", "x": 1}',
}


def cli_error(line: str, monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path) -> str:
    path = tmp_path / "commands.jsonl"
    path.write_text(line + "\n")
    result = memory_cli(monkeypatch, capsys)("submit", str(path))
    (outcome,) = result.lines()
    assert outcome["status"] == "rejected", outcome
    assert outcome["input_line"] == 1
    error = str(outcome["error"])
    assert error.startswith("input line 1: "), error  # the CLI says where, then the same words
    return error.removeprefix("input line 1: ")


def api_error(app: App, line: str) -> str:
    api = HttpApi(app, CountingMetrics(), authenticator())
    headers = {"content-type": "application/json", **bearer(token("ops-1"))}
    response = api(http_event("POST", "/commands", line, headers), None)
    answer = json.loads(response["body"])
    assert response["statusCode"] == 400, answer
    assert answer["error"] == "invalid_input"
    return str(answer["detail"])


def app_error(registry: Any, line: str) -> str:
    with pytest.raises(InvalidInput) as caught:
        registry.decode(line)
    return str(caught.value)


@pytest.mark.parametrize("line", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_given_an_unreadable_line_then_the_cli_the_api_and_the_apps_say_the_same(
    line: str,
    memory_app: App,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    # GIVEN one bad line WHEN the CLI, the HTTP API and both apps' decoders read it
    errors = {
        "cli": cli_error(line, monkeypatch, capsys, tmp_path),
        "api": api_error(memory_app, line),
        "loyalty": app_error(LOYALTY, line),
        "budgets": app_error(BUDGETS, line),
    }
    # THEN each refuses it with the one decoder's words
    assert len(set(errors.values())) == 1, errors


@pytest.mark.parametrize("line", INVALID.values(), ids=INVALID.keys())
def test_given_an_invalid_command_then_the_cli_and_the_api_say_the_same(
    line: str,
    memory_app: App,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    cli = cli_error(line, monkeypatch, capsys, tmp_path)
    assert cli == api_error(memory_app, line)


def test_given_a_line_at_the_size_limit_then_the_cli_reads_it_as_the_decoder_does(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # GIVEN a credit line of exactly the ledger's limit (its newline is not part of it)
    head = '{"type": "credit", "txn_id": "T1", "account_id": "A1", "amount": "1", "note": "'
    line = head + "x" * (MAX_LINE_BYTES - len(head) - 2) + '"}'
    assert len(line) == MAX_LINE_BYTES
    with pytest.raises(InvalidInput) as caught:
        parse_submitted(line)  # refused for its note, not for its size
    # THEN the CLI refuses it for the same reason
    assert cli_error(line, monkeypatch, capsys, tmp_path) == str(caught.value)


@given(
    st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Zl", "Zp", "Cc"]))),
    st.sampled_from(["\n", "\r\n"]),
)
def test_given_any_lines_when_read_then_submit_decodes_each_as_the_api_would(
    texts: list[str], end: str
) -> None:
    # GIVEN lines of any text, ended either way WHEN `submit` reads them
    lines = [text for text in texts if text.strip()]
    stream = io.StringIO("".join(text + end for text in texts), newline="")
    read = [(number, line) for number, line in ledger_cmd._lines(stream)]
    # THEN each non-blank line reaches the decoder as it was written (no line end), in order
    assert [line for _, line in read] == lines
    assert all(texts[number - 1] == line for number, line in read)
