"""The OpenAPI document: Powertools' from the routes, plus what it cannot see.

``POST /commands`` reads its body itself (through ``submit``'s parser, which refuses floats
before pydantic sees them), so Powertools knows no body model; the request body schema is
added here from the same pydantic command models, and the ``Idempotency-Key`` header with it.
Documentation only: the models, not this schema, validate requests.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter

from acme_txn.http_api.requests import MAX_BATCH, MAX_KEY_CHARS
from processor.commands import AnyCommand
from processor.customers.commands import CustomerCommand
from processor.offers.commands import OfferCommand

REF = "#/components/schemas/{model}"


def command_schemas() -> dict[str, Any]:
    """``Command`` (every type ``submit`` takes) and the models it refers to."""
    adapter: TypeAdapter[Any] = TypeAdapter(AnyCommand | OfferCommand | CustomerCommand)
    schema = adapter.json_schema(ref_template=REF)
    defs: dict[str, Any] = schema.pop("$defs", {})
    return {**defs, "Command": schema}


def with_commands_body(document: str) -> str:
    """``document`` (Powertools' JSON) with the ``POST /commands`` body and header added."""
    data = json.loads(document)
    command = {"$ref": REF.format(model="Command")}
    batch = {
        "type": "object",
        "properties": {
            "commands": {"type": "array", "items": command, "minItems": 1, "maxItems": MAX_BATCH}
        },
        "required": ["commands"],
        "additionalProperties": False,
    }
    post = data["paths"]["/commands"]["post"]
    post["requestBody"] = {
        "required": True,
        "content": {"application/json": {"schema": {"oneOf": [command, batch]}}},
    }
    post.setdefault("parameters", []).append(
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": "the txn_id when the body has none (a single command only)",
            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_CHARS},
        }
    )
    data.setdefault("components", {}).setdefault("schemas", {}).update(command_schemas())
    return json.dumps(data, indent=2, sort_keys=True)
