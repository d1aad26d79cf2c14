"""The package layering of README.md, as a test.

    acme_txn  >  projections | streams  >  processor  >  acme_base

A lower package never imports a higher one, and the two middle siblings never import each
other. Two checks: import-linter's contracts in pyproject.toml (``[tool.importlinter]``, also
the pure modules' ban on boto3/botocore/powertools), and a small walk over every ``import``
statement (functions and ``TYPE_CHECKING`` blocks included) that names the offending
file:line plainly.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RANK = {"acme_base": 0, "processor": 1, "projections": 2, "streams": 2, "apps": 2, "acme_txn": 3}
CHECKED = ("acme_base", "processor", "projections", "streams", "apps")  # acme_txn is the top: free


# --- import-linter ----------------------------------------------------------------------------


def lint_imports(*config: str) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` of this venv on ``config`` (default: pyproject.toml), no cache."""
    exe = Path(sys.executable).with_name("lint-imports")
    if not exe.is_file():
        pytest.fail(f"{exe} is missing: install the dev extra (pip install -e '.[dev]')")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [str(exe), "--no-cache", "--no-logo", *config],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_given_the_contracts_in_pyproject_when_linted_then_every_one_is_kept() -> None:
    # GIVEN the layers and purity contracts WHEN import-linter checks the whole tree
    proc = lint_imports()
    # THEN none is broken (the output names each broken import chain)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


def test_given_an_upside_down_contract_when_linted_then_it_is_reported_broken(
    tmp_path: Path,
) -> None:
    # GIVEN a contract claiming the base sits above the app (false: acme_txn imports acme_base)
    config = tmp_path / "upside_down.toml"
    config.write_text(
        '[tool.importlinter]\nroot_packages = ["acme_base", "acme_txn"]\n\n'
        '[[tool.importlinter.contracts]]\nname = "upside down"\ntype = "layers"\n'
        'layers = ["acme_base", "acme_txn"]\n'
    )
    # WHEN linted THEN import-linter sees the real imports and fails
    proc = lint_imports(str(config))
    assert proc.returncode != 0
    assert "upside down BROKEN" in proc.stdout


# --- the ast walk -----------------------------------------------------------------------------


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, root: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, wherever it stands."""
    tree = ast.parse(path.read_text(), str(path))
    package = module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            yield node.lineno, ".".join([*base, *([node.module] if node.module else [])])


def violations(root: Path, packages: tuple[str, ...] = CHECKED) -> list[str]:
    """``file:line: a imports b`` for every import that runs up, or across, the layers."""
    found = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            for line, imported in imports_of(path, root):
                top = imported.split(".")[0]
                if top not in RANK or top == package:
                    continue
                if RANK[top] >= RANK[package]:
                    where = path.relative_to(root)
                    found.append(f"{where}:{line}: {package} imports {imported}")
    return found


def test_given_the_packages_when_every_import_is_walked_then_none_runs_up_or_sideways() -> None:
    # GIVEN every module of the four lower packages WHEN their imports are read
    found = violations(ROOT)
    # THEN each imports only packages below it
    assert found == [], "imports against the layering:\n" + "\n".join(found)


def test_given_lazy_upward_imports_when_walked_then_each_is_named_with_file_and_line(
    tmp_path: Path,
) -> None:
    # GIVEN a lower package importing a higher one inside a function and under TYPE_CHECKING,
    # next to imports of its own package (absolute and relative) and of the base
    (tmp_path / "streams").mkdir()
    (tmp_path / "streams" / "__init__.py").write_text("")
    (tmp_path / "streams" / "sink.py").write_text(
        "from streams import keys\nfrom . import batches\nimport acme_base.keys\n\n\n"
        "def make():\n    from projections.projector import P\n"
    )
    (tmp_path / "processor").mkdir()
    (tmp_path / "processor" / "__init__.py").write_text(
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    import streams.worker\n"
    )
    # WHEN walked THEN exactly the two upward imports are reported, where they stand
    assert violations(tmp_path, ("streams", "processor")) == [
        "streams/sink.py:7: streams imports projections.projector",
        "processor/__init__.py:4: processor imports streams.worker",
    ]
