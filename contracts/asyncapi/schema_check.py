"""Validation against the official AsyncAPI 3.0.0 JSON Schema, vendored in `data/asyncapi-3.0.0.json` (from the
npm package `@asyncapi/specs` 6.11.1, `schemas/3.0.0.json`, Apache-2.0: see `data/NOTICE`). Nothing is fetched:
every definition carries its own `$id` and is registered locally."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT7

__all__ = ["ASYNCAPI_3_SCHEMA", "asyncapi_errors", "message_errors"]

ASYNCAPI_3_SCHEMA = Path(__file__).parent / "data" / "asyncapi-3.0.0.json"
_MESSAGE = "http://asyncapi.com/definitions/3.0.0/messageObject.json"


@cache
def _validators() -> tuple[Draft7Validator, Draft7Validator]:
    schema = json.loads(ASYNCAPI_3_SCHEMA.read_text(encoding="utf-8"))
    registry: Registry[Any] = Registry().with_resources(
        (d["$id"], DRAFT7.create_resource(d)) for d in schema["definitions"].values() if "$id" in d
    )
    return Draft7Validator(schema, registry=registry), Draft7Validator({"$ref": _MESSAGE}, registry=registry)


def _leaf(error: ValidationError) -> ValidationError:
    """The deepest, most telling error under `oneOf`/`anyOf` (skipping the Reference-object branch)."""
    while error.context:
        candidates = [e for e in error.context if "'$ref' is a required property" not in e.message]
        error = max(candidates or error.context, key=lambda e: len(e.absolute_path))
    return error


def _errors(validator: Draft7Validator, doc: Any) -> list[str]:
    out = []
    for error in validator.iter_errors(doc):
        leaf = _leaf(error)
        out.append("/" + "/".join(map(str, leaf.absolute_path)) + f": {leaf.message[:200]}")
    return out


def asyncapi_errors(doc: Any) -> list[str]:
    """`pointer: message` for each way `doc` breaks AsyncAPI 3.0.0 (`[]` when valid)."""
    return _errors(_validators()[0], doc)


def message_errors(message: Any) -> list[str]:
    """The same for one message object (what the registry checks its message files against)."""
    return _errors(_validators()[1], message)
