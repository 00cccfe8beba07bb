"""In-process transport: the embedded engine's own boto3 clients reach moto without a socket.

A boto3 client of the embedded engine still serialises, signs and parses every request exactly as against any
endpoint; only the HTTP hop to the server thread of this same process is skipped. botocore emits `before-send`
with the prepared request just before handing it to urllib3, and a handler that returns an `AWSResponse` ends
the send there (moto's own `mock_aws` works this way). This handler passes the request to the WSGI application
the embedded server serves, so clients over HTTP (other processes, `tidings up` users) and these clients share
moto's state. The socket hop cost the client urllib3's send and receive and the server thread's read and write,
and each of those switches the GIL between the two threads. Measured on bench/engine.py (3,000 events, 2 busy
cores): 241 events/s over the socket, 413 in process; a publish + receive + delete call 3.3 ms, 1.6 ms.

`TIDINGS_INPROCESS=0` switches it off: every request then goes over the loopback socket.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from email.utils import formatdate
from io import BytesIO
from typing import Any, cast
from urllib.parse import urlsplit

from tidings.simulator.engine.embedded.server import EmbeddedServer, call_wsgi, wsgi_environ

__all__ = ["SWITCH_VARIABLE", "attach", "enabled_by_environment"]

SWITCH_VARIABLE = "TIDINGS_INPROCESS"


def enabled_by_environment() -> bool:
    """False when `TIDINGS_INPROCESS` is `0`, `false`, `no` or `off`."""
    return os.environ.get(SWITCH_VARIABLE, "1").strip().lower() not in {"0", "false", "no", "off"}


def attach(client: Any, server: EmbeddedServer) -> None:
    """Answer `client`'s requests to the embedded `server` by calling its WSGI app in this thread. Requests to
    any other URL, or once the server is stopped, go over HTTP as before (and so fail as they would)."""
    client.meta.events.register("before-send", _Sender(server))


class _RawBody(BytesIO):
    """The response body as botocore reads a streamed one (`stream()`, as urllib3's response offers)."""

    def stream(self, amt: int = 65536, **_: Any) -> Iterator[bytes]:
        while chunk := self.read(amt):
            yield chunk


class _Sender:
    """The `before-send` handler: one WSGI call per request, its answer as botocore's `AWSResponse`."""

    def __init__(self, server: EmbeddedServer) -> None:
        self._server = server
        self._origin = server.url
        self._address = (server.host, server.port)

    def __call__(self, request: Any, **_: Any) -> Any:
        from botocore.awsrequest import AWSResponse, HeadersDict

        url: str = request.url
        if not (url.startswith(self._origin) and self._server.running):
            return None  # not our server, or stopped: let urllib3 send it
        parts = urlsplit(url)
        body = request.body
        if body is None:
            body = b""
        elif hasattr(body, "read"):
            body = body.read()
        if isinstance(body, str):
            body = body.encode("utf-8")
        fields = [(str(name), _text(value)) for name, value in request.headers.items()]
        if "host" not in (name.lower() for name, _ in fields):
            fields.append(("Host", parts.netloc))  # urllib3 would add it
        environ = wsgi_environ(request.method, parts.path or "/", parts.query, fields, body, server=self._address)
        status, fields_back, payload = call_wsgi(self._server.app, environ)
        headers = HeadersDict(fields_back)
        if "Date" not in headers:  # as the HTTP server adds it
            headers["Date"] = formatdate(usegmt=True)
        # botocore reads headers as a case-insensitive mapping (urllib3 hands it an HTTPHeaderDict).
        return AWSResponse(url, int(status.split(" ", 1)[0]), cast(Any, headers), _RawBody(payload))


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value
