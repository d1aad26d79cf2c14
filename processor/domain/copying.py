"""``changed``: ``dataclasses.replace`` for the frozen dataclasses of the hot path.

``dataclasses.replace`` looks every field up again, builds the keyword arguments and calls
``__init__``; stamping a decided event and folding it into its account's state do that once
per event. ``changed`` copies the fields straight into a new instance (``__post_init__``
still runs, as it would for ``replace``: an event's datetimes are kept in UTC). Only for
dataclasses whose fields are all ``init`` fields (events, ``AccountState``).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")

_set = object.__setattr__
#: per class: its field names, in order, and as a set
_NAMES: dict[type, tuple[tuple[str, ...], frozenset[str]]] = {}


def _names(cls: type) -> tuple[tuple[str, ...], frozenset[str]]:
    names = tuple(f.name for f in fields(cls) if f.init)
    if len(names) != len(fields(cls)):  # pragma: no cover - a guard for future fields
        raise TypeError(f"{cls.__name__} has fields outside __init__: use dataclasses.replace")
    _NAMES[cls] = (names, frozenset(names))
    return _NAMES[cls]


def changed(obj: T, /, **changes: Any) -> T:
    """A copy of ``obj`` with ``changes`` (field names only, as ``dataclasses.replace``)."""
    cls = type(obj)
    names, known = _NAMES.get(cls) or _names(cls)
    if not known.issuperset(changes):
        unknown = sorted(set(changes) - known)
        raise TypeError(f"{cls.__name__} has no field(s) {', '.join(unknown)}")
    new: T = object.__new__(cls)
    for name in names:
        _set(new, name, changes[name] if name in changes else getattr(obj, name))
    post = getattr(new, "__post_init__", None)
    if post is not None:
        post()
    return new
