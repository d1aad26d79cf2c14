"""No command silently uses real AWS: without an endpoint, a profile, ``--aws`` or the Lambda
environment, and with no local server running, a command says how to start the local
backend and exits 1, having made no client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from acme_txn.cli import context as context_mod
from acme_txn.cli.main import main
from acme_txn.wiring import stores as stores_mod  # where the App makes its clients

AWS_VARS = (
    "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
    "AWS_LAMBDA_FUNCTION_NAME", "AWS_EXECUTION_ENV",
)  # fmt: skip


@pytest.fixture
def no_backend(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """Credentials in the environment (as a developer often has), no local server, and a
    client factory that records what would have been called."""
    for name in AWS_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("ACME_STATE_DIR", str(tmp_path))  # no `local start` server there
    made: list[str] = []

    def client(settings: Any, session: Any = None) -> Any:
        made.append(str(settings.endpoint_url))
        raise AssertionError(f"a client for {settings.endpoint_url or 'AWS'} was made")

    monkeypatch.setattr(stores_mod, "dynamodb_client", client)
    monkeypatch.setattr(stores_mod, "make_session", lambda settings: None)
    return made


def test_given_no_backend_when_a_command_runs_then_it_names_local_start_and_exits_1(
    no_backend: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["balance", "A1"])
    err = capsys.readouterr().err
    assert code == 1 and no_backend == []
    assert "acme-txn local start" in err and "--aws" in err


@pytest.mark.parametrize(
    ("argv", "env"),
    [
        (["--aws", "balance", "A1"], {}),
        (["balance", "A1"], {"AWS_PROFILE": "bank"}),
        (["balance", "A1"], {"AWS_LAMBDA_FUNCTION_NAME": "acme-projector"}),
    ],
)
def test_given_an_explicit_aws_choice_when_a_command_runs_then_aws_is_used(
    no_backend: list[str], monkeypatch: pytest.MonkeyPatch, argv: list[str], env: dict[str, str]
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(AssertionError, match="a client for AWS was made"):
        main(argv)
    assert no_backend == ["None"]


def test_given_the_choice_then_the_backend_kind_is_named() -> None:
    assert context_mod.explicit_aws({"AWS_PROFILE": "p"}) and not context_mod.explicit_aws({})
