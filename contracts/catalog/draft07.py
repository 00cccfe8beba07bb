"""Translate a bundled Draft 2020-12 schema to draft-07, the newest draft `fastjsonschema` compiles.

Mechanical and deliberately partial: it handles the keywords whose meaning is the same in both drafts or has a
direct draft-07 spelling, and refuses (`NotTranslatable`) anything else, in which case the contract is simply
validated by jsonschema alone. `format`s other than those in `FORMAT_FUNCTIONS` are dropped: in 2020-12 they
are annotations, and the validator of record does not check them either.
"""

from __future__ import annotations

from typing import Any

from tidings.contracts.catalog.formats import FORMAT_FUNCTIONS
from tidings.contracts.catalog.schemas import map_subschemas

__all__ = ["DRAFT_07", "NotTranslatable", "to_draft07"]

DRAFT_07 = "http://json-schema.org/draft-07/schema#"

_SAME_IN_BOTH = frozenset(
    {
        # structure and applicators
        "type", "properties", "patternProperties", "additionalProperties", "required", "propertyNames",
        "minProperties", "maxProperties", "items", "minItems", "maxItems", "uniqueItems", "contains",
        "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
        # values
        "const", "enum", "pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
        "exclusiveMaximum", "multipleOf", "format",
        # annotations
        "title", "description", "examples", "default", "deprecated", "readOnly", "writeOnly", "$comment",
    }
)  # fmt: skip


class NotTranslatable(Exception):
    """The schema uses a keyword with no draft-07 equivalent; use jsonschema alone for it."""


def to_draft07(bundled: dict[str, Any]) -> dict[str, Any]:
    """The draft-07 equivalent of a bundled (no `$ref`) 2020-12 schema; `NotTranslatable` if there is none."""
    translated = _translate(bundled)
    translated["$schema"] = DRAFT_07
    return translated


def _translate(node: Any) -> Any:
    if isinstance(node, bool):
        return node
    if not isinstance(node, dict):
        raise NotTranslatable(f"a schema must be an object or a boolean, not {type(node).__name__}")
    node = map_subschemas(node, _translate)  # children first; below only renames this node's keywords
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$schema":
            continue
        if key == "prefixItems":
            result["items"] = value
            if "items" in node:
                result["additionalItems"] = node["items"]
        elif key == "items" and "prefixItems" in node:
            continue  # became additionalItems above
        elif key in ("dependentRequired", "dependentSchemas"):
            result.setdefault("dependencies", {}).update(value)
        elif key == "format":
            if value in FORMAT_FUNCTIONS:
                result[key] = value
        elif key in _SAME_IN_BOTH:
            result[key] = value
        else:
            raise NotTranslatable(f"keyword {key!r} has no draft-07 equivalent")
    return result
