"""schemathesis, a third-party OpenAPI fuzzer, against ``acme-txn api serve`` on DynamoDB
Local with an operator's token: the API answers what ``deploy/openapi.json`` says it does.

At least 100 examples per operation; the run fails on any server error, undocumented status,
response off its schema, wrong content type, or an undeclared method not answered 405.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from acme_base.settings import Settings
from acme_txn.bootstrap import App
from tests.api_serve_support import serving
from tests.auth_support import principals
from tests.customer_support import register

DOCUMENT = Path(__file__).resolve().parents[2] / "deploy" / "openapi.json"
ST = Path(__import__("sys").executable).with_name("st")
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "response_schema_conformance",
    "content_type_conformance",
    "unsupported_method",
)


@pytest.mark.slow
def test_given_schemathesis_then_no_failure_of_the_conformance_checks(
    app: App, settings: Settings, tmp_path: Path
) -> None:
    register(app.ledger, "C1")
    app.ledger.submit_raw({"type": "open_account", "account_id": "A1", "customer_id": "C1"})
    authorization = principals()["operator"]["Authorization"]
    with serving(settings, tmp_path) as served:
        run = subprocess.run(
            [
                str(ST),
                "run",
                str(DOCUMENT),
                "--url",
                served.url,
                "--header",
                f"Authorization: {authorization}",
                "--checks",
                ",".join(CHECKS),
                "--max-examples",
                "100",
                "--phases",
                "examples,fuzzing",
                "--seed",
                "20",
                "--workers",
                "2",
                "--request-timeout",
                "30",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            cwd=tmp_path,  # its cache directory stays out of the repository
            timeout=900,
            check=False,
        )
    (tmp_path / "schemathesis.txt").write_text(run.stdout + run.stderr, encoding="utf-8")
    report = run.stdout[-6000:] + run.stderr[-2000:]
    assert run.returncode == 0, report
    assert (
        "No issues found" in run.stdout
        or " 0 failures" in run.stdout.lower()
        or ("failed" not in run.stdout.lower())
    ), report
