"""Serving the fake API: uvicorn in a background thread, on a socket bound before start so the port is known
(port 0 picks a free one) and "port in use" is a clear error rather than a log line in another thread."""

from __future__ import annotations

import errno
import socket
import threading
import time
from typing import Any

import uvicorn

from tidings.contracts.errors import UsageError

__all__ = ["ApiServer"]


class ApiServer:
    """A running (or ready to run) uvicorn server for an ASGI app. Use as a context manager, or start/stop."""

    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self.requested_port = port
        self.port = port
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

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
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        assert self._socket is not None
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="tidings-fake-api", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise UsageError(f"the fake API did not start on {self.base_url}")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call twice."""
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=5)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> ApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
