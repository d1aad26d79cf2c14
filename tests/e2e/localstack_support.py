"""The Docker-less LocalStack for the end-to-end tests: found or started, and helpers to
deploy the stack, call its API and wait for the projection."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.auth_support import AUDIENCE, ISSUER, jwks, principals

ROOT = Path(__file__).resolve().parents[2]
ENDPOINT = "http://127.0.0.1:4566"
#: the CLI of the environment running the tests (a checkout's .venv, or any other)
ACME = str(Path(sys.executable).with_name("acme-txn"))


def answering(endpoint: str = ENDPOINT) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/_localstack/health", timeout=2) as r:
            services = json.load(r).get("services", {})
    except (OSError, ValueError):
        return False
    return "cloudformation" in services


def python313() -> str | None:
    """A Python >= 3.13 as start.sh would find it (LocalStack's venv needs one)."""
    found = [os.environ.get("ACME_PYTHON313", ""), shutil.which("python3.13") or ""]
    found += [shutil.which("python3.14") or ""]
    found += sorted(glob.glob(str(Path.home() / ".pyenv/versions/3.1[34]*/bin/python3")))
    return next((p for p in found if p and Path(p).exists()), None)


def start() -> bool:
    """Start it (first time: its venv, ~2.5 min); True if this call started it."""
    if answering():
        return False
    done = subprocess.run(
        [str(ROOT / "localstack/host/start.sh")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, f"localstack/host/start.sh failed:\n{done.stderr[-3000:]}"
    assert answering(), (
        f"a LocalStack on {ENDPOINT} runs without CloudFormation: restart it with "
        "localstack/host/stop.sh && localstack/host/start.sh (its default services now include it)"
    )
    return True


def stop() -> None:
    subprocess.run([str(ROOT / "localstack/host/stop.sh")], capture_output=True, check=False)


def acme(*args: str, stdin: str | None = None) -> Any:
    """``acme-txn ARGS --json`` against LocalStack; the last JSON line it printed."""
    done = subprocess.run(
        [ACME, *args, "--json", "--endpoint-url", ENDPOINT],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"},
    )
    assert done.returncode == 0, f"acme-txn {' '.join(args)}: {done.stderr[-3000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def auth_flags() -> list[str]:
    """``acme-txn deploy`` flags: the test key pair's issuer, audience and JWKS."""
    keys = Path(tempfile.mkdtemp(prefix="acme-jwks-")) / "jwks.json"
    keys.write_text(json.dumps(jwks()), encoding="utf-8")
    return ["--jwt-issuer", ISSUER, "--jwt-audience", AUDIENCE, "--jwks", str(keys)]


def api(
    base_url: str,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """One request to the API's function URL: host-routed, sent to 127.0.0.1; as the test
    operator unless ``headers`` are given (``{}``: anonymous)."""
    if headers is None:
        headers = principals()["operator"]
    host = base_url.split("://", 1)[1]
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        f"{ENDPOINT}{path}",
        data=data,
        method=method,
        headers={"Host": host, "Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def wait_for(probe: Any, timeout: float = 60.0) -> Any:
    """Poll ``probe()`` until it returns something truthy; that value (or the last)."""
    deadline = time.monotonic() + timeout
    value = probe()
    while not value and time.monotonic() < deadline:
        time.sleep(0.25)
        value = probe()
    return value
