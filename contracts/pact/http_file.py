"""Reading one HTTP interaction of a pact (V4 `Synchronous/HTTP`, or a V3 interaction with `request` and
`response`) into an `HttpInteraction`: the request's method, path and path matchers, the response's status,
headers, JSON body and body matchers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tidings.contracts.pact.model import HttpInteraction
from tidings.contracts.pact.parts import is_json, json_or_none, object_of, rules_of, states_of, v4_contents

__all__ = ["HTTP_INTERACTION", "http_interaction"]

HTTP_INTERACTION = "Synchronous/HTTP"


def http_interaction(
    raw: dict[str, Any], specification: str, where: str, consumer: str, provider: str, path: Path
) -> HttpInteraction:
    """The HTTP interaction `raw` (found at `where` in the pact at `path`)."""
    request = object_of(raw.get("request"))
    response = object_of(raw.get("response"))
    headers = _headers(response.get("headers"))
    header_type = next((value for name, value in headers.items() if name.lower() == "content-type"), None)
    if specification == "V4" and isinstance(response.get("body"), dict) and "content" in response["body"]:
        body, content_type = v4_contents(response["body"], where, path)
    else:
        body, content_type = response.get("body"), None
        if isinstance(body, str) and (header_type is None or is_json(header_type)):
            body = json_or_none(body) if body.strip()[:1] in ("{", "[") else body
    request_rules = object_of(request.get("matchingRules"))
    path_rules = request_rules.get("path")
    status = response.get("status", 200)
    return HttpInteraction(
        description=str(raw.get("description", "")),
        states=states_of(raw),
        method=str(request.get("method", "GET")).upper(),
        path=str(request.get("path", "/")),
        query=object_of(request.get("query")),
        status=status if isinstance(status, int) and not isinstance(status, bool) else None,
        headers=headers,
        body=body,
        content_type=content_type or header_type,
        body_rules=rules_of(object_of(response.get("matchingRules")).get("body")),
        path_rules=_path_rules(path_rules),
        consumer=consumer,
        provider=provider,
        source=where,
    )


def _headers(raw: Any) -> dict[str, str]:
    """V4 writes each header as a list of values, V3 as one string."""
    found: dict[str, str] = {}
    for name, value in object_of(raw).items():
        found[str(name)] = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return found


def _path_rules(rule: Any) -> list[dict[str, Any]]:
    """The path's matchers: V4 `{"matchers": [...]}`, V3 `{"": {"matchers": [...]}}`, or a bare V2 matcher."""
    if not isinstance(rule, dict):
        return []
    if isinstance(rule.get("matchers"), list):
        return [matcher for matcher in rule["matchers"] if isinstance(matcher, dict)]
    if "match" in rule:
        return [rule]
    return [matcher for matchers in rules_of(rule).values() for matcher in matchers]
