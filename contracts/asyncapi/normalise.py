"""A registry message's payload schema made regular: what the registry's files write loosely, tidings writes one
way, and every change is a `Note` at file:line.

- short-form properties: `referralId: string` → `{type: string}`; `bookingId: bookingId` (the registry's
  generator writes the field's name when the observed value was null, a bool or a float) → `{}` (any type);
- a doubled `properties:` level (`properties: {properties: {…}}`) is unwrapped;
- tuple `items: [A, B]` (one schema per element the generator saw) → `items: {anyOf: [A, B]}`;
- `example:` values are collected into one example event, then removed (they are not JSON Schema).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

__all__ = ["JSON_TYPES", "Note", "build_example", "normalise_schema", "strip_examples"]

JSON_TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array", "null"})

_SCHEMA_KEYWORDS = frozenset(
    [
        "type",
        "properties",
        "required",
        "items",
        "additionalProperties",
        "enum",
        "const",
        "format",
        "pattern",
        "example",
        "examples",
        "description",
        "title",
        "anyOf",
        "oneOf",
        "allOf",
        "not",
        "$ref",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "default",
    ]
)


@dataclass(frozen=True)
class Note:
    """One thing the importer changed (or refused) in a file, at a line."""

    line: int | None
    text: str


class _Walk:
    def __init__(self, lines: dict[str, int], base: str, notes: list[Note]) -> None:
        self.lines = lines
        self.base = base
        self.notes = notes

    def note(self, pointer: str, text: str) -> None:
        self.notes.append(Note(self.lines.get(self.base + pointer), text))

    def schema(self, schema: Any, pointer: str) -> Any:
        if not isinstance(schema, dict):
            return schema
        result = dict(schema)
        properties = schema.get("properties")
        if isinstance(properties, dict):
            result["properties"] = self.properties(properties, pointer + "/properties")
        items = schema.get("items")
        if isinstance(items, list):
            alternatives = []
            for index, item in enumerate(items):
                normalised = self.schema(item, f"{pointer}/items/{index}")
                if normalised not in alternatives:
                    alternatives.append(normalised)
            self.note(pointer + "/items", f"tuple `items:` (a list of {len(items)}) read as items of any of these")
            result["items"] = alternatives[0] if len(alternatives) == 1 else {"anyOf": alternatives}
        elif isinstance(items, dict):
            result["items"] = self.schema(items, pointer + "/items")
        for keyword in ("anyOf", "oneOf", "allOf"):
            if isinstance(schema.get(keyword), list):
                result[keyword] = [self.schema(s, f"{pointer}/{keyword}/{i}") for i, s in enumerate(schema[keyword])]
        if isinstance(schema.get("additionalProperties"), dict):
            result["additionalProperties"] = self.schema(
                schema["additionalProperties"], pointer + "/additionalProperties"
            )
        if isinstance(result.get("required"), str):
            result["required"] = [result["required"]]
        return result

    def properties(self, properties: dict[str, Any], pointer: str) -> dict[str, Any]:
        inner = properties.get("properties")
        if isinstance(inner, dict) and inner and not (set(inner) & _SCHEMA_KEYWORDS):
            self.note(
                pointer + "/properties", "doubled `properties:` unwrapped (it declared one field named 'properties')"
            )
            properties = {**{k: v for k, v in properties.items() if k != "properties"}, **inner}
            pointer = pointer + "/properties"
        result: dict[str, Any] = {}
        for name, value in properties.items():
            where = f"{pointer}/{name}"
            if isinstance(value, str) and value in JSON_TYPES:
                self.note(where, f"short form `{name}: {value}` read as {{type: {value}}}")
                result[name] = {"type": value}
            elif value is None or (isinstance(value, (str, int, float)) and not isinstance(value, bool)):
                self.note(
                    where,
                    f"short form `{name}: {value}` is not a type (the registry's generator writes the field name "
                    "when it saw null, a boolean or a number): read as any type",
                )
                result[name] = {}
            else:
                result[name] = self.schema(value, where)
        return result


def normalise_schema(schema: Any, lines: dict[str, int], base: str, notes: list[Note]) -> Any:
    """`schema` (at JSON pointer `base` of its file) made regular; what changed is appended to `notes`."""
    return _Walk(lines, base, notes).schema(schema, "")


_NO_EXAMPLE = object()


def build_example(schema: Any) -> Any:
    """One value assembled from the `example:`s (else `const`, else the first `enum`) inside `schema`;
    `None` where nothing says what a value looks like."""
    value = _example(schema)
    return None if value is _NO_EXAMPLE else value


def _example(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return _NO_EXAMPLE
    if "example" in schema:
        return schema["example"]
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    properties = schema.get("properties")
    if isinstance(properties, dict):
        built = {}
        for name, child in properties.items():
            value = _example(child)
            if value is not _NO_EXAMPLE:
                built[name] = value
        return built
    items = schema.get("items")
    if isinstance(items, dict):
        alternatives: list[Any] = items["anyOf"] if isinstance(items.get("anyOf"), list) else [items]
        values = [v for v in map(_example, alternatives) if v is not _NO_EXAMPLE]
        return values if values else _NO_EXAMPLE
    return _NO_EXAMPLE


def strip_examples(schema: Any) -> Any:
    """A copy of `schema` without its `example:` keywords (a property *named* example is kept)."""
    if isinstance(schema, list):
        return [strip_examples(v) for v in schema]
    if not isinstance(schema, dict):
        return copy.copy(schema)
    result: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "example":
            continue
        if key in ("properties", "$defs", "definitions", "patternProperties") and isinstance(value, dict):
            result[key] = {name: strip_examples(child) for name, child in value.items()}
        elif key in ("const", "enum", "default", "examples"):
            result[key] = copy.deepcopy(value)
        else:
            result[key] = strip_examples(value)
    return result
