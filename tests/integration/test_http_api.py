"""The Lambda entry ``acme_txn.http_api.handler`` on API Gateway v2 event dicts against
DynamoDB Local (settings from the environment, as in the function), and ``acme-txn api serve``
answering real HTTP. The API's answers to bad input, batches and replayed keys are tested
in-process on the twins: tests/app/test_api_twins.py."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from acme_base.settings import Settings
from acme_txn import http_api
from acme_txn.bootstrap import App
from acme_txn.http_api.local import http_event
from tests.api_serve_support import env_of, serving
from tests.auth_support import AUDIENCE, ISSUER, bearer, jwks, token
from tests.customer_support import register

JSON_HEADERS = {"content-type": "application/json"}
OPERATOR = bearer(token("ops-1"))


def _env(settings: Settings, endpoint: str | None = None) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": endpoint or settings.endpoint_url or "",
        "AWS_ACCESS_KEY_ID": settings.access_key or "",
        "AWS_SECRET_ACCESS_KEY": settings.secret_key or "",
        "AWS_REGION": settings.region,
        "ACME_TABLE_PREFIX": settings.table_prefix,
        "ACME_AUTH_JWKS": json.dumps(jwks()),
        "ACME_AUTH_ISSUER": ISSUER,
        "ACME_AUTH_AUDIENCE": AUDIENCE,
    }


@pytest.fixture
def lambda_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in _env(settings).items():
        monkeypatch.setenv(name, value)
    http_api.reset()  # a cold start
    yield
    http_api.reset()


@pytest.fixture
def account(app: App, lambda_env: None) -> str:
    register(app.ledger, "C1")
    opened = app.ledger.submit_raw(
        {"type": "open_account", "account_id": "A1", "customer_id": "C1"}
    )
    assert opened.status == "opened"
    return "A1"


def invoke(method: str, path: str, body: Any = None, **headers: str) -> tuple[int, Any]:
    text = body if body is None or isinstance(body, str) else json.dumps(body)
    event = http_event(method, path, text, {**JSON_HEADERS, **OPERATOR, **headers})
    response = http_api.handler(event, None)
    assert response["headers"]["Content-Type"] == "application/json"
    return response["statusCode"], json.loads(response["body"])


def test_given_every_route_then_the_cli_documents(app: App, account: str) -> None:
    credit = {"type": "credit", "txn_id": "T1", "account_id": account, "amount": "25.50"}
    assert invoke("POST", "/commands", credit) == (
        200,
        {"txn_id": "T1", "status": "approved", "account_id": "A1", "seq": 1,
         "balance_after": "25.50"},
    )  # fmt: skip
    code, balance = invoke("GET", "/accounts/A1/balance")
    assert code == 200 and balance["balance"] == "25.50" and balance["applied_seq"] == 1
    code, page = invoke("GET", "/accounts/A1/events?limit=1")
    assert code == 200 and [e["kind"] for e in page["items"]] == ["open"]
    code, rest = invoke("GET", f"/accounts/A1/events?limit=5&next={page['next_token']}")
    assert [e["txn_id"] for e in rest["items"]] == ["T1"] and rest["next_token"] is None
    code, txn = invoke("GET", "/transactions/T1")
    assert code == 200 and (txn["txn_id"], txn["amount"], txn["status"]) == (
        "T1",
        "25.50",
        "approved",
    )
    assert invoke("GET", "/health") == (200, {"status": "ok"})


def test_given_unknown_ids_on_reads_then_404(account: str) -> None:
    for path in ("/accounts/NOPE/balance", "/accounts/NOPE/events", "/transactions/NOPE"):
        code, body = invoke("GET", path)
        assert (code, body["error"]) == (404, "not_found"), path


def test_given_a_function_url_event_then_answered_the_same(account: str) -> None:
    event = http_event("GET", "/accounts/A1/balance", None, {**JSON_HEADERS, **OPERATOR})
    event["requestContext"]["domainName"] = "abc.lambda-url.us-east-1.on.aws"
    event["requestContext"]["apiId"] = "abc"
    response = http_api.handler(event, None)
    assert response["statusCode"] == 200 and json.loads(response["body"])["account_id"] == "A1"
    # no API Gateway in front: the function checks the token itself (ACME_AUTH_JWKS)
    anonymous = {**event, "headers": {"content-type": "application/json"}}
    assert http_api.handler(anonymous, None)["statusCode"] == 401
    reader = {**event, "headers": bearer(token("svc-read", ("ledger/read",)))}
    credit = http_event("POST", "/commands", '{"type": "credit"}', reader["headers"])
    assert http_api.handler(credit, None)["statusCode"] == 403


def test_given_an_unreachable_endpoint_then_503(monkeypatch: pytest.MonkeyPatch) -> None:
    # no DynamoDB Local: the endpoint is the unreachable one
    settings = Settings(table_prefix="unreachable", access_key="k", secret_key="k")
    for name, value in _env(settings, endpoint="http://127.0.0.1:9").items():
        monkeypatch.setenv(name, value)
    http_api.reset()
    try:
        credit = {"type": "credit", "txn_id": "T1", "account_id": "A1", "amount": "1.00"}
        code, body = invoke("POST", "/commands", credit)
        assert code == 503 and body["outcome"]["status"] == "failed"
        assert body["detail"] == "backend unavailable, safe to retry" and body["request_id"]
        assert "127.0.0.1" not in json.dumps(body)
        code, body = invoke("GET", "/accounts/A1/balance")
        assert (code, body["error"]) == (503, "backend_unavailable")
    finally:
        http_api.reset()


def test_given_api_serve_then_a_real_http_request_is_answered(
    app: App, settings: Settings, account: str, tmp_path: Path
) -> None:
    with serving(settings, tmp_path) as served:
        credit = {"type": "credit", "txn_id": "S1", "account_id": "A1", "amount": "3.00"}
        code, body = served.request("POST", "/commands", credit, OPERATOR)
        assert (code, body["status"]) == (200, "approved")
        assert served.request("GET", "/accounts/NOPE/balance", None, OPERATOR)[0] == 404
        assert served.request("GET", "/accounts/A1/balance")[0] == 401
        assert served.request("DELETE", "/accounts/A1/balance", None, OPERATOR)[0] == 405
        long_id = "/accounts/" + "A" * 2048 + "/balance"
        assert served.request("GET", long_id, None, OPERATOR)[0] == 400


def test_given_insecure_no_auth_then_every_start_warns(settings: Settings, tmp_path: Path) -> None:
    env = env_of(settings)
    command = [sys.executable, "-m", "acme_txn.cli.main", "api", "serve", "--port", "0"]
    proc = subprocess.Popen(
        [*command, "--insecure-no-auth"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        json.loads(proc.stdout.readline())
        assert "insecure-no-auth" in proc.stderr.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    refused = subprocess.run(
        [*command], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert refused.returncode == 2 and "--jwks" in refused.stderr


def test_given_events_with_and_without_a_principal_then_events_and_txn_show_who(
    app: App,
    settings: Settings,
    account: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A command sent through the API records its sender; one from the CLI (or written before
    the field existed) has none, and reads as before."""
    from tests.cli_support import cli_runner

    credit = {"type": "credit", "txn_id": "P1", "account_id": account, "amount": "1.00"}
    assert invoke("POST", "/commands", credit)[0] == 200
    old = {"type": "credit", "txn_id": "P0", "account_id": account, "amount": "1.00"}
    assert app.ledger.submit_raw(old).status == "approved"
    cli = cli_runner(settings, monkeypatch, capsys)
    _, events = cli("events", account)
    by_txn = {e.get("txn_id"): e for e in events}
    assert by_txn["P1"]["principal"] == f"jwt:{ISSUER}#ops-1"
    assert "principal" not in by_txn["P0"]
    assert cli("txn", "P1")[1][0]["principal"] == f"jwt:{ISSUER}#ops-1"
    text = cli_runner(settings, monkeypatch, capsys, json_lines=False)
    assert f"by jwt:{ISSUER}#ops-1" in text("txn", "P1")[1]
    assert f"by jwt:{ISSUER}#ops-1" in text("events", account)[1]
