"""The Lambda artifact (acme_txn.deploy.package): reproducible, for the Lambda platform."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from acme_base.errors import InvalidInput
from acme_txn.deploy.package import build, pip_command, runtime_requirements


def test_given_the_same_code_when_built_twice_then_the_sha256_is_the_same() -> None:
    first, second = build(vendor=False), build(vendor=False)
    assert first.sha256 == second.sha256
    assert first.data == second.data


def test_given_a_built_zip_when_listed_then_entries_are_sorted_with_fixed_times() -> None:
    bundle = zipfile.ZipFile(io.BytesIO(build(vendor=False).data))
    names = bundle.namelist()
    assert names == sorted(names)
    assert {i.date_time for i in bundle.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert "acme_txn/lambda_handlers.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


@pytest.mark.parametrize(
    ("arch", "platform"), [("x86_64", "manylinux2014_x86_64"), ("arm64", "manylinux2014_aarch64")]
)
def test_given_an_arch_when_vendoring_then_pip_asks_for_that_platforms_wheels(
    arch: str, platform: str
) -> None:
    cmd = pip_command(Path("/t"), "3.13", arch)
    assert cmd[cmd.index("--platform") + 1] == platform
    assert cmd[cmd.index("--python-version") + 1] == "3.13"
    assert "--only-binary=:all:" in cmd and cmd[cmd.index("--implementation") + 1] == "cp"


def test_given_the_pins_when_vendoring_then_boto3_is_left_to_the_runtime() -> None:
    reqs = runtime_requirements()
    assert reqs and all("==" in r for r in reqs)
    assert not [r for r in reqs if r.startswith(("boto3", "botocore", "pyarrow"))]


@pytest.mark.parametrize(("arch", "python"), [("sparc", "3.12"), ("x86_64", "3.11")])
def test_given_an_unknown_target_when_building_then_it_is_refused(arch: str, python: str) -> None:
    with pytest.raises(InvalidInput):
        build(arch, python, vendor=False)


@pytest.mark.parametrize(
    "flags",
    [
        ["--stack", "x", "--stage", "BAD STAGE"],
        ["--stack", "1abc"],
        ["--stack", "ok", "--table-prefix", "a" * 61],
        [],
    ],
)
def test_given_bad_deploy_flags_when_run_then_exit_2_before_anything_is_built(
    flags: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from acme_txn.cli.main import main

    assert main(["deploy", *flags, "--endpoint-url", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert "--stack" in err or "--stage" in err or "--table-prefix" in err


def test_given_print_template_when_run_then_the_template_is_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from acme_txn.cli.main import main
    from acme_txn.deploy.template import render_text

    assert main(["deploy", "--print-template"]) == 0
    assert capsys.readouterr().out == render_text()
