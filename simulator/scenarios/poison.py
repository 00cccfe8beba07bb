"""Poison messages by kind: what a consumer meets when a producer (or something between) sends a broken event.

Each kind is chosen on purpose, never at random (`poison=0.1:invalid`; several kinds take turns, the first one
set by the seed), so a test knows which defence it exercises:

| kind            | the body                                              | what it tests                             |
|-----------------|-------------------------------------------------------|-------------------------------------------|
| malformed       | the event's JSON cut in half                          | the parser does not crash the consumer    |
| invalid         | `occurredAt: "yesterday"`, `personReference: {}`      | the consumer validates before it acts     |
| unknown-version | `version` raised by 998                               | versioned handling, not "latest" guessing |
| unknown-type    | `eventType` no catalogue declares (attribute kept)     | unknown types are parked, not mishandled  |

The SNS `eventType` attribute stays the original's, so every subscription's filter still admits the message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from tidings.contracts.errors import UsageError

__all__ = ["POISON_ALIASES", "POISON_KINDS", "UNKNOWN_TYPE", "parse_poison_kinds", "poison_body"]

POISON_KINDS = ("malformed", "invalid", "unknown-version", "unknown-type")
POISON_ALIASES = {"malformed-json": "malformed", "schema-invalid": "invalid", "wrong-type": "unknown-type"}
UNKNOWN_TYPE = "tidings.poison.unknown-type"


def parse_poison_kinds(text: str, raw: str) -> tuple[str, ...]:
    """`"malformed|invalid"` (or `,`/`+` between kinds) → the kinds, in order; empty text means all kinds."""
    if not text:
        return POISON_KINDS
    kinds: list[str] = []
    for part in text.replace(",", "|").replace("+", "|").split("|"):
        name = POISON_ALIASES.get(part.strip().lower(), part.strip().lower())
        if name not in POISON_KINDS:
            raise UsageError(
                f"bad fault {raw!r}: unknown poison kind {part.strip()!r}",
                hint="poison kinds are " + ", ".join(POISON_KINDS) + "; e.g. poison=0.1:malformed|invalid",
            )
        if name not in kinds:
            kinds.append(name)
    return tuple(kinds)


def poison_body(event: Mapping[str, Any], kind: str) -> str:
    """A broken rendering of `event` of the given kind (see the module's table)."""
    kind = POISON_ALIASES.get(kind, kind)
    if kind == "malformed":
        text = json.dumps(event)
        return text[: max(1, len(text) // 2)]
    if kind == "invalid":
        return json.dumps({**event, "occurredAt": "yesterday", "personReference": {}})
    if kind == "unknown-version":
        return json.dumps({**event, "version": int(event.get("version", 1)) + 998})
    if kind == "unknown-type":
        return json.dumps({**event, "eventType": UNKNOWN_TYPE})
    raise ValueError(f"unknown poison kind {kind!r}")
