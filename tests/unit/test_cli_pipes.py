"""Pipes, progress, one export file, one verb for the consumers, and a CLI that imports only
what a command needs."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from acme_txn.cli import apps_cmd, fraud_cmd, project_cmd
from acme_txn.cli.main import build_parser
from tests.unit.cli_memory import Run, memory_cli

ROOT = Path(__file__).resolve().parents[2]
#: `acme-txn events A1` on a memory app holding 3,000 events, its stdout on a pipe
EVENTS_SCRIPT = """
import sys
from acme_base.settings import Settings
from acme_txn.bootstrap import bootstrap
from acme_txn.cli import context
from acme_txn.cli.main import main
app = bootstrap(Settings(table_prefix="memory"), memory=True)
context.Context.app = property(lambda _self: app)
app.ledger.submit_raw({"type": "register_customer", "customer_id": "C1", "name": "Ada Li",
                       "phone": "+12125550123", "state": "NY", "special_status": []})
app.ledger.submit_raw({"type": "open_account", "account_id": "A1", "customer_id": "C1",
                       "currency": "USD"})
for i in range(3000):
    app.ledger.submit_raw({"type": "credit", "txn_id": f"T{i}", "account_id": "A1",
                           "amount": "1.00"})
sys.exit(main(sys.argv[1:]))
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "ACME_STATE_DIR": "/nonexistent-acme"}


def test_a_closed_pipe_ends_quietly() -> None:
    """GIVEN `acme-txn events A1 | head -1` WHEN head has read its line and gone THEN the
    command exits without a BrokenPipeError traceback."""
    writer = subprocess.Popen(
        [sys.executable, "-c", EVENTS_SCRIPT, "events", "A1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
    )
    assert writer.stdout is not None and writer.stderr is not None
    first = writer.stdout.readline()
    writer.stdout.close()  # what `head -1` does after its line
    stderr = writer.stderr.read().decode()
    writer.wait(timeout=120)
    assert b"open#A1" in first
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr
    assert writer.returncode == 141


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_only_on_a_terminal() -> None:
    from acme_txn.cli.progress import progress

    piped, terminal = io.StringIO(), Terminal()
    for stream in (piped, terminal):
        with progress("seed", lambda: "5 commands", stream=stream, every=0.01):
            import time

            time.sleep(0.1)
    assert piped.getvalue() == ""
    assert "seed: 5 commands" in terminal.getvalue()


def test_fraud_seed_prints_no_progress_into_a_pipe(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli: Run = memory_cli(monkeypatch, capsys)
    result = cli("fraud", "seed", "--normal", "8", "--planted", "1")
    assert result.code == 0 and "commands" in result.out
    assert result.err == ""


def test_export_joins_its_parts_into_one_file(tmp_path: Path) -> None:
    """GIVEN an export's CSV and JSON-lines parts WHEN combined (--single-file) THEN one file
    per dataset holds every row once, with one header."""
    from acme_txn.exporting import Exporter

    for fmt, parts in {
        "csv": ["a,b\n1,2\n3,4\n", "a,b\n5,6\n"],
        "jsonl": ['{"a": 1}\n', '{"a": 2}\n{"a": 3}\n'],
    }.items():
        out = tmp_path / fmt
        (out / "events").mkdir(parents=True)
        for i, text in enumerate(parts):
            (out / "events" / f"part-00000-{i:05d}.{fmt}").write_text(text)
        written = Exporter(None, out, "2026-01-01", "2026-01-02", fmt).combine(["events"])
        body = Path(written["events"]).read_text()
        if fmt == "csv":
            assert body == "a,b\n1,2\n3,4\n5,6\n"
        else:
            assert [json.loads(x)["a"] for x in body.splitlines()] == [1, 2, 3]
    args = build_parser(full=True).parse_args(
        ["export", "events", "--from", "2026-01-01", "--to", "2026-01-02", "--out", "x",
         "--format", "csv", "--single-file"]
    )  # fmt: skip
    assert args.single_file is True


@pytest.mark.parametrize(
    ("argv", "old", "func"),
    [
        (["consume", "projections"], ["project"], project_cmd.cmd_project),
        (["consume", "fraud"], ["fraud", "run"], fraud_cmd.cmd_run),
        (["consume", "apps"], ["apps", "run"], apps_cmd.cmd_run),
    ],
)
def test_one_verb_for_the_consumers_and_the_old_names_still_work(
    argv: list[str], old: list[str], func: object
) -> None:
    parser = build_parser(full=True)  # (the full parser: every command module)
    new = parser.parse_args([*argv, "--until-idle", "--max-seconds", "5"])
    before = parser.parse_args([*old, "--until-idle", "--max-seconds", "5"])
    assert new.func is func and before.func is func
    assert (new.until_idle, new.max_seconds) == (before.until_idle, before.max_seconds)


HEAVY = ("boto3", "botocore", "acme_txn.bootstrap", "pydantic", "processor")


@pytest.mark.parametrize("argv", [["--help"], ["balanse"], ["budget", "sett"], ["local", "status"]])
def test_help_usage_errors_and_local_status_import_no_backend(argv: list[str]) -> None:
    """GIVEN a fresh interpreter WHEN the CLI prints help, a usage error or the local status
    THEN neither boto3/botocore nor the composition root nor the ledger was imported."""
    probe = (
        "import sys\nfrom acme_txn.cli.main import main\n"
        f"try:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
        f"heavy = sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r} "
        f"or m in {HEAVY!r})\nprint('HEAVY', heavy, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
        check=False,
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("HEAVY"))
    assert line == "HEAVY []", line
