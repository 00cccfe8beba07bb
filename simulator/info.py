"""`GET /_tidings/info` on the engine's own address: a running `tidings up` says what it serves (its fake API,
topics, queues, tidings' version), so `tidings play` / `tidings emit` pointed at its engine (`--endpoint` or the
`AWS_ENDPOINT_URL` it printed) write the fake API's state to *its* fake API, not to whatever answers elsewhere.

    serve_info(engine, lambda: {"api_url": ..., "topic_arns": ..., "queue_urls": ...})   # in `tidings up`
    info = fetch_info("http://127.0.0.1:4566")                                           # None: not a tidings up
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from importlib import metadata
from typing import Any

__all__ = ["INFO_PATH", "InfoApp", "fetch_info", "serve_info", "tidings_version"]

INFO_PATH = "/_tidings/info"


def tidings_version() -> str:
    try:
        return metadata.version("tidings")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "unknown"


class InfoApp:
    """A WSGI wrapper answering `GET /_tidings/info` with `info()` as JSON; every other request goes to `app`
    (moto's SNS/SQS, whose paths never start with `/_tidings/`)."""

    def __init__(self, app: Any, info: Callable[[], dict[str, Any]]) -> None:
        self.app = app
        self.info = info

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == INFO_PATH and environ.get("REQUEST_METHOD") == "GET":
            body = json.dumps({"tidings": tidings_version(), **self.info()}).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return self.app(environ, start_response)


def serve_info(engine: Any, info: Callable[[], dict[str, Any]]) -> bool:
    """Answer `GET /_tidings/info` on an embedded engine's own server (the HTTP socket and the in-process
    transport both call the server's app); False for an engine that is not ours (LocalStack, AWS)."""
    return bool(engine.wrap_embedded_app(lambda app: InfoApp(app, info)))


def fetch_info(endpoint: str, *, timeout: float = 1.0) -> dict[str, Any] | None:
    """What the `tidings up` at `endpoint` serves, or None when the engine there is not one (LocalStack, AWS,
    an old tidings) or does not answer."""
    try:
        with urllib.request.urlopen(endpoint.rstrip("/") + INFO_PATH, timeout=timeout) as response:
            found = json.loads(response.read())
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) and "tidings" in found else None
