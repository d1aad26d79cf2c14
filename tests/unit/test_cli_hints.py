"""Every command a message tells the user to run exists: for each `acme-txn ...` in the
product's messages (string literals that are not docstrings; synopses with placeholders or
alternatives left out), its command words are commands and every ``--flag`` is an option of
the command named (the stale-read hint parses whole)."""

from __future__ import annotations

import ast
import re
import shlex
from argparse import ArgumentParser, _SubParsersAction
from pathlib import Path

import pytest

from acme_txn import freshness
from acme_txn.cli.main import build_parser

ROOT = Path(__file__).resolve().parents[2]
COMMAND = re.compile(r"`acme-txn ([^`]+)`")


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def hinted_commands() -> list[tuple[str, str]]:
    """(file, command) for each `acme-txn ...` in a non-docstring string of the product."""
    found = []
    for path in sorted((ROOT / "acme_txn").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if id(node) in skip:
                    continue
                for command in COMMAND.findall(node.value):
                    if "|" in command or re.search(r"\b[A-Z]{2,}\b", command):
                        continue  # a synopsis with alternatives or placeholders
                    found.append((path.name, command))
    return found


def test_the_stale_read_hint_names_a_flag_that_exists() -> None:
    commands = COMMAND.findall(freshness.HINT)
    assert commands
    for command in commands:
        build_parser().parse_args(shlex.split(command))


def check(command: str) -> None:
    """The command words name a (sub)command, and every ``--flag`` is one of its options."""
    parser: ArgumentParser = build_parser()
    words = shlex.split(command)
    while words:
        subs = [a for a in parser._actions if isinstance(a, _SubParsersAction)]
        if not subs or words[0].startswith("-"):
            break
        choices = subs[0].choices
        assert words[0] in choices, f"`acme-txn {command}`: no command {words[0]!r}"
        parser = choices[words.pop(0)]
    options = {o for a in parser._actions for o in a.option_strings}
    for word in words:
        flag = word.split("=")[0]
        assert not flag.startswith("--") or flag in options, f"`acme-txn {command}`: no {flag}"


@pytest.mark.parametrize(("where", "command"), hinted_commands())
def test_every_hinted_command_exists(where: str, command: str) -> None:
    check(command)
