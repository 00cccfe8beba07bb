"""The parts of a pact interaction that message and HTTP interactions share: V4 `contents` bodies (plain, JSON
text, base64), provider states, matching rules."""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import Any

from tidings.contracts.errors import InputFileError
from tidings.contracts.pact.model import ProviderState

__all__ = ["is_json", "json_or_none", "object_of", "rules_of", "states_of", "v4_contents"]


def v4_contents(contents: Any, where: str, path: Path) -> tuple[Any, str | None]:
    """(body, content type) of a V4 `contents` (or HTTP `body`) object: JSON parsed, base64 decoded."""
    if not isinstance(contents, dict):
        return None, None
    content_type = contents.get("contentType")
    content = contents.get("content")
    encoded = str(contents.get("encoded", "")).lower()
    if encoded == "base64" and isinstance(content, str):
        try:
            decoded = base64.b64decode(content, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise InputFileError(path, f"{where}: contents are not valid base64 UTF-8 text") from None
        content = json_or_none(decoded) if is_json(content_type) else decoded
    elif isinstance(content, str) and (
        is_json(content_type) or (isinstance(encoded, str) and encoded.lower() == "json")
    ):
        content = json_or_none(content)
    return content, content_type


def is_json(content_type: Any) -> bool:
    """Whether a content type names JSON."""
    return isinstance(content_type, str) and "json" in content_type.lower()


def json_or_none(text: str) -> Any:
    """`text` parsed as JSON, or None when it is not JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


def states_of(raw: dict[str, Any]) -> tuple[ProviderState, ...]:
    """The provider states of an interaction (V3/V4 `providerStates`, or a V2-style `providerState`)."""
    states = raw.get("providerStates")
    if states is None and isinstance(raw.get("providerState"), str):  # V2-style single state
        states = [{"name": raw["providerState"]}]
    found = []
    for state in states if isinstance(states, list) else []:
        if isinstance(state, dict) and isinstance(state.get("name"), str):
            params = state.get("params")
            found.append(ProviderState(state["name"], dict(params) if isinstance(params, dict) else {}))
    return tuple(found)


def rules_of(category: Any) -> dict[str, list[dict[str, Any]]]:
    """`{path: [matcher, ...]}` from one category of matching rules, in either pact form: `{"matchers": [...],
    "combine": "AND"}` (V3, V4) or a bare matcher (V2)."""
    if not isinstance(category, dict):
        return {}
    rules: dict[str, list[dict[str, Any]]] = {}
    for path, rule in category.items():
        if isinstance(rule, dict) and isinstance(rule.get("matchers"), list):
            rules[str(path)] = [matcher for matcher in rule["matchers"] if isinstance(matcher, dict)]
        elif isinstance(rule, dict) and "match" in rule:
            rules[str(path)] = [rule]
    return rules


def object_of(value: Any) -> dict[str, Any]:
    """`value` when it is an object, else `{}`."""
    return value if isinstance(value, dict) else {}
