"""A schema seen as a flat list of fields: `/additionalInformation/referralId` → types, required, constraints.

`tidings contracts show` prints it; the compatibility check diffs two of them to say *which* field changed and
how. It reads a bundled (self-contained) schema; `allOf` branches are folded first, and fields of branches
that cannot be folded (and of `anyOf`/`oneOf` alternatives) are merged in, so nothing a schema says about a
field is lost, though alternatives are flattened.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tidings.contracts.catalog.schemas import fold_all_of
from tidings.contracts.catalog.violations import json_pointer, json_type

__all__ = ["ITEMS", "Field", "schema_fields"]

ITEMS = "*"
"""The pointer segment that stands for every item of an array: `/personReference/identifiers/*/value`."""

CONSTRAINT_KEYWORDS = (
    "const",
    "enum",
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "additionalProperties",
)


@dataclass
class Field:
    """One property (or array item) of a schema."""

    pointer: str
    types: tuple[str, ...] = ()
    """JSON types allowed; `()` means any."""
    required: bool = False
    constraints: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    @property
    def type_text(self) -> str:
        """The types as people read them: `string`, `integer`, `string | null`, `any`."""
        return " | ".join(self.types) if self.types else "any"

    def constraint_text(self) -> str:
        """The constraints in one short line: `format uuid`, `one of A, B`, `= "CRN"`."""
        parts = []
        for key, value in self.constraints.items():
            if key == "const":
                parts.append(f"= {json.dumps(value)}")
            elif key == "enum":
                parts.append("one of " + ", ".join(str(item) for item in value))
            elif key == "format":
                parts.append(f"format {value}")
            elif key == "pattern":
                parts.append(f"pattern {value}")
            elif key == "additionalProperties":
                parts.append("no other properties" if value is False else "other properties allowed")
            else:
                parts.append(f"{key} {json.dumps(value)}")
        return "; ".join(parts)


def schema_fields(bundled: dict[str, Any]) -> dict[str, Field]:
    """The fields of a bundled schema by pointer, in schema order (parents before their children). The
    document itself is the field with pointer `""`."""
    fields: dict[str, Field] = {}
    _walk(fold_all_of(bundled), [], fields, required=True)
    return fields


def _walk(schema: Any, path: list[str], fields: dict[str, Field], *, required: bool) -> None:
    if not isinstance(schema, dict):
        return
    _describe(fields.setdefault(json_pointer(path), Field(json_pointer(path))), schema, required)
    required_names = schema.get("required", [])
    for name, subschema in (schema.get("properties") or {}).items():
        _walk(subschema, [*path, name], fields, required=name in required_names)
    items = schema.get("items")
    if isinstance(items, dict):
        _walk(items, [*path, ITEMS], fields, required=False)
    for keyword in ("allOf", "anyOf", "oneOf"):
        branches = [branch for branch in schema.get(keyword) or [] if isinstance(branch, dict)]
        # A nullable object (`anyOf: [{object}, {type: null}]`): whenever the object is there, its required
        # properties are, as for a plain object.
        nullable = keyword != "allOf" and sum(1 for branch in branches if branch != {"type": "null"}) == 1
        for branch in branches:
            merged = {**branch, "required": [*required_names, *branch.get("required", [])]}
            _walk_branch(merged, path, fields, keyword == "allOf" or nullable)


def _walk_branch(branch: dict[str, Any], path: list[str], fields: dict[str, Field], conjunctive: bool) -> None:
    existing = fields.get(json_pointer(path))
    if existing is not None:
        _describe(existing, branch, existing.required)
    required_names = branch.get("required", []) if conjunctive else []
    for name, subschema in (branch.get("properties") or {}).items():
        _walk(subschema, [*path, name], fields, required=name in required_names)


def _describe(target: Field, schema: dict[str, Any], required: bool) -> None:
    target.required = target.required or required
    types = schema.get("type")
    if isinstance(types, str):
        types = [types]
    if types is None and "const" in schema:
        types = [json_type(schema["const"])]
    if types is None and isinstance(schema.get("enum"), list):
        types = sorted({json_type(value) for value in schema["enum"]})
    if types:
        target.types = tuple(dict.fromkeys([*target.types, *types])) if target.types else tuple(types)
    for key in CONSTRAINT_KEYWORDS:
        if key in schema:
            target.constraints[key] = schema[key]
    if not target.description and isinstance(schema.get("description"), str):
        target.description = schema["description"]
