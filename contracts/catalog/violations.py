"""Turning jsonschema's errors into `Violation`s: a JSON pointer into the event, what is wrong, expected vs
found, worded for someone fixing a fixture or a producer."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from jsonschema.exceptions import ValidationError

from tidings.contracts.catalog.formats import FORMAT_EXPECTATIONS
from tidings.contracts.catalog.model import Violation

__all__ = ["describe_value", "json_pointer", "json_type", "to_violations"]


def json_pointer(parts: Iterable[Any]) -> str:
    """An RFC 6901 pointer (`/additionalInformation/referralId`, `/personReference/identifiers/0/value`)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def describe_value(value: Any, limit: int = 60) -> str:
    """A value as a reader wants to see it in a message: its JSON type and (shortened) JSON text."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"{json_type(value)} {text}"


def json_type(value: Any) -> str:
    """The JSON Schema type name of a Python value (`integer` for 1, `boolean` for True)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def to_violations(errors: Iterable[ValidationError]) -> list[Violation]:
    """One `Violation` per error (a missing property each gets its own), sorted by pointer for stable output.

    A wrong type hides the other complaints about the same value (`"1"` for `version` is a wrong type; that it
    is also not the constant 1 or below a minimum is noise)."""
    found: set[Violation] = set()
    for error in errors:
        found.update(_convert(error))
    mistyped = {violation.pointer for violation in found if violation.message == _WRONG_TYPE}
    kept = [v for v in found if v.pointer not in mistyped or v.message in (_WRONG_TYPE, _MISSING)]
    return sorted(kept, key=lambda violation: (violation.pointer, violation.message, violation.found))


_WRONG_TYPE = "wrong type"
_MISSING = "required property is missing"


def _convert(error: ValidationError) -> list[Violation]:
    pointer = json_pointer(error.absolute_path)
    keyword, expected_value, instance = error.validator, error.validator_value, error.instance
    if keyword == "required":
        missing = [name for name in expected_value if isinstance(instance, dict) and name not in instance]
        named = [name for name in missing if error.message == f"{name!r} is a required property"] or missing[:1]
        return [Violation(f"{pointer}{json_pointer([name])}", _MISSING, "present", "absent") for name in named]
    return [Violation(pointer, *_describe(keyword, expected_value, instance, error.message))]


def _describe(keyword: Any, expected: Any, instance: Any, message: str) -> tuple[str, str, str]:
    """(message, expected, found) for one failed keyword."""
    found = describe_value(instance)
    if keyword == "type":
        wanted = " or ".join(expected) if isinstance(expected, list) else str(expected)
        return _WRONG_TYPE, wanted, found
    if keyword == "const":
        return "wrong value", json.dumps(expected, ensure_ascii=False), found
    if keyword == "enum":
        return "not one of the allowed values", "one of " + ", ".join(json.dumps(v) for v in expected), found
    if keyword == "pattern":
        return "does not match the pattern", f"a string matching {expected}", found
    if keyword == "format":
        return f"not a valid {expected}", FORMAT_EXPECTATIONS.get(str(expected), str(expected)), found
    if keyword in ("minLength", "maxLength"):
        bound = "at least" if keyword == "minLength" else "at most"
        return "wrong length", f"{bound} {expected} characters", f"{len(instance)} characters"
    if keyword in ("minItems", "maxItems"):
        bound = "at least" if keyword == "minItems" else "at most"
        return "wrong number of items", f"{bound} {expected} items", f"{len(instance)} items"
    if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        sign = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}[keyword]
        return "out of range", f"{sign} {expected}", found
    if keyword in ("additionalProperties", "unevaluatedProperties") and expected is False:
        return message, "no other properties", found
    return message, f"{keyword}: {json.dumps(expected, ensure_ascii=False, default=str)}", found
