"""`--api-host`: an IPv6 loopback address is served (and bracketed in URLs); an address that is not this
machine's is one UsageError with a hint."""

from __future__ import annotations

import socket

import httpx
import pytest
from fastapi import FastAPI

from tidings.contracts.errors import UsageError
from tidings.simulator.fake_api.server import ApiServer


def _ipv6() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6(), reason="no IPv6 loopback on this machine")
def test_the_ipv6_loopback_is_served_with_a_bracketed_url() -> None:
    app = FastAPI()
    app.get("/ping")(lambda: {"ok": True})
    server = ApiServer(app, host="::1").start()
    try:
        assert server.base_url.startswith("http://[::1]:")
        assert httpx.get(f"{server.base_url}/ping", timeout=5).json() == {"ok": True}
    finally:
        server.stop()


def test_an_address_not_of_this_machine_is_refused_with_a_hint() -> None:
    with pytest.raises(UsageError, match=r"cannot serve the fake API on 203\.0\.113\.5:0") as raised:
        ApiServer(FastAPI(), host="203.0.113.5").bind()  # TEST-NET-3: binding sends nothing
    assert raised.value.hint is not None and "127.0.0.1" in raised.value.hint
