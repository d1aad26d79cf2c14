"""One registry of command types, and the one decoder of JSON lines every entry point uses.

A command type is its JSON ``type``: the pydantic model that validates it, the service that
handles it (``handler``: ``ledger``, ``customers``, ``offers``, an app's name) and one line of
documentation. Each family declares its own types beside its models (the ledger in
``processor.domain.commands``, ``processor.customers.commands``, ``processor.offers.commands``,
the apps' ``commands`` modules); a service adds up the families it runs and dispatches by
``handler`` (``Registry.dispatch``), so a type without a handler is refused when the service
is built, not when its first command arrives.

Inside a handler, the command's class picks what runs it from a table checked exhaustive by
``Registry.cover`` when its module is imported (TigerBeetle's exhaustive ``switch``): the
domain's deciders (``processor.domain.decide.DECIDERS``), the ledger's jobs
(``processor.services.ledger.LEDGER_ROUTES``) and each service's ``HANDLERS``. A type without
an entry, or an entry for no registered type, is a ``ValueError`` naming it.

``Registry.decode`` reads a JSON line once (size-bounded, floats refused), looks its type up
and validates it with that type's model; every failure is an ``InvalidInput`` saying why.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from acme_base.errors import InvalidInput
from processor.domain.command_base import MAX_LINE_BYTES
from processor.domain.parsing import check_depth, decode_line, explain

Explain = Callable[[ValidationError, Collection[str]], str]
H = TypeVar("H")


@dataclass(frozen=True)
class CommandType:
    """One ``type`` of command: its model, the service that runs it, what it does."""

    name: str
    model: type[BaseModel]
    handler: str
    doc: str
    max_bytes: int = MAX_LINE_BYTES


class Registry:
    """Command types by name (in declaration order) and the decoder of their JSON lines."""

    def __init__(
        self,
        *families: Iterable[CommandType],
        what: str = "command",
        explain: Explain = explain,
    ) -> None:
        self.types: dict[str, CommandType] = {}
        for kind in (kind for family in families for kind in family):
            if kind.name in self.types:
                raise ValueError(f"command type {kind.name!r} is declared twice")
            self.types[kind.name] = kind
        self.what = what
        self._explain = explain
        self.max_bytes = max((k.max_bytes for k in self.types.values()), default=MAX_LINE_BYTES)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.types)

    @property
    def handlers(self) -> frozenset[str]:
        return frozenset(kind.handler for kind in self.types.values())

    def expected(self) -> str:
        """The type names as a sentence: ``a, b or c``."""
        *rest, last = self.names
        return f"{', '.join(rest)} or {last}" if rest else last

    def decode(self, raw: str | bytes | Mapping[str, Any]) -> BaseModel:
        """One command from a JSON line (or an already decoded object), or ``InvalidInput``."""
        data: Any = raw
        if isinstance(raw, str | bytes):
            data = decode_line(raw, self.max_bytes)
        else:
            check_depth(raw)  # an object from the API or an app is bounded as a line is
        if not isinstance(data, dict):
            raise InvalidInput(f"a {self.what} must be a JSON object")
        name = data.get("type")
        kind = self.types.get(name) if isinstance(name, str) else None
        if kind is None:
            raise InvalidInput(f"unknown {self.what} type {name!r}; expected {self.expected()}")
        if isinstance(raw, str | bytes) and len(raw) > kind.max_bytes:
            raise InvalidInput(f"command is {len(raw)} bytes, over the {kind.max_bytes} limit")
        try:
            return kind.model.model_validate(data)
        except ValidationError as exc:
            raise InvalidInput(self._explain(exc, self.types)) from exc

    def models(self, handler: str | None = None) -> frozenset[type[BaseModel]]:
        """The models of every type (of ``handler``'s types only, if given)."""
        kinds = self.types.values()
        return frozenset(k.model for k in kinds if handler is None or k.handler == handler)

    def cover(
        self, table: Mapping[type[BaseModel], H], handler: str | None = None
    ) -> Mapping[type[BaseModel], H]:
        """``table`` (model -> what runs it), checked exhaustive over the types (``handler``'s
        only, if given): ``ValueError`` naming the types without an entry and the entries
        that are no such type."""
        wanted = self.models(handler)
        missing = sorted(k.name for k in self.types.values() if k.model in wanted - set(table))
        if missing:
            raise ValueError(f"no handler for the command types {', '.join(missing)}")
        stray = sorted(model.__name__ for model in set(table) - wanted)
        if stray:
            raise ValueError(f"handlers for no registered command type: {', '.join(stray)}")
        return table

    def dispatch(self, handlers: Mapping[str, H]) -> dict[type[BaseModel], H]:
        """Model -> its handler, for every type; ``ValueError`` naming any type left out."""
        missing = sorted(k.name for k in self.types.values() if k.handler not in handlers)
        if missing:
            raise ValueError(f"no handler for the command types {', '.join(missing)}")
        return {kind.model: handlers[kind.handler] for kind in self.types.values()}
