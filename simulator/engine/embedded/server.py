"""moto's SNS/SQS server, served in a background thread of this process on a loopback port.

moto's own `ThreadedMotoServer` uses werkzeug's development server, which closes the connection after every
request and then waits up to 10 ms for more input on it: each boto3 call pays a new TCP connection, a new thread
and that wait. This server speaks HTTP/1.1 with keep-alive (one thread per client connection, as boto3's pool
keeps them open), answers in one write with TCP_NODELAY, reads header lines itself (http.server's email-based
parser was a tenth of a request) and hands each request to moto's WSGI application (SNS/SQS past Flask with the
moto patches on: `direct.py`). Measured with the moto patches on: a GetQueueUrl round trip 1.6-2.0 ms instead of
3.5-4.2 ms, a SendMessage 1.8-2.3 ms instead of 8-11 ms.

`call_wsgi` and `wsgi_environ` are shared with simulator/engine/embedded/inprocess.py, which hands this process's own
clients' requests to the same application without the socket.
"""

from __future__ import annotations

import contextlib
import errno
import socket
import socketserver
import struct
import sys
import threading
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from typing import Any
from urllib.parse import unquote

from tidings.contracts.errors import EngineError
from tidings.simulator.engine.embedded import patches as moto_patches
from tidings.simulator.engine.embedded.developer_sqs import DeveloperSqs
from tidings.simulator.engine.embedded.direct import DirectDispatch

__all__ = ["EmbeddedServer", "call_wsgi", "wsgi_environ"]

_MAX_LINE = 65536
_MAX_FIELDS = 100


class EmbeddedServer:
    """moto's WSGI app on `host:port` (port 0 picks a free one). Start with `start()`, stop with `stop()`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.requested_port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port actually bound (known after `start()`)."""
        if self._server is None:
            raise RuntimeError("the embedded server is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        """Started and not yet stopped."""
        return self._server is not None

    @property
    def app(self) -> Any:
        """moto's WSGI application this server serves (known after `start()`): callers in this process may call
        it directly, sharing moto's state with the clients that come over HTTP."""
        if self._server is None:
            raise RuntimeError("the embedded server is not started")
        return self._server.app

    def wrap(self, wrapper: Callable[[Any], Any]) -> None:
        """Serve `wrapper(app)` instead of the app (a WSGI middleware such as `tidings up`'s /_tidings/info): both
        the HTTP socket and the in-process transport call it from now on."""
        if self._server is None:
            raise RuntimeError("the embedded server is not started")
        self._server.app = wrapper(self._server.app)

    def start(self) -> EmbeddedServer:
        """Bind and serve in a daemon thread; raises EngineError when the port is taken."""
        moto_patches.apply()
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        app = DeveloperSqs(DirectDispatch(DomainDispatcherApplication(create_backend_app)))
        try:
            self._server = _Server((self.host, self.requested_port), _KeepAliveHandler, app)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise EngineError(
                    f"cannot start the embedded engine: port {self.requested_port} on {self.host} is already in use",
                    hint=(
                        "another `tidings up` or LocalStack may be running there: use it with "
                        f"`--endpoint http://localhost:{self.requested_port}`, stop it, or pick another `--port`"
                    ),
                ) from None
            raise EngineError(
                f"cannot start the embedded engine on {self.host}:{self.requested_port}: {error}"
            ) from None
        self._thread = threading.Thread(target=self._server.serve_forever, name="tidings-engine", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, close every open connection and wait for the accept loop to end."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        server.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Rebinding right after a stop must work despite connections in TIME_WAIT; on Linux this never lets two
    # servers listen on one port (that would be SO_REUSEPORT), so a taken port still fails.
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], app: Any) -> None:
        self.app = app
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host's name up in DNS, which can take seconds; nothing here needs it.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections, self._connections = self._connections, set()
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                # Closed with a reset, not a FIN: a FIN would leave this port in TIME_WAIT for a minute, and an
                # engine started again on the same port (`tidings up`) could not bind it meanwhile.
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                connection.shutdown(socket.SHUT_RDWR)


