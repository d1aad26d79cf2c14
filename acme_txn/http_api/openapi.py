"""The OpenAPI document: Powertools' from the routes, plus what it cannot see.

The command routes read their bodies themselves (through ``submit``'s parser, which refuses
floats before pydantic sees them), so Powertools knows no body model; the request body
schemas are added here from the same pydantic command models, with the ``Idempotency-Key``
header. Added too: the error schema on every status a route can answer, the security schemes
(a JWT, or AWS SigV4) with the scope each route needs, and the path parameters' id rule.
The models' docstrings are written for the code's readers and are left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Protocol

from pydantic import Field, TypeAdapter

from acme_txn.http_api.requests import MAX_BATCH, MAX_KEY_CHARS
from processor.customers.commands import RegisterCustomer, UpdateCustomer
from processor.domain.command_base import MAX_LINE_BYTES
from processor.domain.command_money import Credit, Debit, Transfer
from processor.domain.command_pending import Linked, PostPending, VoidPending
from processor.domain.commands import (
    BlockAccount,
    CloseAccount,
    OpenAccount,
    SetLimits,
    UnblockAccount,
)
from processor.offers.commands import CreateOffer, RespondOffer, SendOffer

REF = "#/components/schemas/{model}"
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
#: fields the server sets, never the caller
SERVER_FIELDS = ("principal",)

MoneyCommand = Annotated[
    Credit | Debit | Transfer | PostPending | VoidPending | Linked, Field(discriminator="type")
]
OperatorCommand = Annotated[
    OpenAccount
    | CloseAccount
    | BlockAccount
    | UnblockAccount
    | SetLimits
    | RegisterCustomer
    | UpdateCustomer
    | CreateOffer
    | SendOffer
    | RespondOffer,
    Field(discriminator="type"),
]
ERROR = {
    "type": "object",
    "properties": {
        "error": {"type": "string", "description": "a stable code, e.g. invalid_input"},
        "detail": {"type": "string", "description": "what was wrong, in words"},
        "request_id": {"type": "string", "description": "on 5xx: quote it to the bank"},
        "outcome": {"type": "object", "description": "a rejected command's outcome"},
    },
    "required": ["error", "detail"],
}
SECURITY_SCHEMES = {
    "jwt": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "an RS256 or ES256 access token of the bank's identity provider; "
        "scopes in its space-separated scope claim; a customer_id claim makes the caller "
        "that customer (its own accounts only)",
    },
    "iam": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "AWS Signature Version 4 (service callers on AWS; their IAM policy "
        "names the routes they may invoke)",
    },
}
IDEMPOTENCY = (
    "Idempotency-Key: the txn_id of a single command whose body has none; if the body has "
    "one, both must be equal; not allowed on a batch (give each item its txn_id). Resending "
    "a command with the same txn_id answers its original outcome."
)


class RouteLike(Protocol):
    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def scope(self) -> str | None: ...


def _command_schemas(name: str, model: Any) -> dict[str, Any]:
    adapter: TypeAdapter[Any] = TypeAdapter(model)
    schema = adapter.json_schema(ref_template=REF)
    defs: dict[str, Any] = schema.pop("$defs", {})
    return {**defs, name: schema}


def command_schemas() -> dict[str, Any]:
    """``MoneyCommand`` and ``OperatorCommand`` and the models they refer to, without the
    server's fields and the code's docstrings."""
    found = {
        **_command_schemas("MoneyCommand", MoneyCommand),
        **_command_schemas("OperatorCommand", OperatorCommand),
    }
    for schema in found.values():
        schema.pop("description", None)
        for field in SERVER_FIELDS:
            schema.get("properties", {}).pop(field, None)
    return found


def _body(model: str) -> dict[str, Any]:
    command = {"$ref": REF.format(model=model)}
    batch = {
        "type": "object",
        "properties": {
            "commands": {"type": "array", "items": command, "minItems": 1, "maxItems": MAX_BATCH}
        },
        "required": ["commands"],
        "additionalProperties": False,
    }
    return {
        "required": True,
        "description": f"one command (at most {MAX_LINE_BYTES} bytes) or a batch",
        "content": {"application/json": {"schema": {"anyOf": [command, batch]}}},
    }


def _key_header() -> dict[str, Any]:
    return {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": IDEMPOTENCY,
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_CHARS},
    }


def _responses(operation: dict[str, Any], common: Mapping[int, str], secured: bool) -> None:
    error = {"$ref": REF.format(model="Error")}
    responses = operation.setdefault("responses", {})
    responses.pop("422", None)  # Powertools' validation status: this API answers 400
    wanted = {**common} if secured else {500: common[500]}
    for status, text in wanted.items():
        responses.setdefault(str(status), {"description": text})
    for status, response in responses.items():
        if int(status) >= 400:
            schema: dict[str, Any] = error
            if status == "503" and "requestBody" in operation:
                batch = {"type": "array", "items": {"type": "object"}}
                schema = {"anyOf": [error, batch]}  # a batch: each item's outcome
            response["content"] = {"application/json": {"schema": schema}}


def _path_ids(operation: dict[str, Any]) -> None:
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "path":
            parameter["schema"] = {"type": "string", "pattern": ID_PATTERN, "maxLength": 64}


def with_commands_body(
    document: str, routes: Iterable[RouteLike], common: Mapping[int, str]
) -> str:
    """``document`` (Powertools' JSON) completed: bodies, header, errors, security."""
    data = json.loads(document)
    for route in routes:
        operation = data["paths"][route.path.replace("<", "{").replace(">", "}")]
        operation = operation[route.method.lower()]
        if route.method == "POST":
            admin = route.path.startswith("/admin")
            operation["requestBody"] = _body("OperatorCommand" if admin else "MoneyCommand")
            operation.setdefault("parameters", []).append(_key_header())
            operation["description"] = f"{operation.get('description', '')} {IDEMPOTENCY}"
        _path_ids(operation)
        secured = route.scope is not None
        operation["security"] = [{"jwt": [route.scope]}, {"iam": []}] if secured else []
        if secured:
            operation["x-required-scope"] = route.scope
        _responses(operation, common, secured)
    components = data.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas.update(command_schemas())
    schemas["Error"] = ERROR
    components["securitySchemes"] = SECURITY_SCHEMES
    return json.dumps(data, indent=2, sort_keys=True)
