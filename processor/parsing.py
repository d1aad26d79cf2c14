"""JSON lines in, pydantic models out: the decoding and the error wording every command parser
of ``submit`` shares (ledger, customers, offers), so bad input reads the same everywhere."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from pydantic import ValidationError

from acme_base.errors import InvalidInput


def refuse_float(text: str) -> Any:
    """``json.loads``' float hook: money and counts are never floats."""
    raise InvalidInput(f"number {text} must be a quoted decimal string, not a float")


def decode_line(raw: str | bytes, max_bytes: int) -> Any:
    """One JSON line, bounded in size, floats refused; else ``InvalidInput`` saying why."""
    if len(raw) > max_bytes:
        raise InvalidInput(f"command is {len(raw)} bytes, over the {max_bytes} limit")
    try:
        return json.loads(raw, parse_float=refuse_float)
    except InvalidInput:
        raise
    except ValueError as exc:
        raise InvalidInput(f"malformed JSON: {exc}") from exc


def explain(exc: ValidationError, kinds: Collection[str]) -> str:
    """pydantic's errors as ``field: message; ...`` (the discriminator's ``kinds`` left out
    of the field paths, our own ``InvalidInput`` messages kept as written)."""
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"] if p not in kinds)
        message = str(err["msg"]).removeprefix("Value error, ")
        if isinstance(err.get("ctx", {}).get("error"), InvalidInput):
            message = str(err["ctx"]["error"])
        parts.append(f"{where or 'command'}: {message}")
    return "; ".join(parts)
