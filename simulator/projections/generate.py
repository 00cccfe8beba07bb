"""Values for the fields no event carries, made from a resource's (bundled) JSON Schema.

Deterministic: every value is a function of the seed, the resource's path and the field's JSON pointer, so the
same run serves the same referral, and two processes agree. Valid by construction for the keywords catalogues
use (type, enum, const, format uuid/date-time/date, pattern of capitals and digits, min/max, required, anyOf,
allOf); nullable fields are null (the producer writes nulls; projections fill them as events happen). The
callers validate the result anyway.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import uuid
from collections.abc import Callable
from typing import Any

__all__ = ["generate"]

_BASE = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
_WORDS = ("river", "harbour", "meadow", "lantern", "orchard", "summit", "willow", "beacon", "cedar", "quarry")


def generate(schema: dict[str, Any], seed: int, key: str) -> Any:
    """A value valid against `schema` (bundled: no `$ref`), the same for the same `seed` and `key`."""
    return _plan(schema, "", True)(f"{seed}:{key}")


Maker = Callable[[str], Any]
"""A compiled schema (or part of one): salt → a fresh value for it."""

_PLANS: dict[tuple[int, str, bool], tuple[Any, Maker]] = {}


def _plan(schema: Any, pointer: str, required: bool) -> Maker:
    """The maker of `schema`'s values at `pointer`, compiled once per schema (the schema is kept alive with it,
    so its id stays its own): walking the schema for every new resource cost more than the rest of a projection."""
    key = (id(schema), pointer, required)
    found = _PLANS.get(key)
    if found is None or found[0] is not schema:
        found = _PLANS[key] = (schema, _compile(schema, pointer, required=required))
    return found[1]


def _number(salt: str, pointer: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"{salt}{pointer}".encode(), digest_size=8).digest(), "big")


def _nullable(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    return any(isinstance(branch, dict) and _nullable(branch) for branch in schema.get("anyOf", []))


def _constant(value: Any) -> Maker:
    return lambda salt: value


def _compile(schema: Any, pointer: str, *, required: bool) -> Maker:
    if not isinstance(schema, dict):
        return _constant(None)
    if "const" in schema:
        return _constant(schema["const"])
    if "enum" in schema:
        choices = [choice for choice in schema["enum"] if choice is not None] or [None]
        return lambda salt: choices[_number(salt, pointer) % len(choices)]
    if not required and _nullable(schema):
        return _constant(None)
    if "allOf" in schema:
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for branch in schema["allOf"]:
            for k, v in branch.items():
                if k == "properties":
                    merged["properties"] = {**merged.get("properties", {}), **v}
                elif k == "required":
                    merged["required"] = [*merged.get("required", []), *v]
                else:
                    merged.setdefault(k, v)
        return _compile(merged, pointer, required=required)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            branches = [b for b in schema[key] if isinstance(b, dict) and b.get("type") != "null"]
            return _compile(branches[0] if branches else {"type": "null"}, pointer, required=True)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    if kind == "object":
        needed = set(schema.get("required", []))
        fields = [
            (name, _compile(sub, f"{pointer}/{name}", required=name in needed))
            for name, sub in schema.get("properties", {}).items()
        ]
        return lambda salt: {name: make(salt) for name, make in fields}
    if kind == "array":
        count = max(int(schema.get("minItems", 1)), 1)
        items = [_compile(schema.get("items", {}), f"{pointer}/{i}", required=True) for i in range(count)]
        return lambda salt: [make(salt) for make in items]
    if kind == "integer":
        low = int(schema.get("minimum", 1))
        span = int(schema.get("maximum", max(low, 1) + 999_999)) - low + 1
        return lambda salt: low + _number(salt, pointer) % span
    if kind == "number":
        floor = int(schema.get("minimum", 0))
        return lambda salt: float(floor + _number(salt, pointer) % 100)
    if kind == "boolean":
        return lambda salt: bool(_number(salt, pointer) % 2)
    if kind == "null":
        return _constant(None)
    return lambda salt: _string(schema, _number(salt, pointer))


def _string(schema: dict[str, Any], n: int) -> str:
    fmt = schema.get("format")
    if fmt == "uuid":
        return str(uuid.UUID(int=n << 64 | (n * 0x9E3779B97F4A7C15) % (1 << 64), version=4))
    if fmt == "date-time":
        return (_BASE + datetime.timedelta(minutes=n % 500_000)).isoformat().replace("+00:00", "Z")
    if fmt == "date":
        return (_BASE.date() + datetime.timedelta(days=n % 1_000)).isoformat()
    if fmt in ("uri", "url"):
        return f"https://example.invalid/{_WORDS[n % len(_WORDS)]}"
    if fmt == "email":
        return f"{_WORDS[n % len(_WORDS)]}.{n % 1000}@example.invalid"
    text = f"{_WORDS[n % len(_WORDS)]}-{n % 10_000}"
    pattern = schema.get("pattern")
    if pattern is not None and not re.search(pattern, text):
        text = f"A{n % 10_000}"  # capitals and digits satisfy the catalogue's patterns (post codes, codes)
    low, high = int(schema.get("minLength", 0)), schema.get("maxLength")
    if high is not None:
        text = text[: int(high)]
    return text.ljust(low, "X")


def generate_at(schema: dict[str, Any], seed: int, key: str, parts: list[str]) -> Any:
    """A non-null value for the field at `parts` (a path of names and list indexes) inside `schema`: what a
    projection fills a null object with before it sets one of its fields."""
    node: Any = schema
    for part in parts:
        node = _child(node, part)
    return _plan(node, "/" + "/".join(parts), True)(f"{seed}:{key}")


def _child(schema: Any, part: str) -> Any:
    if not isinstance(schema, dict):
        return {}
    for branch in [*schema.get("anyOf", []), *schema.get("oneOf", []), *schema.get("allOf", [])]:
        if isinstance(branch, dict) and branch.get("type") != "null":
            found = _child(branch, part)
            if found:
                return found
    if part.isdigit() and "items" in schema:
        return schema["items"]
    return schema.get("properties", {}).get(part, {})
