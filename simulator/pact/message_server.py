"""The HTTP endpoint pact's verifier asks for messages, in pact's message provider protocol: a POST of
`{"description": ..., "providerStates": [...]}`, answered with the message body, its content type, and its
metadata as base64-encoded JSON in the `Pact-Message-Metadata` header.

pact-python ships such a relay, but it stops only at its server's next half-second poll: half a second lost on
every pact file verified. This one binds 127.0.0.1 on a free port, stops at once, and logs nothing.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = ["MessageHandler", "MessageServer"]

MessageHandler = Callable[[str, dict[str, Any]], dict[str, Any]]
"""`(description, request) -> {"contents": bytes, "metadata": dict | None, "content_type": str | None}`; an
exception fails that interaction (its text is the response body)."""


class MessageServer:
    """Serve `handler` at `http://127.0.0.1:{port}{PATH}` while the `with` block runs."""

    PATH = "/_tidings/pact/message"
    HOST = "127.0.0.1"

    def __init__(self, handler: MessageHandler) -> None:
        self.handler = handler
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port the server listens on (only while running)."""
        if self._server is None:
            raise RuntimeError("the message server is not running")
        return int(self._server.server_address[1])

    def __enter__(self) -> MessageServer:
        server = ThreadingHTTPServer((self.HOST, 0), _handler_class(self.handler))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, name="tidings pact messages", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None


def _handler_class(handler: MessageHandler) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if self.path.split("?", 1)[0] != MessageServer.PATH:
                self._reply(404, b"not found", "text/plain")
                return
            try:
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                description = str(request.pop("description", ""))
                message = handler(description, request)
            except Exception as error:  # the handler's failure fails the interaction, with its text
                self._reply(500, f"{type(error).__name__}: {error}".encode(), "text/plain")
                return
            metadata = dict(message.get("metadata") or {})
            content_type = message.get("content_type")
            if content_type:
                metadata.setdefault("contentType", content_type)
            encoded = base64.b64encode(json.dumps(metadata).encode()).decode() if metadata else None
            self._reply(200, message.get("contents") or b"", content_type, encoded)

        def _reply(self, status: int, body: bytes, content_type: str | None, metadata: str | None = None) -> None:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            if metadata:
                self.send_header("Pact-Message-Metadata", metadata)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the verification report says what happened."""

    return _Handler
