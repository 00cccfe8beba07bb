"""JSON Schema plumbing: the catalogue's `referencing.Registry`, schema keywords, and bundling.

Each catalogue file that holds a schema gets a URI under one fixed base, made of its path inside the catalogue,
so a `$ref` is written relative to the referencing file (`../../envelope.schema.json#/$defs/crn`) exactly as
file-based JSON Schema tools expect, and the URIs do not depend on where the catalogue lives on disk (a catalogue
and its copy at a git ref bundle to the same schemas).

`bundle` inlines every `$ref` into one self-contained schema. The validators of record resolve `$ref`s through
the registry; the bundle is what tools that cannot follow references (jsoncompat, the draft-07 fast path, the
field diff) work on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from tidings.contracts.errors import CatalogError

__all__ = [
    "CATALOG_BASE_URI",
    "DRAFT_2020_12",
    "SCHEMA_LIST_KEYWORDS",
    "SCHEMA_MAP_KEYWORDS",
    "SCHEMA_VALUE_KEYWORDS",
    "bundle",
    "catalog_uri",
    "fold_all_of",
    "make_registry",
    "map_subschemas",
    "with_base_uri",
]

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
CATALOG_BASE_URI = "https://tidings.invalid/catalog/"
"""Base of the URIs catalogue files get in the registry. `.invalid` (RFC 2606) can never be fetched."""

# Keywords whose value is a schema, a list of schemas, or a map of name -> schema. Everything else (const, enum,
# examples, default...) is data and must not be walked as a schema.
SCHEMA_VALUE_KEYWORDS = frozenset(
    {
        "additionalProperties",
        "items",
        "contains",
        "not",
        "if",
        "then",
        "else",
        "propertyNames",
        "unevaluatedProperties",
        "unevaluatedItems",
        "additionalItems",
    }
)
SCHEMA_LIST_KEYWORDS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
SCHEMA_MAP_KEYWORDS = frozenset({"properties", "patternProperties", "dependentSchemas", "$defs", "definitions"})


def catalog_uri(relative_path: str) -> str:
    """The registry URI of a catalogue file, from its path relative to the catalogue root."""
    return CATALOG_BASE_URI + relative_path.replace("\\", "/")


def make_registry(resources: dict[str, Any]) -> Registry[Any]:
    """A registry holding each schema document under its URI (Draft 2020-12 unless `$schema` says otherwise)."""
    pairs = [
        (uri, Resource.from_contents(contents, default_specification=DRAFT202012))
        for uri, contents in resources.items()
    ]
    return Registry().with_resources(pairs).crawl()


def with_base_uri(schema: dict[str, Any], uri: str) -> dict[str, Any]:
    """A shallow copy of `schema` that knows its own URI, so relative `$ref`s resolve against it."""
    if "$id" in schema:
        return schema
    return {"$id": uri, **schema}


def map_subschemas(schema: Any, transform: Callable[[Any], Any]) -> Any:
    """A copy of one schema node with `transform` applied to each direct subschema (keyword-aware)."""
    if not isinstance(schema, dict):
        return schema
    result: dict[str, Any] = {}
    for key, value in schema.items():
        if key in SCHEMA_VALUE_KEYWORDS:
            result[key] = [transform(item) for item in value] if isinstance(value, list) else transform(value)
        elif key in SCHEMA_LIST_KEYWORDS and isinstance(value, list):
            result[key] = [transform(item) for item in value]
        elif key in SCHEMA_MAP_KEYWORDS and isinstance(value, dict):
            result[key] = {name: transform(item) for name, item in value.items()}
        else:
            result[key] = value
    return result


# Keywords that only describe; a `$ref` whose siblings are only these needs no `allOf` wrapper.
_ANNOTATIONS = frozenset(
    {"title", "description", "$comment", "examples", "default", "deprecated", "readOnly", "writeOnly"}
)


def bundle(schema: dict[str, Any], uri: str, registry: Registry[Any]) -> dict[str, Any]:
    """`schema` with every `$ref` inlined (resolved relative to `uri`), `$defs` dropped: self-contained.

    A `$ref` with sibling keywords becomes `allOf: [target, siblings]`, which is what 2020-12 means by it.
    A recursive schema cannot be inlined and is a `CatalogError`, as is a `$ref` that does not resolve.
    """
    resolver = registry.resolver(base_uri=uri)
    expanding: list[int] = []

    def inline(node: Any, resolver: Any) -> Any:
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            reference = node["$ref"]
            try:
                resolved = resolver.lookup(reference)
            except Unresolvable as exc:
                raise CatalogError(f"$ref {reference!r} does not resolve ({exc})") from None
            if id(resolved.contents) in expanding:
                raise CatalogError(f"$ref {reference!r} is recursive; tidings contracts cannot be recursive")
            expanding.append(id(resolved.contents))
            target = inline(resolved.contents, resolved.resolver)
            expanding.pop()
            siblings = {key: value for key, value in node.items() if key != "$ref"}
            rest = inline(siblings, resolver)
            if not set(rest) - _ANNOTATIONS:
                return target
            return {"allOf": [target, rest]}
        inner = map_subschemas(node, lambda sub: inline(sub, resolver))
        for key in ("$defs", "definitions", "$id", "$schema", "$anchor", "$comment"):
            inner.pop(key, None)
        return inner

    bundled = inline(schema, resolver)
    if not isinstance(bundled, dict):
        raise CatalogError("a contract's schema must be a JSON object")
    return {"$schema": DRAFT_2020_12, **bundled}


# Keywords whose meaning depends on sibling keywords of the same schema object: merging branches that carry
# them would change what they apply to.
_CONTEXTUAL = frozenset({"additionalProperties", "patternProperties", "additionalItems", "if", "then", "else"})


def fold_all_of(schema: Any) -> Any:
    """An equivalent schema with `allOf` branches merged into their parent where that is plainly safe.

    Bundling turns "the envelope, refined by this event" into `allOf: [envelope, refinement]`; generated code
    would then walk the event twice. Folding makes one walk: properties present in both branches become
    `allOf` of the two property schemas (folded in turn), `required` lists are joined, and anything that
    cannot be merged stays in an `allOf`.
    """
    if not isinstance(schema, dict):
        return schema
    schema = map_subschemas(schema, fold_all_of)
    branches = schema.get("allOf")
    if not isinstance(branches, list):
        return schema
    merged: dict[str, Any] = {key: value for key, value in schema.items() if key != "allOf"}
    kept: list[Any] = []
    for branch in branches:
        combined = _merge(merged, branch) if isinstance(branch, dict) else None
        if combined is None:
            kept.append(branch)
        else:
            merged = combined
    if kept:
        merged["allOf"] = kept
    return merged


def _merge(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any] | None:
    """Both schemas as one, or None when that would not mean the same."""
    if _CONTEXTUAL & (first.keys() | second.keys()):
        return None
    result = dict(first)
    for key, value in second.items():
        if key not in result or key in _ANNOTATIONS:
            result.setdefault(key, value)
        elif key == "properties":
            properties = dict(result[key])
            for name, subschema in value.items():
                properties[name] = (
                    fold_all_of({"allOf": [properties[name], subschema]}) if name in properties else subschema
                )
            result[key] = properties
        elif key == "required":
            result[key] = list(dict.fromkeys([*result[key], *value]))
        elif result[key] != value:
            return None
    return result
