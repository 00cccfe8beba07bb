"""Serving the fake API: uvicorn in a background thread, on a socket bound before start so the port is known
(port 0 picks a free one) and "port in use" is a clear error rather than a log line in another thread.

`start_when_asked` serves lazily behind the bound socket: the app (FastAPI, uvicorn: ~0.15 s of imports, a
quarter of a pytest session's start) is built only when the first client connects — its connection waits in the
listen backlog meanwhile — or when `ensure_started` is called. Tests that never fetch a detailUrl never pay it."""

from __future__ import annotations

import errno
import select
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from tidings.contracts.errors import UsageError

__all__ = ["ApiServer", "Deferred"]


class Deferred:
    """An ASGI app that is not built yet: `ApiServer.start_when_asked` sets `.app` before the first request is
    served, so whatever wraps it (the pytest harness's error recorder) can be in place from the start."""

    def __init__(self) -> None:
        self.app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


class ApiServer:
    """A running (or ready to run) uvicorn server for an ASGI app. Use as a context manager, or start/stop."""

    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self.requested_port = port
        self.port = port
        self._socket: socket.socket | None = None
        self._server: Any = None  # a uvicorn.Server once serving
        self._thread: threading.Thread | None = None
        self._asked = threading.Event()  # start_when_asked: build and serve now
        self._stopping = threading.Event()
        self.start_error: BaseException | None = None

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>`: where detailUrls should point."""
        # Bound to every interface (in a container), the API is reached through localhost from where the
        # consumer runs; "0.0.0.0" in a detailUrl would not be fetchable.
        host = "localhost" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}"  # an IPv6 address is bracketed

    def bind(self) -> ApiServer:
        """Bind the listening socket now (so `base_url` is final before anything is published)."""
        if self._socket is None:
            # proto must say TCP: asyncio only sets TCP_NODELAY on accepted sockets whose proto is IPPROTO_TCP,
            # and without it every keep-alive answer waits ~40 ms for a delayed ACK (1,100 req/s instead of 5,000+).
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET  # --api-host ::1 is IPv6 loopback
            sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((self.host, self.requested_port))
            except OSError as error:
                sock.close()
                if error.errno == errno.EADDRINUSE:
                    raise UsageError(
                        f"cannot serve the fake API on {self.host}:{self.requested_port}: the port is in use",
                        hint="stop whatever uses it, or choose another port with --api-port (0 picks a free one)",
                    ) from None
                raise UsageError(
                    f"cannot serve the fake API on {self.host}:{self.requested_port}: {error.strerror or error}",
                    hint="use an address of this machine: 127.0.0.1 (the default), ::1 or 0.0.0.0 inside a container",
                ) from None
            sock.listen(1024)
            self._socket = sock
            self.port = sock.getsockname()[1]
        return self

    def start(self, *, timeout: float = 10.0) -> ApiServer:
        """Bind (if not yet), start serving in a daemon thread and wait until it accepts requests."""
        self.bind()
        self._server = self._uvicorn()
        assert self._socket is not None
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="tidings-fake-api", daemon=True
        )
        self._thread.start()
        self._wait_started(timeout)
        return self

    def start_when_asked(self, build: Callable[[], Any], into: Deferred) -> ApiServer:
        """Bind now; when the first client connects (or `ensure_started` is called), set `into.app = build()` —
        `into` being what `self.app` is or wraps — and serve."""
        self.bind()
        self._thread = threading.Thread(
            target=self._serve_when_asked, args=(build, into), name="tidings-fake-api", daemon=True
        )
        self._thread.start()
        return self

    def ensure_started(self, *, timeout: float = 30.0) -> None:
        """Serve now (a lazily started server), and wait until it accepts requests; at once when serving."""
        if self._server is not None and self._server.started:
            return
        self._asked.set()
        self._wait_started(timeout)

    def _serve_when_asked(self, build: Callable[[], Any], into: Deferred) -> None:
        sock = self._socket
        assert sock is not None
        while not self._asked.is_set() and not self._stopping.is_set():
            try:
                readable, _, _ = select.select([sock], [], [], 0.1)  # a client waits in the backlog meanwhile
            except (OSError, ValueError):  # closed by stop()
                return
            if readable:
                break
        if self._stopping.is_set():
            return
        try:
            into.app = build()
            self._server = self._uvicorn()
        except BaseException as error:  # kept for ensure_started; clients see the socket close
            self.start_error = error
            sock.close()
            return
        self._server.run(sockets=[sock])

    def _uvicorn(self) -> Any:
        import uvicorn

        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        return uvicorn.Server(config)

    def _wait_started(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self._server is None or not self._server.started:
            if self.start_error is not None:
                raise UsageError(f"the fake API did not start on {self.base_url}: {self.start_error}")
            if self._thread is None or not self._thread.is_alive() or time.monotonic() > deadline:
                raise UsageError(f"the fake API did not start on {self.base_url}")
            time.sleep(0.005)

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call twice."""
        self._stopping.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> ApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
