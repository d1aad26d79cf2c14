"""``acme-txn api serve`` as a subprocess on DynamoDB Local, checking the test key pair's
tokens, and a small HTTP client for it. Its stderr (the structured log) is kept in a file
the tests may scan."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from acme_base.settings import Settings
from tests.auth_support import AUDIENCE, ISSUER, jwks


def env_of(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "AWS_ENDPOINT_URL": settings.endpoint_url or "",
        "AWS_ACCESS_KEY_ID": settings.access_key or "",
        "AWS_SECRET_ACCESS_KEY": settings.secret_key or "",
        "AWS_REGION": settings.region,
        "ACME_TABLE_PREFIX": settings.table_prefix,
    }


@dataclass(frozen=True)
class Served:
    url: str
    log: Path

    @property
    def port(self) -> int:
        return int(urlsplit(self.url).port or 0)

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        """One request on a connection of its own: (status, decoded JSON body or None)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            data = body if body is None or isinstance(body, str | bytes) else json.dumps(body)
            sent = {"Content-Type": "application/json", **(headers or {})}
            connection.request(method, path, body=data, headers=sent)
            response = connection.getresponse()
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
        finally:
            connection.close()


@contextlib.contextmanager
def serving(settings: Settings, workdir: Path, *extra: str) -> Iterator[Served]:
    """``api serve --port 0 --jwks FILE --issuer ISS --audience AUD`` until the block ends."""
    keys = workdir / "jwks.json"
    keys.write_text(json.dumps(jwks()), encoding="utf-8")
    log = workdir / "api-serve.log"
    args = ["--jwks", str(keys), "--issuer", ISSUER, "--audience", AUDIENCE]
    command = [sys.executable, "-m", "acme_txn.cli.main", "api", "serve", "--port", "0"]
    with log.open("w", encoding="utf-8") as sink:
        proc = subprocess.Popen(
            [*command, *args, *extra],
            env=env_of(settings),
            stdout=subprocess.PIPE,
            stderr=sink,
            text=True,
        )
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line, log.read_text(encoding="utf-8")[-2000:]
            yield Served(json.loads(line)["url"], log)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
