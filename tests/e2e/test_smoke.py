"""Smoke end to end: the stack from the template on the Docker-less LocalStack, one command
in, LocalStack's own stream mapping projects it, the alarms exist, the stack goes away.

Starts LocalStack if it is not running (the first time on a machine builds its venv, ~2.5
minutes; later ~10 s) and stops it again if it started it. Skipped only when no Python >= 3.13
can be found for LocalStack. The full workload is ``./run localstack-e2e``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from acme_base.keys import fraud_profile_key
from acme_txn.http_api.access import OPERATE_TYPES
from tests.auth_support import principals
from tests.e2e import localstack_support as ls

#: one LocalStack (its fixed port) for the module: with several workers, all on one of them
pytestmark = pytest.mark.slow  # one module: one worker under ./run tests (--dist loadfile)


@pytest.fixture(scope="module")
def localstack() -> Iterator[str]:
    if not ls.answering() and ls.python313() is None:
        pytest.skip("LocalStack on the host needs Python >= 3.13 and none was found")
    started = ls.start()
    yield ls.ENDPOINT
    if started:
        ls.stop()


@pytest.fixture(scope="module")
def stack(localstack: str) -> Iterator[dict[str, Any]]:
    name = f"smoke-{uuid.uuid4().hex[:8]}"
    # a throw-away stack: its tables (kept by the stack, protected by default) go with it
    deployed = ls.acme("deploy", "--stack", name, "--no-deletion-protection", *ls.auth_flags())
    yield deployed
    gone = ls.acme("undeploy", "--stack", name, "--delete-tables")
    assert gone["status"] == "deleted" and gone["tables_retained"] == []
    assert sorted(gone["tables_deleted"]) == [f"{name}-{t}" for t in ("archive", "ledger", "views")]


def _commands(suffix: str) -> list[dict[str, Any]]:
    customer, account = f"C{suffix}", f"A{suffix}"
    return [
        {
            "type": "register_customer",
            "customer_id": customer,
            "name": "Ada Li",
            "phone": f"+1212555{int(suffix, 16) % 10000:04d}",
            "state": "NY",
        },
        {"type": "open_account", "account_id": account, "customer_id": customer, "currency": "USD"},
        {"type": "credit", "txn_id": f"T{suffix}", "account_id": account, "amount": "100.00"},
    ]


def _submit(stack: dict[str, Any], commands: list[dict[str, Any]]) -> str:
    """Through the HTTP API when its handler exists, else through the CLI."""
    if importlib.util.find_spec("acme_txn.http_api") is not None:
        operator = principals()["operator"]
        for command in commands:
            path = "/admin/commands" if command["type"] in OPERATE_TYPES else "/commands"
            status, body = ls.api(stack["api_url"], "POST", path, command, operator)
            assert status < 300, (status, body)
        return "api"
    prefix = stack["tables"]["ledger"].removesuffix("-ledger")
    lines = "".join(f"{json.dumps(c)}\n" for c in commands)
    ls.acme("submit", "-", "--table-prefix", prefix, stdin=lines)
    return "cli"


def test_given_the_stack_when_a_credit_is_submitted_then_the_mapping_projects_it(
    stack: dict[str, Any],
) -> None:
    suffix = uuid.uuid4().hex[:6]
    prefix = stack["tables"]["ledger"].removesuffix("-ledger")
    started = time.monotonic()
    _submit(stack, _commands(suffix))

    def projected() -> dict[str, Any] | None:
        balance = ls.acme(
            "balance", f"A{suffix}", "--table-prefix", prefix, "--source", "projection"
        )
        caught_up = balance.get("source") == "projection" and balance.get("applied_seq") == 1
        return balance if caught_up else None

    balance = ls.wait_for(projected, timeout=60)
    assert balance, f"not projected {time.monotonic() - started:.1f}s after the write"
    assert balance["balance"] == "100.00"


def test_given_the_stack_when_deployed_then_its_alarms_and_mapping_exist(
    stack: dict[str, Any],
) -> None:
    prefix = stack["tables"]["ledger"].removesuffix("-ledger")
    session = boto3.session.Session("test", "test", region_name="us-east-1")
    cloudwatch = session.client("cloudwatch", endpoint_url=ls.ENDPOINT)
    alarms = cloudwatch.describe_alarms(AlarmNamePrefix=f"{prefix}-")["MetricAlarms"]
    metrics = {a["MetricName"] for a in alarms}
    assert {"ReadThrottleEvents", "WriteThrottleEvents", "Errors", "IteratorAge"} <= metrics
    lam = session.client("lambda", endpoint_url=ls.ENDPOINT)
    mapping = lam.get_event_source_mapping(UUID=stack["mapping_uuid"])
    assert mapping["State"] == "Enabled"
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"].endswith("-onfailure")
    apps = lam.get_event_source_mapping(UUID=stack["mapping_uuids"]["apps"])
    assert apps["State"] == "Enabled"
    assert apps["FunctionArn"].endswith(f":function:{stack['functions']['apps']}")
    assert apps["DestinationConfig"]["OnFailure"]["Destination"].endswith("-apps-onfailure")
    assert apps["BisectBatchOnFunctionError"] is True
    assert apps["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_given_the_stack_when_a_credit_is_submitted_then_the_fraud_mapping_profiles_it(
    stack: dict[str, Any],
) -> None:
    lam = _session().client("lambda", endpoint_url=ls.ENDPOINT)
    mapping = lam.get_event_source_mapping(UUID=stack["mapping_uuids"]["fraud"])
    assert mapping["State"] == "Enabled"
    assert mapping["FunctionArn"].endswith(f":function:{stack['functions']['fraud']}")
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"].endswith("-fraud-onfailure")
    suffix = uuid.uuid4().hex[:6]
    _submit(stack, _commands(suffix))
    ddb = _session().client("dynamodb", endpoint_url=ls.ENDPOINT)
    key = {k: {"S": v} for k, v in fraud_profile_key(f"A{suffix}").items()}

    def profile() -> dict[str, Any] | None:
        item = ddb.get_item(TableName=stack["tables"]["views"], Key=key).get("Item")
        return item if item and int(item["applied_seq"]["N"]) >= 1 else None  # the credit

    # LocalStack ignores TumblingWindowInSeconds: each batch saves the profile at once
    assert ls.wait_for(profile, timeout=60), "the fraud function never saved the profile"


def test_given_an_expired_pending_when_the_sweeper_is_invoked_then_it_is_expired(
    stack: dict[str, Any],
) -> None:
    events = _session().client("events", endpoint_url=ls.ENDPOINT)
    rule = events.describe_rule(Name=stack["schedules"]["expire_pending"])
    assert rule["ScheduleExpression"] == "rate(1 minute)"
    suffix = uuid.uuid4().hex[:6]
    hold = {"type": "debit", "txn_id": f"P{suffix}", "account_id": f"A{suffix}"}
    _submit(
        stack, [*_commands(suffix), {**hold, "amount": "1.00", "pending": True, "timeout_s": 1}]
    )
    time.sleep(1.5)  # past its expiry (not an assertion on timing: the sweep's input)
    lam = _session().client("lambda", endpoint_url=ls.ENDPOINT)
    done = lam.invoke(FunctionName=stack["functions"]["expire_pending"], Payload=b"{}")
    payload = json.loads(done["Payload"].read())
    assert "FunctionError" not in done, payload
    # the schedule (rate 1 minute, it runs on LocalStack too) may have expired it first
    assert payload["expired"] in ([f"P{suffix}"], [])
    prefix = stack["tables"]["ledger"].removesuffix("-ledger")
    last = ls.acme("events", f"A{suffix}", "--table-prefix", prefix)["items"][-1]
    assert (last["event_type"], last["txn_id"]) == ("PendingExpired", f"expire#P{suffix}")


def _session() -> boto3.session.Session:
    return boto3.session.Session("test", "test", region_name="us-east-1")


def test_given_a_conflicting_table_when_deploying_then_exit_1_names_the_resource(
    localstack: str,
) -> None:
    name = f"clash-{uuid.uuid4().hex[:8]}"
    session = boto3.session.Session("test", "test", region_name="us-east-1")
    ddb = session.client("dynamodb", endpoint_url=localstack)
    ddb.create_table(  # a leftover table of nobody's stack, with the archive table's name
        TableName=f"{name}-archive",
        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    try:
        done = subprocess.run(
            [
                ls.ACME,
                "deploy",
                "--stack",
                name,
                "--no-deletion-protection",
                "--endpoint-url",
                localstack,
            ],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"},
        )
        assert done.returncode == 1, done.stdout
        assert f"stack {name} ended ROLLBACK_COMPLETE" in done.stderr
        assert "ArchiveTable CREATE_FAILED" in done.stderr
        assert "already exists" in done.stderr
    finally:
        assert ls.acme("undeploy", "--stack", name)["status"] == "deleted"
        # LocalStack's rollback deletes that table although the stack never created it
        # (AWS leaves it alone: docs/deploy.md, fidelity problems)
        # and the tables a rollback keeps (money and customers are retained by the stack)
        for table in ("archive", "ledger", "views"):
            with contextlib.suppress(ddb.exceptions.ResourceNotFoundException):
                ddb.delete_table(TableName=f"{name}-{table}")


def test_given_the_function_url_then_the_function_checks_tokens_and_rights(
    stack: dict[str, Any],
) -> None:
    """Part of the route-by-principal matrix through LocalStack's function URL (no API
    Gateway there: the function verifies the JWT itself, with the same code)."""
    suffix = uuid.uuid4().hex[:6]
    _submit(stack, _commands(suffix))
    url, who = stack["api_url"], principals()
    credit = {"type": "credit", "txn_id": f"M{suffix}", "account_id": f"A{suffix}"}
    credit["amount"] = "1.00"
    balance = f"/accounts/A{suffix}/balance"
    cases = [
        ("anonymous", "GET", "/health", None, 200),
        ("anonymous", "POST", "/commands", credit, 401),
        ("anonymous", "GET", balance, None, 401),
        ("svc_read", "POST", "/commands", credit, 403),
        ("svc_read", "GET", balance, None, 200),
        ("customer_b", "GET", balance, None, 403),
        ("svc_transact", "POST", "/admin/commands", credit, 403),
        ("operator", "GET", balance, None, 200),
    ]
    found = [
        (name, method, path, ls.api(url, method, path, body, who[name])[0])
        for name, method, path, body, _ in cases
    ]
    assert [f[3] for f in found] == [c[4] for c in cases], found
