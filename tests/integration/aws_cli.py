"""Run an `aws dynamodb ...` command line (as printed in the seed or our docs) through boto3.

Only what the seed's and the docs' commands use: query, scan and delete-table with their
options. The table name is mapped to a test's table; ``--endpoint-url`` is the test's client.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from typing import Any

OPERATIONS = {"query": "query", "scan": "scan", "delete-table": "delete_table"}
JSON_OPTIONS = {"--expression-attribute-values", "--expression-attribute-names"}
INT_OPTIONS = {"--limit"}
FLAGS = {"--no-scan-index-forward": ("ScanIndexForward", False)}


def _param(option: str) -> str:
    return "".join(part.capitalize() for part in option.removeprefix("--").split("-"))


def parse(command: str, tables: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    """(boto3 method name, its keyword arguments) of one command line."""
    words = shlex.split(command.replace("\\\n", " "))
    if words[:2] != ["aws", "dynamodb"] or words[2] not in OPERATIONS:
        raise ValueError(f"not a supported aws dynamodb command: {command[:60]!r}")
    kwargs: dict[str, Any] = {}
    rest = words[3:]
    while rest:
        option = rest.pop(0)
        if option in FLAGS:
            name, value = FLAGS[option]
            kwargs[name] = value
            continue
        value = rest.pop(0)
        if option == "--endpoint-url":
            continue
        if option in JSON_OPTIONS:
            kwargs[_param(option)] = json.loads(value)
        elif option in INT_OPTIONS:
            kwargs[_param(option)] = int(value)
        elif option == "--table-name":
            kwargs["TableName"] = tables.get(value, value)
        else:
            kwargs[_param(option)] = value
    return OPERATIONS[words[2]], kwargs


def run(client: Any, command: str, tables: Mapping[str, str]) -> Any:
    method, kwargs = parse(command, tables)
    return getattr(client, method)(**kwargs)


def blocks(markdown: str) -> dict[str, str]:
    """The ```bash blocks of a document whose first line is ``# seed: NAME`` or
    ``# ours: NAME``, by ``"seed NAME"`` / ``"ours NAME"``."""
    found = {}
    for body in re.findall(r"```bash\n(.*?)```", markdown, flags=re.DOTALL):
        first, _, rest = body.partition("\n")
        match = re.fullmatch(r"# (seed|ours): (\S+)", first.strip())
        if match:
            found[f"{match[1]} {match[2]}"] = rest.strip()
    return found
