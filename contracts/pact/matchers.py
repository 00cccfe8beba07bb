"""Pact matchers seen from the contract: which JSON types each one accepts, and whether a contract field's types
fit it. `match.int` on a field the contract types `string` can never pass against the producer's events (an
error); `match.int` on a `number` field passes only while the producer happens to send whole numbers (a warning).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tidings.contracts.pact.regex_lint import regex_problem

__all__ = ["Fit", "describe_matcher", "fit", "regex_accepts"]

# Matcher name (pact's `match`) → the JSON types it accepts. `None`: it constrains the value, not the type.
_ACCEPTS: dict[str, frozenset[str] | None] = {
    "integer": frozenset({"integer"}),
    "decimal": frozenset({"number"}),
    "number": frozenset({"integer", "number"}),
    "boolean": frozenset({"boolean"}),
    "null": frozenset({"null"}),
    "regex": frozenset({"string"}),
    "date": frozenset({"string"}),
    "time": frozenset({"string"}),
    "datetime": frozenset({"string"}),
    "timestamp": frozenset({"string"}),
    "include": frozenset({"string"}),
    "semver": frozenset({"string"}),
    "contentType": frozenset({"string"}),
    "eachKey": frozenset({"object"}),
    "eachValue": frozenset({"object"}),
    "values": frozenset({"object"}),
    "arrayContains": frozenset({"array"}),
    "notEmpty": frozenset({"string", "array", "object"}),
    "type": None,
    "equality": None,
}

# How a pact-python user wrote it, for messages.
_PACT_PYTHON = {
    "integer": "match.int",
    "decimal": "match.float",
    "number": "match.number",
    "boolean": "match.bool",
    "null": "match.none",
    "regex": "match.regex",
    "date": "match.date",
    "time": "match.time",
    "datetime": "match.datetime",
    "timestamp": "match.datetime",
    "include": "match.includes",
    "type": "match.like",
    "eachKey": "match.each_key_matches",
    "eachValue": "match.each_value_matches",
    "arrayContains": "match.array_containing",
}


@dataclass(frozen=True)
class Fit:
    """How a matcher fits a field: `ok`, `partial` (some values the contract allows fail it) or `never`."""

    verdict: str
    accepted: frozenset[str] | None

    @property
    def known(self) -> bool:
        """False for a matcher tidings does not know (it is then not judged)."""
        return self.verdict != "unknown"


def describe_matcher(matcher: dict[str, Any]) -> str:
    """`match.int (integer)`, `match.like (type, min 1)`: how the matcher reads in a message."""
    name = str(matcher.get("match", "?"))
    extras = [f"{key} {matcher[key]}" for key in ("min", "max") if key in matcher]
    label = f"{_PACT_PYTHON[name]} ({', '.join([name, *extras])})" if name in _PACT_PYTHON else f"matcher {name!r}"
    return label


def fit(matcher: dict[str, Any], field_types: tuple[str, ...]) -> Fit:
    """How `matcher` fits a field allowing `field_types` (`()` is any type)."""
    name = matcher.get("match")
    if name not in _ACCEPTS:
        return Fit("unknown", None)
    accepted = _ACCEPTS[name]
    if name == "type" and ("min" in matcher or "max" in matcher):
        accepted = frozenset({"array"})  # match.each_like / like(min=, max=): a length applies to arrays
    if accepted is None or not field_types:
        return Fit("ok", accepted)
    allowed = set(field_types)
    if "number" in allowed:
        allowed.add("integer")  # a number field may carry whole numbers
    if not allowed & accepted:
        return Fit("never", accepted)
    return Fit("ok" if allowed <= accepted else "partial", accepted)


def regex_accepts(pattern: str, value: Any) -> bool | None:
    """Whether pact's regex matcher accepts `value`: the whole value must match, as pact's verifier requires;
    None when Python cannot compile the pattern, or it would backtrack catastrophically (tidings then does not
    judge it: `regex_lint` reports it)."""
    if regex_problem(pattern) is not None:
        return None
    try:
        compiled = re.compile(pattern)
    except re.error:
        return None
    return compiled.fullmatch(value if isinstance(value, str) else str(value)) is not None
