"""``changed``: ``dataclasses.replace`` for the frozen dataclasses of the hot path.

``dataclasses.replace`` looks every field up again, builds the keyword arguments and calls
``__init__``; stamping a decided event and folding it into its account's state do that once
per event. ``changed`` copies the fields straight into a new instance (``__post_init__``
still runs, as it would for ``replace``: an event's datetimes are kept in UTC). Only for
dataclasses whose fields are all ``init`` fields (events, ``AccountState``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")

_set = object.__setattr__
#: per class: its copier (see ``_copier``) and its field names, as a set
_COPIERS: dict[type, tuple[Callable[[Any, dict[str, Any]], Any], frozenset[str]]] = {}


def _copier(cls: type) -> tuple[Callable[[Any, dict[str, Any]], Any], frozenset[str]]:
    """A function copying an instance of ``cls`` field by field, each from the changes if
    named there, else from the instance (written out per class, as ``dataclasses`` writes
    ``__init__``: no per-field ``getattr`` by name)."""
    names = tuple(f.name for f in fields(cls) if f.init)
    if len(names) != len(fields(cls)):  # pragma: no cover - a guard for future fields
        raise TypeError(f"{cls.__name__} has fields outside __init__: use dataclasses.replace")
    if not all(name.isidentifier() for name in names):  # pragma: no cover - dataclass names
        raise TypeError(f"{cls.__name__}: a field name that is not an identifier")
    lines = ["def copy(obj, changes):", "    new = _new(cls)", "    get = changes.get"]
    lines += [f"    _set(new, {n!r}, get({n!r}, obj.{n}))" for n in names]
    lines += ["    new.__post_init__()"] if hasattr(cls, "__post_init__") else []
    lines += ["    return new"]
    scope: dict[str, Any] = {"_new": object.__new__, "_set": _set, "cls": cls}
    exec("\n".join(lines), scope)
    _COPIERS[cls] = (scope["copy"], frozenset(names))
    return _COPIERS[cls]


def changed(obj: T, /, **changes: Any) -> T:
    """A copy of ``obj`` with ``changes`` (field names only, as ``dataclasses.replace``)."""
    cls = type(obj)
    copy, known = _COPIERS.get(cls) or _copier(cls)
    if not known.issuperset(changes):
        unknown = sorted(set(changes) - known)
        raise TypeError(f"{cls.__name__} has no field(s) {', '.join(unknown)}")
    new: T = copy(obj, changes)
    return new
