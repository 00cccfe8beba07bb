"""The embedded engine's HTTP server: keep-alive, request bodies, and errors answered rather than dropped."""

from __future__ import annotations

import json
from http.client import HTTPConnection
from urllib.parse import urlsplit

import pytest

from tidings.simulator.engine.engines import Engine

_AUTH = "AWS4-HMAC-SHA256 Credential=test/20260101/eu-west-2/sqs/aws4_request, SignedHeaders=host, Signature=0"


def _connection(engine: Engine) -> HTTPConnection:
    if engine.kind != "embedded" or engine.endpoint_url is None:
        pytest.skip("about the embedded engine's own server")
    parts = urlsplit(engine.endpoint_url)
    return HTTPConnection(parts.hostname or "", parts.port, timeout=10)


def _sqs(
    connection: HTTPConnection, action: str, body: dict[str, object], *, chunked: bool = False
) -> tuple[int, bytes]:
    headers = {
        "Authorization": _AUTH,
        "X-Amz-Target": f"AmazonSQS.{action}",
        "Content-Type": "application/x-amz-json-1.0",
    }
    payload = json.dumps(body).encode()
    if chunked:
        headers["Transfer-Encoding"] = "chunked"
        connection.request("POST", "/", body=iter([payload[:3], payload[3:]]), headers=headers, encode_chunked=True)
    else:
        connection.request("POST", "/", body=payload, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def test_one_connection_serves_many_requests(engine: Engine) -> None:
    connection = _connection(engine)
    try:
        status, _ = _sqs(connection, "CreateQueue", {"QueueName": "server-keepalive"})
        assert status == 200
        first_socket = connection.sock
        for _ in range(3):
            status, body = _sqs(connection, "ListQueues", {})
            assert status == 200 and b"server-keepalive" in body
        assert connection.sock is first_socket  # kept alive, not reconnected
    finally:
        connection.close()


def test_a_chunked_request_body_is_read(engine: Engine) -> None:
    connection = _connection(engine)
    try:
        status, body = _sqs(connection, "CreateQueue", {"QueueName": "server-chunked"}, chunked=True)
        assert status == 200 and b"server-chunked" in body
    finally:
        connection.close()


def test_an_action_moto_lacks_is_answered_500_and_the_connection_survives(engine: Engine) -> None:
    connection = _connection(engine)
    try:
        status, body = _sqs(connection, "StartMessageMoveTask", {"SourceArn": "arn:aws:sqs:eu-west-2:1:q"})
        assert status == 500 and b"not been implemented" in body
        assert _sqs(connection, "ListQueues", {})[0] == 200
    finally:
        connection.close()
