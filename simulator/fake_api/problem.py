"""RFC 9457 problem details: the fake API's error bodies (`application/problem+json`)."""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import Response

__all__ = ["problem"]


def problem(status: int, title: str, detail: str, *, instance: str | None = None, **extra: Any) -> Response:
    """A problem+json response; `extra` members (e.g. `hint`, `errors`) are added as they are."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if instance is not None:
        body["instance"] = instance
    body.update({key: value for key, value in extra.items() if value is not None})
    return Response(json.dumps(body), status_code=status, media_type="application/problem+json")
