"""Pagination of the bank's queries: opaque ``--next`` tokens, checked on the way back in.

A query reads one or more partitions (``Partition``: the partition key value and the
attributes of a key in that index). Its position is one cursor per partition: ``None`` (not
started), ``DONE``, or the key of the last item read there (DynamoDB's
``LastEvaluatedKey``, or for a merged read the key of the last item consumed, which is as
good an ``ExclusiveStartKey``). The token is that list, bound to the query it came from
(a hash of the query's name and parameters) and sealed with a checksum, in URL-safe base64.

A token that does not decode, was edited, belongs to another query, or names a key outside
the query's partition is ``InvalidInput``: a token can never move a query onto other data.
Pure: no I/O.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from acme_base.errors import InvalidInput

VERSION: Final = 1
DONE: Final = "done"
MAX_TOKEN_CHARS = 8192
MAX_KEY_VALUE = 2048
MAX_LIMIT = 1000

Key = dict[str, str]
Cursor = Key | str | None  # a key, DONE, or None (not started)


@dataclass(frozen=True)
class Partition:
    """One partition of an index (or the table) a query reads.

    ``attr``/``value``: the partition key attribute and its value; ``key_attrs``: the
    attributes of a key in that index (the table's ``PK``/``SK`` plus the index keys).
    """

    attr: str
    value: str
    key_attrs: tuple[str, ...]

    def key_of(self, item: Mapping[str, Any]) -> Key:
        """The cursor key of an item read from this partition."""
        return {a: str(item[a]) for a in self.key_attrs}


@dataclass(frozen=True)
class Page:
    """One page of results (plain rows) and the token of the next page (None: the end)."""

    items: list[dict[str, Any]]
    next_token: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def check_limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"--limit must be an integer from 1 to {MAX_LIMIT}, not {limit!r}")
    return limit


def query_hash(query_id: str) -> str:
    return hashlib.sha256(query_id.encode()).hexdigest()[:16]


def _seal(body: Mapping[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode_token(query_id: str, cursors: Sequence[Cursor]) -> str | None:
    """The token for these cursors, or None when every partition is done."""
    if all(c == DONE for c in cursors):
        return None
    body = {"v": VERSION, "q": query_hash(query_id), "c": list(cursors)}
    raw = json.dumps({**body, "h": _seal(body)}, sort_keys=True, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _bad(why: str) -> InvalidInput:
    return InvalidInput(f"invalid --next token: {why}; use the token the previous page printed")


def _body(token: str) -> dict[str, Any]:
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_CHARS:
        raise _bad("empty or too long")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        body = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise _bad("not a token") from exc
    if not isinstance(body, dict) or set(body) != {"v", "q", "c", "h"}:
        raise _bad("not a token")
    seal = body.pop("h")
    if body["v"] != VERSION or seal != _seal(body):
        raise _bad("it was altered")
    return body


def decode_token(token: str, query_id: str, partitions: Sequence[Partition]) -> list[Cursor]:
    """The cursors of a token made by ``encode_token`` for the same query and partitions."""
    body = _body(token)
    if body["q"] != query_hash(query_id):
        raise _bad("it belongs to another query (other parameters or command)")
    cursors = body["c"]
    if not isinstance(cursors, list) or len(cursors) != len(partitions):
        raise _bad("wrong number of cursors")
    checked = [_cursor(c, p) for c, p in zip(cursors, partitions, strict=True)]
    if all(c == DONE for c in checked):
        raise _bad("nothing left to read")
    return checked


def _cursor(cursor: Any, partition: Partition) -> Cursor:
    if cursor is None:
        return None
    if cursor == DONE:
        return DONE
    if not isinstance(cursor, dict) or set(cursor) != set(partition.key_attrs):
        raise _bad("its key does not fit the query's index")
    for value in cursor.values():
        if not isinstance(value, str) or not 0 < len(value) <= MAX_KEY_VALUE:
            raise _bad("its key holds a bad value")
    if cursor[partition.attr] != partition.value:
        raise _bad("its key is outside the query's partition")
    return dict(cursor)


def plain_key(key: Mapping[str, Any] | None) -> Key | None:
    """A deserialized ``LastEvaluatedKey`` as a cursor (every key attribute is a string)."""
    if key is None:
        return None
    return {k: str(v) for k, v in key.items()}
