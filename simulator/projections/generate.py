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
from typing import Any

__all__ = ["generate"]

_BASE = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
_WORDS = ("river", "harbour", "meadow", "lantern", "orchard", "summit", "willow", "beacon", "cedar", "quarry")


def generate(schema: dict[str, Any], seed: int, key: str) -> Any:
    """A value valid against `schema` (bundled: no `$ref`), the same for the same `seed` and `key`."""
    return _value(schema, f"{seed}:{key}", "", required=True)


def _number(salt: str, pointer: str) -> int:
    return int.from_bytes(hashlib.blake2b(f"{salt}{pointer}".encode(), digest_size=8).digest(), "big")


def _nullable(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    return any(isinstance(branch, dict) and _nullable(branch) for branch in schema.get("anyOf", []))


def _value(schema: Any, salt: str, pointer: str, *, required: bool) -> Any:
    if not isinstance(schema, dict):
        return None
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        choices = [choice for choice in schema["enum"] if choice is not None] or [None]
        return choices[_number(salt, pointer) % len(choices)]
    if not required and _nullable(schema):
        return None
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
        return _value(merged, salt, pointer, required=required)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            branches = [b for b in schema[key] if isinstance(b, dict) and b.get("type") != "null"]
            return _value(branches[0] if branches else {"type": "null"}, salt, pointer, required=True)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None:
        kind = "object" if "properties" in schema else "string"
    n = _number(salt, pointer)
    if kind == "object":
        needed = set(schema.get("required", []))
        return {
            name: _value(sub, salt, f"{pointer}/{name}", required=name in needed)
            for name, sub in schema.get("properties", {}).items()
        }
    if kind == "array":
        count = max(int(schema.get("minItems", 1)), 1)
        return [_value(schema.get("items", {}), salt, f"{pointer}/{i}", required=True) for i in range(count)]
    if kind == "integer":
        low = int(schema.get("minimum", 1))
        high = int(schema.get("maximum", max(low, 1) + 999_999))
        return low + n % (high - low + 1)
    if kind == "number":
        return float(int(schema.get("minimum", 0)) + n % 100)
    if kind == "boolean":
        return bool(n % 2)
    if kind == "null":
        return None
    return _string(schema, n)


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
    return _value(node, f"{seed}:{key}", "/" + "/".join(parts), required=True)


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
