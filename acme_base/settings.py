"""Settings are made once (from the environment and CLI flags) and passed in explicitly.

Nothing in the product reads ``os.environ`` at import time; ``Settings.from_env`` is called by
entry points only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from acme_base.errors import ConfigError

DEFAULT_PREFIX = "acme"
DEFAULT_REGION = "us-east-1"
LOCAL_ACCESS_KEY = "acmelocal"
LOCAL_SECRET_KEY = "acmelocal"
_PREFIX_RE = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def default_state_dir(env: Mapping[str, str]) -> Path:
    """Where the embedded backend keeps its jar cache and run state."""
    if env.get("ACME_STATE_DIR"):
        return Path(env["ACME_STATE_DIR"])
    base = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME", "/tmp")) / ".cache")
    return Path(base) / "acme-txn"


@dataclass(frozen=True)
class Settings:
    """Everything needed to talk to one ledger on one backend."""

    table_prefix: str = DEFAULT_PREFIX
    region: str = DEFAULT_REGION
    endpoint_url: str | None = None
    access_key: str | None = None
    secret_key: str | None = None
    session_token: str | None = None  # temporary credentials (Lambda, STS, SSO) need it
    streams_endpoint_url: str | None = None  # AWS_ENDPOINT_URL_DYNAMODBSTREAMS, if set
    state_dir: Path = Path("/tmp/acme-txn")
    max_attempts: int = 8
    connect_timeout: float = 3.0
    read_timeout: float = 20.0

    def __post_init__(self) -> None:
        if not _PREFIX_RE.match(self.table_prefix):
            raise ConfigError(
                f"invalid table prefix {self.table_prefix!r}: use 1-100 of A-Z a-z 0-9 _ . -"
            )

    @property
    def ledger_table(self) -> str:
        return f"{self.table_prefix}-ledger"

    @property
    def views_table(self) -> str:
        return f"{self.table_prefix}-views"

    @property
    def streams_table(self) -> str:
        """Checkpoints, leases and the dead-letter store of the stream consumers."""
        return f"{self.table_prefix}-streams"

    @property
    def archive_table(self) -> str:
        """Events moved out of the ledger by `acme-txn archive` (same keys, no stream)."""
        return f"{self.table_prefix}-archive"

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, env: Mapping[str, str], **overrides: object) -> Settings:
        """Build settings from standard AWS variables plus ``ACME_*`` ones; overrides win."""
        values: dict[str, object] = {
            "table_prefix": env.get("ACME_TABLE_PREFIX", DEFAULT_PREFIX),
            "region": env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or DEFAULT_REGION,
            "endpoint_url": env.get("AWS_ENDPOINT_URL_DYNAMODB") or env.get("AWS_ENDPOINT_URL"),
            "access_key": env.get("AWS_ACCESS_KEY_ID"),
            "secret_key": env.get("AWS_SECRET_ACCESS_KEY"),
            "session_token": env.get("AWS_SESSION_TOKEN"),
            "streams_endpoint_url": env.get("AWS_ENDPOINT_URL_DYNAMODBSTREAMS"),
            "state_dir": default_state_dir(env),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        if overrides.get("endpoint_url") is not None:  # --endpoint-url serves streams too
            values["streams_endpoint_url"] = overrides.get("streams_endpoint_url")
        return cls(**values)  # type: ignore[arg-type]

    def for_local(self, endpoint_url: str) -> Settings:
        """Point at an embedded DynamoDB Local, with its dummy credentials unless set."""
        return replace(
            self,
            endpoint_url=endpoint_url,
            streams_endpoint_url=None,  # DynamoDB Local serves its streams itself
            access_key=self.access_key or LOCAL_ACCESS_KEY,
            secret_key=self.secret_key or LOCAL_SECRET_KEY,
        )
