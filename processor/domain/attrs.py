"""``optional_attr``: ``getattr(obj, name, None)`` without pydantic's slow path.

The hot path asks commands for attributes only some kinds have (``account_id`` or
``from_account``, ``occurred_at``, ``legs``). On a pydantic model a name its class lacks
falls into the model's and the metaclass's ``__getattr__`` (a few microseconds, twice, per
miss). Whether a class can have the attribute at all is answered once per class and name:
a pydantic model that forbids or ignores extra fields has exactly its fields and its class
attributes (properties, methods); anything else is asked every time.
"""

from __future__ import annotations

from typing import Any

_PRESENT: dict[tuple[type, str], bool] = {}


def _can_have(cls: type, name: str) -> bool:
    fields = getattr(cls, "model_fields", None)
    config = getattr(cls, "model_config", None)
    if not isinstance(fields, dict) or not isinstance(config, dict):
        return True  # not a pydantic model: ask the instance
    if config.get("extra") == "allow":
        return True  # extra attributes live on the instance
    return name in fields or hasattr(cls, name)


def optional_attr(obj: Any, name: str) -> Any:
    """``getattr(obj, name, None)``, skipping the look-up when ``obj``'s class cannot have it."""
    key = (type(obj), name)
    present = _PRESENT.get(key)
    if present is None:
        present = _PRESENT[key] = _can_have(type(obj), name)
    return getattr(obj, name, None) if present else None
