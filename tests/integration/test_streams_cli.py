"""`acme-txn project` and `acme-txn dlq` end to end on DynamoDB Local, with the real
projections: dead letters listed and redriven, a SIGTERMed `project` process, the Lambda
entry. `submit` then `project --until-idle` and bad consumer options run in-process on the
twins: tests/app/test_cli_project.py."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from acme_base.aws import dynamodb_client, streams_client
from acme_base.settings import Settings
from acme_txn.cli.main import main
from processor.services.ledger import Ledger
from streams.config import EsmConfig
from streams.filters import EVENTS_ONLY, FilterCriteria
from streams.shards import DynamoDBShardSource
from streams.state import StreamState
from tests.customer_support import register, registration
from tests.streams_support import RecordingSink, make_poller

COMMANDS = [
    {"type": "open_account", "account_id": "A1", "customer_id": "C1", "currency": "USD"},
    {"type": "open_account", "account_id": "A2", "customer_id": "C2", "currency": "USD"},
    {"type": "credit", "txn_id": "T1", "account_id": "A1", "amount": "100.00"},
    {"type": "debit", "txn_id": "T2", "account_id": "A1", "amount": "30.50"},
    {
        "type": "transfer",
        "txn_id": "T3",
        "from_account": "A1",
        "to_account": "A2",
        "amount": "5.00",
    },
    {"type": "debit", "txn_id": "T4", "account_id": "A2", "amount": "999.00"},  # declined
    {"type": "credit", "txn_id": "T1", "account_id": "A1", "amount": "100.00"},  # duplicate
]


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    assert settings.access_key and settings.secret_key and settings.endpoint_url
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", settings.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", settings.secret_key)
    return ["--endpoint-url", settings.endpoint_url, "--table-prefix", settings.table_prefix]


def run_json(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict]]:  # type: ignore[type-arg]
    code = main([*args, "--output", "jsonl"])
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines() if line.strip()]


def submit(tmp_path: Path, cli: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    customers = tmp_path / "customers.jsonl"
    customers.write_text("".join(json.dumps(registration(c)) + "\n" for c in ("C1", "C2")))
    assert run_json(["submit", str(customers), *cli], capsys)[0] == 0
    path = tmp_path / "commands.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in COMMANDS))
    code, outcomes = run_json(["submit", str(path), *cli], capsys)
    assert code == 0 and len(outcomes) == len(COMMANDS)


def test_given_dead_letters_when_listed_and_redriven_then_the_dlq_empties(
    settings: Settings, ledger: Ledger, cli: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    register(ledger, "C1", "C2")
    ledger.submit_raw(COMMANDS[0])
    ledger.submit_raw(COMMANDS[2])
    sink = RecordingSink(poison=frozenset({("A1", 1)}))
    make_poller(
        settings,
        sink,
        EsmConfig(filters=FilterCriteria([EVENTS_ONLY]), max_retry_attempts=0, poll_interval=0.05),
    ).run(until_idle=True, max_seconds=60)
    code, letters = run_json(["dlq", "list", *cli], capsys)
    assert code == 0 and [d["seq"] for d in letters] and len(letters) == 1
    assert letters[0]["keys"]["SK"]["S"] == "TXN#000000000001"
    code, (result,) = run_json(["dlq", "redrive", *cli], capsys)
    assert code == 0 and (result["redriven"], result["still_failing"]) == (1, 0)
    code, letters = run_json(["dlq", "list", *cli], capsys)
    assert letters == []
    code, (view,) = run_json(["balance", "A1", "--source", "projection", *cli], capsys)
    assert (view["source"], view["balance"], view["applied_seq"]) == ("projection", "100.00", 1)


def test_given_a_running_poller_when_sigterm_then_it_checkpoints_releases_and_exits_0(
    settings: Settings, ledger: Ledger, cli: list[str]
) -> None:
    register(ledger, "C1", "C2")
    for c in COMMANDS[:4]:
        ledger.submit_raw(c)
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": settings.access_key or "",
        "AWS_SECRET_ACCESS_KEY": settings.secret_key or "",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "acme_txn.cli.main",
            "project",
            "--poll-interval",
            "0.05",
            "--json",
            *cli,
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    client = dynamodb_client(settings)
    label = (
        DynamoDBShardSource(client, streams_client(settings), settings.ledger_table)
        .describe()
        .label
    )
    state = StreamState(client, settings.streams_table, "projections", label, "observer")
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:  # wait until it has worked (not a timed assertion)
            shards = state.load_all()
            if shards and next(iter(shards.values())).checkpoint and proc.poll() is None:
                break
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        out, errs = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, errs
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["delivered"] == 4 and not summary["idle"]
    (shard,) = state.load_all().values()
    assert shard.owner is None and shard.checkpoint is not None


def test_given_lambda_env_when_lambda_handler_is_invoked_then_it_projects_lazily(
    settings: Settings,
    ledger: Ledger,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from acme_txn import lambda_handlers
    from streams.records import to_lambda_record
    from streams.shards import TRIM_HORIZON

    register(ledger, "C1", "C2")
    for c in COMMANDS[:3]:
        ledger.submit_raw(c)
    source = DynamoDBShardSource(
        dynamodb_client(settings), streams_client(settings), settings.ledger_table
    )
    info = source.describe()
    page = source.read(source.iterator(info.shards[0].shard_id, TRIM_HORIZON), 1000)
    event = {"Records": [to_lambda_record(r, info.arn) for r in page.records]}
    for name, value in {
        "AWS_ENDPOINT_URL": settings.endpoint_url,
        "AWS_ACCESS_KEY_ID": settings.access_key,
        "AWS_SECRET_ACCESS_KEY": settings.secret_key,
        "ACME_TABLE_PREFIX": settings.table_prefix,
    }.items():
        monkeypatch.setenv(name, value or "")
    lambda_handlers.reset()  # a cold start
    response = lambda_handlers.projection_handler(event, None)
    assert response == {"batchItemFailures": []}
    assert '"RecordsProcessed"' in capsys.readouterr().out  # powertools EMF metrics line
    code, (view,) = run_json(
        [
            "balance",
            "A1",
            "--source",
            "projection",
            "--endpoint-url",
            settings.endpoint_url or "",
            "--table-prefix",
            settings.table_prefix,
        ],
        capsys,
    )
    assert code == 0
    assert (view["source"], view["balance"], view["applied_seq"]) == ("projection", "100.00", 1)
