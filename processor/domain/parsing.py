"""JSON in, pydantic models out: the one canonical decoder and the error wording every parser
shares (the ledger's ``submit``, customers, offers, the HTTP API's bodies, the applications'
commands), so the same bytes mean the same thing everywhere and bad input reads the same.

Canonical means: one reading only. A screening proxy and the ledger must not see two
different commands in one body, so

- a key given twice in one object is refused (``json`` would keep the last one silently);
- floats, ``NaN`` and ``Infinity`` are refused (money is a quoted decimal string);
- nesting is bounded (``MAX_DEPTH``), refused with a clear error, never a ``RecursionError``;
- text meant for people or keys refuses control characters and the invisible bidirectional
  controls that make ``evil`` display as ``live`` (``check_text``).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from pydantic import ValidationError

from acme_base.errors import InvalidInput

#: objects and arrays nest at most this deep in any decoded document (a batch of commands
#: whose offer details nest 8 deep is 11; the parser's own stack is never reached)
MAX_DEPTH = 16
#: bidirectional embeddings, overrides, isolates and marks (Unicode's Bidi_Control), and the
#: line and paragraph separators: invisible, they change how the text around them reads
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"
)


def refuse_float(text: str) -> Any:
    """``json.loads``' float hook: money and counts are never floats."""
    raise InvalidInput(f"number {text} must be a quoted decimal string, not a float")


def _refuse_constant(text: str) -> Any:
    raise InvalidInput(f"{text} is not JSON: numbers are finite, money a quoted decimal")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook``: an object naming a key twice is refused, never "last wins"."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InvalidInput(f"duplicate key {key[:64]!r} in a JSON object")
        out[key] = value
    return out


def _flat(data: dict[str, Any]) -> bool:
    """No object or array among ``data``'s values."""
    return all(not isinstance(value, dict | list) for value in data.values())


def check_depth(data: Any, limit: int = MAX_DEPTH) -> Any:
    """``data`` unchanged, or ``InvalidInput`` if its objects/arrays nest over ``limit``
    (iterative: a deep document cannot exhaust the stack here)."""
    if type(data) is dict and _flat(data):  # most commands: one object of plain values
        return data
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                raise InvalidInput(f"JSON nests deeper than {limit} levels")
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return data


def decode_json(raw: str | bytes, max_bytes: int) -> Any:
    """The canonical decoder (see the module docstring): one JSON document, bounded in size
    and depth, keys unique, no floats; else ``InvalidInput`` saying why."""
    if len(raw) > max_bytes:
        raise InvalidInput(f"command is {len(raw)} bytes, over the {max_bytes} limit")
    try:
        data = json.loads(
            raw,
            parse_float=refuse_float,
            parse_constant=_refuse_constant,
            object_pairs_hook=_unique_keys,
        )
    except InvalidInput:
        raise
    except RecursionError:
        raise InvalidInput(f"JSON nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise InvalidInput(f"malformed JSON: {exc}") from exc
    return check_depth(data)


#: the name every ``submit`` parser knew it by
decode_line = decode_json


def text_problem(value: str) -> str | None:
    """What is wrong with ``value`` as text for people, keys or ids: a control character
    (C0, DEL, C1) or a bidirectional control (``BIDI_CONTROLS``); None: nothing."""
    for char in value:
        code = ord(char)
        if code < 32 or 127 <= code < 160:
            return f"control characters are not allowed (U+{code:04X})"
        if char in BIDI_CONTROLS:
            return f"invisible bidirectional controls are not allowed (U+{code:04X})"
    return None


def check_text(value: str, what: str = "text") -> str:
    """``value`` unchanged, or ``InvalidInput`` naming ``what`` (``text_problem``)."""
    problem = text_problem(value)
    if problem is not None:
        raise InvalidInput(f"{what}: {problem}")
    return value


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