class _KeepAliveHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    fields: list[tuple[str, str]]

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle_one_request(self) -> None:
        # http.server parses headers with the email package, a tenth of a request's time here: SDK requests
        # need only `Name: value` lines.
        try:
            line = self.rfile.readline(_MAX_LINE + 1)
            if not line:
                self.close_connection = True
                return
            parts = line.decode("latin-1").split()
            fields = self._read_fields()
        except (ConnectionError, OSError, UnicodeDecodeError):
            self.close_connection = True
            return
        if len(parts) != 3 or len(line) > _MAX_LINE or fields is None:
            self.close_connection = True
            self.wfile.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        self.command, self.path, self.request_version = parts
        self.fields = fields
        connection = self._field("Connection").lower()
        self.close_connection = connection == "close" or (
            self.request_version == "HTTP/1.0" and connection != "keep-alive"
        )
        if self._field("Expect").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        self._run_wsgi()
        self.wfile.flush()

    def _read_fields(self) -> list[tuple[str, str]] | None:
        fields: list[tuple[str, str]] = []
        while len(fields) <= _MAX_FIELDS:
            line = self.rfile.readline(_MAX_LINE + 1)
            if line in (b"\r\n", b"\n", b""):
                return fields
            name, colon, value = line.decode("latin-1").partition(":")
            if not colon or len(line) > _MAX_LINE:
                return None
            fields.append((name.strip(), value.strip()))
        return None

    def _field(self, name: str, default: str = "") -> str:
        wanted = name.lower()
        return next((value for key, value in self.fields if key.lower() == wanted), default)

    def _run_wsgi(self) -> None:
        body = self._read_body()
        path, _, query = self.path.partition("?")
        environ = wsgi_environ(
            self.command,
            path,
            query,
            self.fields,
            body,
            server=self.server.server_address,
            remote_address=self.client_address[0],
            protocol=self.request_version,
        )
        status, headers, payload = call_wsgi(self.server.app, environ)
        lines = [f"{self.protocol_version} {status}", f"Date: {self.date_time_string()}"]
        lines += [
            f"{name}: {value}"
            for name, value in headers
            if name.lower() not in ("content-length", "connection", "transfer-encoding", "date")
        ]
        lines.append(f"Content-Length: {len(payload)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        # One write for head and body: two small writes would meet Nagle's algorithm and delayed ACKs (~40 ms).
        self.wfile.write(head if self.command == "HEAD" else head + payload)

    def _read_body(self) -> bytes:
        if self._field("Transfer-Encoding").lower() == "chunked":
            parts: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()  # the blank line after the last chunk
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self._field("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def log_message(self, format: str, *args: Any) -> None:
        """Requests are not logged: a consumer's polling would flood the terminal."""


def call_wsgi(app: Any, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run one request through the WSGI `app`: its status line (`200 OK`), headers and whole body. An exception
    in the app (a moto bug, an action moto lacks) answers 500 with its message, as a server must."""
    response: dict[str, Any] = {}
    chunks: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        response["status"], response["headers"] = status, headers
        return chunks.append

    try:
        result = app(environ, start_response)
        try:
            chunks.extend(result)
        finally:
            if hasattr(result, "close"):
                result.close()
    except Exception as error:  # a moto bug must answer 500, not drop the client's connection
        response["status"], response["headers"] = "500 Internal Server Error", [("Content-Type", "text/plain")]
        chunks = [f"tidings embedded engine: {type(error).__name__}: {error}".encode()]
    return response["status"], response["headers"], b"".join(chunks)


def wsgi_environ(
    method: str,
    path: str,
    query: str,
    fields: Iterable[tuple[str, str]],
    body: bytes,
    *,
    server: tuple[str, int] | Any,
    remote_address: str = "127.0.0.1",
    protocol: str = "HTTP/1.1",
) -> dict[str, Any]:
    """The WSGI environ of one request: `path` still percent-encoded, `fields` the request's header lines."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote(path, encoding="latin-1"),
        "QUERY_STRING": query,
        "RAW_URI": f"{path}?{query}" if query else path,
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": protocol,
        "REMOTE_ADDR": remote_address,
        "CONTENT_TYPE": "",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in fields:
        if "_" in name:
            continue  # as werkzeug and wsgiref do: `X_Foo` must not pass for `X-Foo`
        key = "HTTP_" + name.upper().replace("-", "_")
        if key == "HTTP_CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
            continue
        if key in ("HTTP_CONTENT_LENGTH", "HTTP_TRANSFER_ENCODING"):
            continue  # the body is read already: the app sees its length, not how it came
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ
