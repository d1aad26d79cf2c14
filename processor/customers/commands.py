"""The customer commands of ``acme-txn submit``, validated strictly (pydantic, ``extra="forbid"``).

``CUSTOMER_COMMANDS`` joins the submit path's registry (``processor.services.commands``).
Phones, states and names are normalised while parsing
(``processor.customers.model``), so the payload fingerprint of two spellings of one
registration is the same.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from acme_base.errors import InvalidInput
from processor.customers.model import Changes, check_name, normalize_phone, parse_state
from processor.domain.commands import Command, Id, SpecialStatus
from processor.domain.parsing import explain
from processor.domain.registry import CommandType

CUSTOMER_TYPES = ("register_customer", "update_customer")


def _text(value: Any) -> Any:
    """Strings only (pydantic would otherwise refuse numbers with a less clear message)."""
    if not isinstance(value, str):
        raise ValueError(f"must be a string, not {type(value).__name__}")
    return value


def _checked(check: Callable[[str], str]) -> Callable[[str], str]:
    """A model rule as a pydantic validator: its ``InvalidInput`` becomes a ``ValueError``,
    so pydantic reports it with the field's name, beside the other fields' errors."""

    def validate(value: str) -> str:
        try:
            return check(value)
        except InvalidInput as exc:
            raise ValueError(str(exc)) from None

    return validate


def _status_set(value: tuple[str, ...]) -> tuple[str, ...]:
    """Each status once, sorted: a set in a stable spelling (fingerprints, JSON)."""
    return tuple(sorted(set(value)))


Name = Annotated[str, BeforeValidator(_text), AfterValidator(_checked(check_name))]
Phone = Annotated[str, BeforeValidator(_text), AfterValidator(_checked(normalize_phone))]
State = Annotated[str, BeforeValidator(_text), AfterValidator(_checked(parse_state))]
Statuses = Annotated[tuple[SpecialStatus, ...], Field(max_length=10), AfterValidator(_status_set)]


class RegisterCustomer(Command):
    type: Literal["register_customer"]
    customer_id: Id
    name: Name
    phone: Phone
    state: State
    special_status: Statuses = ()


class UpdateCustomer(Command):
    """Only the fields given change; statuses are added and removed as a set."""

    type: Literal["update_customer"]
    customer_id: Id
    name: Name | None = None
    phone: Phone | None = None
    state: State | None = None
    add_special_status: Statuses = ()
    remove_special_status: Statuses = ()

    @model_validator(mode="after")
    def _asks_for_something(self) -> UpdateCustomer:
        fields = (self.name, self.phone, self.state)
        if all(f is None for f in fields) and not (
            self.add_special_status or self.remove_special_status
        ):
            raise ValueError(
                "give at least one of name, phone, state, add_special_status, remove_special_status"
            )
        both = set(self.add_special_status) & set(self.remove_special_status)
        if both:
            raise ValueError(f"{sorted(both)} cannot be both added and removed")
        return self

    def changes(self) -> Changes:
        return Changes(
            name=self.name,
            phone=self.phone,
            state=self.state,
            add_special_status=frozenset(self.add_special_status),
            remove_special_status=frozenset(self.remove_special_status),
        )


CustomerCommand = RegisterCustomer | UpdateCustomer
#: the customers' command types (``processor.domain.registry``)
CUSTOMER_COMMANDS = (
    CommandType("register_customer", RegisterCustomer, "customers", "register a customer"),
    CommandType("update_customer", UpdateCustomer, "customers", "change a customer's details"),
)
_ADAPTER: TypeAdapter[CustomerCommand] = TypeAdapter(
    Annotated[CustomerCommand, Field(discriminator="type")]
)


def parse_customer_command(raw: dict[str, Any]) -> CustomerCommand:
    try:
        return _ADAPTER.validate_python(raw)
    except ValidationError as exc:
        raise InvalidInput(explain(exc, CUSTOMER_TYPES)) from exc
