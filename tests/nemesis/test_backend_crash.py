"""The backend dies mid-submit: DynamoDB Local on a data dir (``-dbPath``) is SIGKILLed while
a client submits; it is restarted on the same data, and the client resends its whole input:
every command is in the log exactly once, and money adds up per currency.

DynamoDB Local (unlike DynamoDB) can lose the last write it acknowledged before a SIGKILL;
the resend then decides that command again, the same way, and it is still in the log once."""

from __future__ import annotations

import os
import random
import signal
import threading
import uuid
from pathlib import Path

import pytest

from acme_base.errors import AcmeError
from acme_base.settings import Settings
from acme_txn.backend import dynamodb_local
from acme_txn.bootstrap import App, bootstrap
from tests.nemesis.workload import Tally, money_commands, open_accounts, violations

pytestmark = pytest.mark.nemesis


def app_on(endpoint: str, key: str, state_dir: Path) -> App:
    settings = Settings(endpoint_url=endpoint, access_key=key, secret_key=key,
                        state_dir=state_dir, table_prefix="crash")  # fmt: skip
    return bootstrap(settings)


def test_given_the_backend_killed_mid_submit_when_all_is_resent_then_each_command_once(
    state_dir: Path, tmp_path: Path
) -> None:
    data = tmp_path / "db"
    data.mkdir()
    key = f"k{uuid.uuid4().hex[:10]}"
    # 60 money commands (about 70 with resends): the kill lands after a third of them; each
    # submit writes to DynamoDB Local's on-disk store, the slow part of this test
    commands = [raw for raw, conflicting in money_commands(random.Random(7), "bc", 60)
                if not conflicting]  # fmt: skip
    server = dynamodb_local.start(state_dir, data_dir=data)
    try:
        app = app_on(server.endpoint, key, state_dir)
        app.ensure_tables()
        open_accounts(app)
        sent = threading.Event()
        answered: list[str] = []

        def client() -> None:
            for raw in commands:
                try:
                    status = app.ledger.submit_raw(raw).status
                except AcmeError:
                    return  # the backend is gone
                if status == "failed":
                    return  # the backend is gone (its answer: nothing decided)
                answered.append(status)
                if len(answered) == len(commands) // 3:
                    sent.set()
            sent.set()

        thread = threading.Thread(target=client)
        thread.start()
        assert sent.wait(300), "the client never got a third through"
        os.kill(server.pid, signal.SIGKILL)  # mid-submit
        os.waitpid(server.pid, 0)
        thread.join(300)
        assert len(answered) < len(commands), "the kill came after the last command"
        assert len(answered) >= len(commands) // 3
    finally:
        dynamodb_local.stop(server)
    server = dynamodb_local.start(state_dir, data_dir=data)
    try:
        app = app_on(server.endpoint, key, state_dir)
        again = [app.ledger.submit_raw(raw).status for raw in commands]  # the whole input
        assert set(again) <= {"approved", "declined", "duplicate"}
        # decided before the kill: a duplicate now, or (DynamoDB Local may lose its last
        # acknowledged writes to a SIGKILL) decided again the same way, once
        for before, now in zip(answered, again, strict=False):
            assert now in ("duplicate", before), (before, now)
        assert violations(app, Tally()) == []  # each command once; money adds up
    finally:
        dynamodb_local.stop(server)
