"""The HTTP endpoint pact's verifier asks for messages, in pact's message provider protocol: a POST of
`{"description": ..., "providerStates": [...]}`, answered with the message body, its content type, and its
metadata as base64-encoded JSON in the `Pact-Message-Metadata` header. With a state handler it also takes pact's
state-change calls (`{"state": ..., "action": "setup"|"teardown", "params": {...}}`) at `STATE_PATH`.

pact-python ships such relays, but they stop only at their server's next half-second poll (half a second lost
on every pact file verified), its state relay never closes its socket, and both log every request to stderr.
This one binds 127.0.0.1 on a free port, stops at once, and logs nothing.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = ["MessageHandler", "MessageServer", "StateHandler"]

MessageHandler = Callable[[str, dict[str, Any]], dict[str, Any]]
"""`(description, request) -> {"contents": bytes, "metadata": dict | None, "content_type": str | None}`; an
exception fails that interaction (its text is the response body)."""

StateHandler = Callable[[str, str, dict[str, Any]], None]
"""`(state, action, params) -> None`: pact's state-change call; it must not raise (pact would retry for minutes)."""


class MessageServer:
    """Serve `handler` at `http://127.0.0.1:{port}{PATH}` while the `with` block runs."""

    PATH = "/_tidings/pact/message"
    STATE_PATH = "/_tidings/pact/state"
    HOST = "127.0.0.1"

    def __init__(self, handler: MessageHandler, state_handler: StateHandler | None = None) -> None:
        self.handler = handler
        self.state_handler = state_handler
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def state_url(self) -> str:
        """Where pact sends state-change calls (only while running)."""
        return f"http://{self.HOST}:{self.port}{self.STATE_PATH}"

    @property
    def port(self) -> int:
        """The port the server listens on (only while running)."""
        if self._server is None:
            raise RuntimeError("the message server is not running")
        return int(self._server.server_address[1])

    def __enter__(self) -> MessageServer:
        server = ThreadingHTTPServer((self.HOST, 0), _handler_class(self.handler, self.state_handler))
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


def _handler_class(handler: MessageHandler, state_handler: StateHandler | None) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == MessageServer.STATE_PATH and state_handler is not None:
                call = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                params = call.get("params")
                state_handler(
                    str(call.get("state") or ""),
                    str(call.get("action") or "setup"),
                    params if isinstance(params, dict) else {},
                )
                self._reply(200, b"{}", "application/json")
                return
            if path != MessageServer.PATH:
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
