"""Event schema versions and the upcaster chain that reads old items as today's model.

Every stored event item carries ``schema_version`` (``CURRENT``). An item of an older
version is lifted one step at a time by small pure functions, registered per event type and
version (``"*"``: every type), in the style of Axon's upcaster chains and eventsourcing's
``__upcast_vN__``; only then is it validated as today's model. Versions:

1. items written before issue 11: no ``schema_version`` attribute, no ``recorded_at``;
2. ``recorded_at`` (when the ledger wrote the event) beside ``occurred_at``; the optional
   ``limits``, tracing fields and the two new decline reasons need no upcast (absent = the
   default).

To change an event's stored shape: bump ``CURRENT``, register one upcaster from the previous
version (``@upcaster("EventType", N)``), add its case to ``tests/unit/test_upcasting.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["CURRENT", "UPCASTERS", "upcast", "upcaster"]

CURRENT = 2
ANY_TYPE = "*"
Body = dict[str, Any]
Upcaster = Callable[[Body], Body]
#: (event type or "*", from version) -> the function lifting a body to the next version
UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def upcaster(event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    def register(function: Upcaster) -> Upcaster:
        UPCASTERS[(event_type, from_version)] = function
        return function

    return register


@upcaster(ANY_TYPE, 1)
def _v1_recorded_at(body: Body) -> Body:
    """Version 1 knew only the effective time: it is also when the event was written."""
    return {**body, "recorded_at": body.get("recorded_at") or body["occurred_at"]}


def upcast(body: Body) -> Body:
    """The body lifted to ``CURRENT`` (without ``schema_version``), or ``ValueError`` for a
    version from the future or a missing step."""
    raw = body.pop("schema_version", 1)
    version = int(raw)
    if not 1 <= version <= CURRENT:
        raise ValueError(f"event schema_version {raw} is not 1..{CURRENT}")
    event_type = str(body.get("event_type"))
    while version < CURRENT:
        step = UPCASTERS.get((event_type, version)) or UPCASTERS.get((ANY_TYPE, version))
        if step is None:  # pragma: no cover - a version bump without its upcaster
            raise ValueError(f"no upcaster for {event_type} version {version}")
        body = step(body)
        version += 1
    return body
