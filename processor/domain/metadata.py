"""Tracing fields every ledger command may carry and its events keep (issue 11 item 6).

``correlation_id`` ties together the commands of one business flow (a checkout, a payroll
run), ``causation_id`` names the command or message that caused this one, and ``metadata``
is a small map of the caller's own strings (an order number, a channel). All three are
optional, bounded and validated like every other field; they are copied onto every event the
command writes (``stamp``) and shown by ``events`` and ``txn``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, StringConstraints

from processor.domain.parsing import text_problem

__all__ = [
    "MAX_KEY_CHARS",
    "MAX_METADATA_BYTES",
    "MAX_METADATA_ENTRIES",
    "MAX_VALUE_CHARS",
    "TRACE_FIELDS",
    "Metadata",
    "PrincipalId",
    "TraceId",
    "trace_of",
]

MAX_METADATA_ENTRIES = 16
MAX_KEY_CHARS = 64
MAX_VALUE_CHARS = 256
MAX_METADATA_BYTES = 2048  # keys + values, UTF-8: a bounded share of the 400 KB item
#: the command fields ``stamp`` copies onto events (left out of old fingerprints while unset)
TRACE_FIELDS = ("correlation_id", "causation_id", "metadata", "principal")
#: who sent the command (set by the HTTP API from the caller's credentials, never by the
#: caller): ``jwt:<issuer>#<subject>`` or ``iam:<role>``, printable ASCII, bounded
PrincipalId = Annotated[str, StringConstraints(pattern=r"^[!-~]{1,200}$")]

TraceId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/#-]{0,127}$")]
_KEY_PATTERN = r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$"


def _check_metadata(value: dict[str, str]) -> dict[str, str]:
    if len(value) > MAX_METADATA_ENTRIES:
        raise ValueError(f"metadata has {len(value)} entries, at most {MAX_METADATA_ENTRIES}")
    size = 0
    for key, text in value.items():
        if not re.fullmatch(_KEY_PATTERN, key):
            raise ValueError(
                f"metadata key {key[:70]!r} must be 1-{MAX_KEY_CHARS} letters, digits, "
                "'_', '.' or '-', starting with a letter"
            )
        if len(text) > MAX_VALUE_CHARS:
            raise ValueError(f"metadata value of {key!r} is over {MAX_VALUE_CHARS} characters")
        problem = text_problem(text)
        if problem is not None:
            raise ValueError(f"metadata value of {key!r}: {problem}")
        size += len(key.encode()) + len(text.encode())
    if size > MAX_METADATA_BYTES:
        raise ValueError(f"metadata is {size} bytes, over the {MAX_METADATA_BYTES} limit")
    return value


#: string keys to string values, strictly (a number or null as a value is refused)
Metadata = Annotated[
    dict[str, Annotated[str, StringConstraints(strict=True)]], AfterValidator(_check_metadata)
]


class Traced(BaseModel):
    """The mixin of every ledger command (``processor.domain.commands``)."""

    correlation_id: TraceId | None = None
    causation_id: TraceId | None = None
    metadata: Metadata | None = None
    principal: PrincipalId | None = None


def trace_of(command: Any) -> dict[str, Any]:
    """The tracing fields a command sets (none: an empty dict, so events stay as they were)."""
    found = {name: getattr(command, name, None) for name in TRACE_FIELDS}
    return {name: value for name, value in found.items() if value}
