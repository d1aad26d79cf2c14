"""The pure rules of ``POST /commands``: body and header in, command dicts out; outcomes in,
an HTTP status out. No I/O, no Powertools: unit-tested on their own.

The body is decoded once, here, by the ledger's canonical decoder (``decode_json``); each
command dict then goes to ``Ledger.submit_raw``, the parser ``acme-txn submit`` uses, so the
API accepts exactly what ``submit`` accepts and words its errors the same way.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from acme_base.errors import InvalidInput
from processor.domain.command_base import Id
from processor.domain.commands import MAX_LINE_BYTES
from processor.domain.outcomes import Outcome
from processor.domain.parsing import decode_json

#: at most this many commands in one ``{"commands": [...]}`` body
MAX_BATCH = 100
#: a body larger than this is refused (413) before it is decoded
MAX_BODY_BYTES = MAX_BATCH * MAX_LINE_BYTES
IDEMPOTENCY_HEADER = "idempotency-key"
MAX_KEY_CHARS = 64
#: what a 5xx answer says (the detail goes to the log, under the request id)
INTERNAL = "internal error"
UNAVAILABLE = "backend unavailable, safe to retry"
_ID: TypeAdapter[str] = TypeAdapter(Id)


class TooLarge(InvalidInput):
    """The body is over ``MAX_BODY_BYTES`` or the batch over ``MAX_BATCH`` (HTTP 413)."""


class UnsupportedMediaType(InvalidInput):
    """The body is declared as something other than JSON (HTTP 415)."""


@dataclass(frozen=True)
class Submission:
    """What a ``POST /commands`` body asked for: the commands, and whether it was a batch
    (a batch is answered with a list, a single command with one object)."""

    commands: list[dict[str, Any]]
    batch: bool


def check_content_type(headers: Mapping[str, str]) -> None:
    """JSON only; a missing content type is taken as JSON (curl's ``-d`` aside)."""
    value = _header(headers, "content-type")
    if value is None:
        return
    media = value.split(";", 1)[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise UnsupportedMediaType(f"content type {media!r} is not application/json")


def parse_submission(body: str | bytes | None, headers: Mapping[str, str]) -> Submission:
    """The body's commands, the ``Idempotency-Key`` header applied; ``InvalidInput`` (or a
    subclass naming the status) for anything the ledger would not be asked about."""
    check_content_type(headers)
    data = _decode(body)
    key = idempotency_key(headers)
    if isinstance(data, dict) and set(data) == {"commands"}:
        items = data["commands"]
        if not isinstance(items, list) or not items:
            raise InvalidInput('"commands" must be a non-empty list of command objects')
        if len(items) > MAX_BATCH:
            raise TooLarge(f"batch of {len(items)} commands, over the {MAX_BATCH} limit")
        if key is not None:
            raise InvalidInput(
                "Idempotency-Key applies to a single command; give each batch item a txn_id"
            )
        return Submission([_object(item, i) for i, item in enumerate(items)], batch=True)
    if len(body or b"") > MAX_LINE_BYTES:  # what `submit` allows one line
        raise TooLarge(f"command of {len(body or b'')} bytes, over the {MAX_LINE_BYTES} limit")
    command = _object(data, None)
    return Submission([with_key(command, key)], batch=False)


def body_of(body: str | None, base64_encoded: bool) -> str | bytes | None:
    """The raw body of an API Gateway v2 / function URL event. A base64 body stays bytes:
    ``json.loads`` then detects its encoding, and undecodable bytes are malformed JSON
    (a 400), not a crash."""
    if body is None or not base64_encoded:
        return body
    try:
        return base64.b64decode(body, validate=True)
    except binascii.Error as exc:
        raise InvalidInput(f"body is not valid base64: {exc}") from exc


def idempotency_key(headers: Mapping[str, str]) -> str | None:
    key = _header(headers, IDEMPOTENCY_HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_CHARS:
        raise InvalidInput(f"Idempotency-Key must be 1..{MAX_KEY_CHARS} characters")
    return key


def with_key(command: dict[str, Any], key: str | None) -> dict[str, Any]:
    """The header becomes ``txn_id`` when the body has none; both present must agree."""
    if key is None:
        return command
    if "txn_id" not in command:
        return {**command, "txn_id": key}
    if command["txn_id"] != key:
        raise InvalidInput(
            f"Idempotency-Key {key!r} disagrees with the body's txn_id {command['txn_id']!r}"
        )
    return command


def status_of(outcomes: Sequence[Outcome], batch: bool) -> int:
    """503 if the backend failed any command (resending is safe), else: a batch is 200
    (each item carries its own status), a single rejected command 400, anything else 200."""
    if any(o.status == "failed" for o in outcomes):
        return 503
    if not batch and outcomes[0].status == "rejected":
        return 400
    return 200


def error_body(error: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"error": error, "detail": detail, **extra}


def check_id(name: str, value: str) -> str:
    """A path parameter, held to the rules of the body's ids
    (``processor.domain.command_base.Id``)."""
    try:
        return _ID.validate_python(value)
    except ValidationError as exc:
        shown = value if len(value) <= 70 else f"{value[:64]}..."
        raise InvalidInput(
            f"{name} {shown!r} is not an id: 1-64 letters, digits, '_', '.', ':' or '-'"
        ) from exc


def public_outcome(payload: dict[str, Any], request_id: str) -> dict[str, Any]:
    """An outcome as the caller sees it: a backend failure's message (which may name tables,
    roles or operations) is replaced by what the caller can act on, and the request id."""
    if payload.get("status") != "failed":
        return payload
    return {**payload, "error": UNAVAILABLE, "request_id": request_id}


def _decode(body: str | bytes | None) -> Any:
    if body is None or not body.strip():
        raise InvalidInput('the body is empty: send a command object or {"commands": [...]}')
    if len(body) > MAX_BODY_BYTES:
        raise TooLarge(f"body of {len(body)} bytes, over the {MAX_BODY_BYTES} limit")
    return decode_json(body, MAX_BODY_BYTES)  # the ledger's canonical decoder


def _object(item: Any, index: int | None) -> dict[str, Any]:
    if not isinstance(item, dict):
        where = "a command" if index is None else f"commands[{index}]"
        raise InvalidInput(f"{where} must be a JSON object")
    return item


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """API Gateway v2 lower-cases header names; be lenient for other callers."""
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None
