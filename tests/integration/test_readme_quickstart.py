"""The README's five-minute tour, run exactly as printed: every line of its ``bash`` blocks, in
order, through bash, with `acme-txn` on the PATH and a private state directory (so `acme-txn
local start` starts a DynamoDB Local of this test's own on a free port, and `local stop` stops
it). A line's ``# -> text`` comment is part of what it must print; every line must exit 0.

Also: the front page stays a front door (at most about 200 lines, every command in its
summary), and no user-facing text names issue numbers or the seeds' numbers.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from acme_txn.backend.install import VERSION_DIR
from acme_txn.cli.main import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
TOUR = "## Five-minute tour"
HISTORY = re.compile(r"\b(issue|seed) ?#?\d|\bseed 00\d|#\d+\b \(", re.IGNORECASE)


@dataclass(frozen=True)
class Line:
    role: str
    command: str
    expect: str | None


def tour_lines(text: str) -> list[Line]:
    """The commands of the tour section's ``bash`` blocks, each with its role (the ``###``
    heading above it) and its ``# -> expected`` text."""
    section = text.split(TOUR, 1)[1].split("\n## ", 1)[0]
    lines: list[Line] = []
    role = "set-up"
    in_block = False
    for raw in section.splitlines():
        if raw.startswith("### "):
            role = raw[4:].strip()
        elif raw.strip() == "```bash":
            in_block = True
        elif raw.strip() == "```":
            in_block = False
        elif in_block and raw.strip() and not raw.lstrip().startswith("#"):
            command, _, expect = raw.partition("# -> ")
            lines.append(Line(role, command.strip(), expect.strip() or None))
    return lines


@pytest.fixture
def shell(tmp_path: Path, state_dir: Path) -> dict[str, str]:
    """A working directory like a checkout's (``docs/`` is there), `acme-txn` on the PATH,
    a state directory of its own holding the cached DynamoDB Local."""
    work, bin_dir, state = tmp_path / "work", tmp_path / "bin", tmp_path / "state"
    for folder in (work, bin_dir, state):
        folder.mkdir()
    (work / "docs").symlink_to(ROOT / "docs")
    (state / VERSION_DIR).symlink_to(state_dir / VERSION_DIR)
    shim = bin_dir / "acme-txn"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m acme_txn.cli.main "$@"\n')
    shim.chmod(0o755)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "ACME_")) and k != "HYPOTHESIS_PROFILE"
    }
    env |= {
        "PATH": f"{bin_dir}:{env.get('PATH', '/usr/bin:/bin')}",
        "PYTHONPATH": str(ROOT),
        "ACME_STATE_DIR": str(state),
        "CWD": str(work),
    }
    return env


@pytest.mark.slow  # about 30 CLI processes and a DynamoDB Local of its own
def test_every_line_of_the_tour_runs_as_printed(shell: dict[str, str]) -> None:
    lines = tour_lines(README.read_text())
    roles = {line.role for line in lines}
    assert {"Developer at the bank", "Fraud analyst", "Reconciliation analyst"} <= roles
    assert {"Loyalty and budget apps", "Operator deploying it"} <= roles
    try:
        for line in lines:
            done = subprocess.run(
                ["bash", "-c", line.command],
                check=False,
                cwd=shell["CWD"],
                env=shell,
                capture_output=True,
                text=True,
                timeout=300,
            )
            where = f"[{line.role}] {line.command}\nstdout: {done.stdout}\nstderr: {done.stderr}"
            assert done.returncode == 0, where
            assert line.expect is None or line.expect in done.stdout, where
    finally:
        subprocess.run(
            ["bash", "-c", "acme-txn local stop"],
            env=shell,
            capture_output=True,
            timeout=60,
            check=False,
        )


def test_the_front_page_is_a_front_door() -> None:
    text = README.read_text()
    assert len(text.splitlines()) <= 200
    summary = text.split("## The commands", 1)[1].split("\n## ", 1)[0]
    missing = [name for name in COMMANDS if f"`{name}" not in summary]
    assert missing == []


def test_no_user_facing_text_names_issues_or_seed_numbers() -> None:
    from acme_txn.cli.main import build_parser, leaf_parsers

    pages = [README, *sorted((ROOT / "docs").glob("*.md"))]
    found = [
        f"{page.name}: {m.group(0)}" for page in pages for m in HISTORY.finditer(page.read_text())
    ]
    helps = [leaf.format_help() for leaf in leaf_parsers(build_parser(full=True))]
    found += [m.group(0) for text in helps for m in HISTORY.finditer(text)]
    assert found == []


def test_submit_help_shows_the_command_formats_or_the_reference() -> None:
    from acme_txn.cli.main import build_parser, leaf_parsers

    (submit,) = [p for p in leaf_parsers(build_parser(full=True)) if p.prog == "acme-txn submit"]
    text = submit.format_help()
    assert "docs/commands.md" in text and '{"type":"credit"' in text
