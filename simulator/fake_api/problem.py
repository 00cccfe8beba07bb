"""RFC 9457 problem details: the fake API's error bodies (`application/problem+json`)."""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import Response

__all__ = ["PROBLEM_SCHEMA", "problem", "problem_responses"]


def problem(status: int, title: str, detail: str, *, instance: str | None = None, **extra: Any) -> Response:
    """A problem+json response; `extra` members (e.g. `hint`, `errors`) are added as they are."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if instance is not None:
        body["instance"] = instance
    body.update({key: value for key, value in extra.items() if value is not None})
    return Response(json.dumps(body), status_code=status, media_type="application/problem+json")


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
    },
}

_MEANINGS = {
    400: "The request was understood but refused (the message and hint say why)",
    404: "No such thing (the hint says how to find what exists)",
    422: "The request does not match its schema (each error has a JSON pointer)",
    503: "This fake API has no engine to publish to",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for these error statuses, each documented as problem+json."""
    return {
        status: {
            "description": _MEANINGS.get(status, "An error"),
            "content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}},
        }
        for status in statuses
    }
