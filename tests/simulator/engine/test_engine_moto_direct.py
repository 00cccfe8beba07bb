"""SNS/SQS requests that skip Flask (simulator/engine/embedded/direct.py) are answered exactly as through moto's
Flask app: each request below goes to both, and status, headers and body must agree (request ids aside)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.awsrequest import AWSResponse, HeadersDict
from botocore.exceptions import ClientError

from tidings.simulator.engine.embedded import patches as moto_patches
from tidings.simulator.engine.embedded.direct import DirectDispatch
from tidings.simulator.engine.embedded.server import call_wsgi, wsgi_environ
from tidings.simulator.engine.engines import Engine

_REQUEST_ID = re.compile(rb"[0-9A-Za-z-]{20,}")
_VARYING = {"x-amzn-requestid", "x-amz-request-id", "date", "server"}


class _Compared:
    """A `before-send` handler: answers with the direct app after checking Flask answers the same."""

    def __init__(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        self.flask = DomainDispatcherApplication(create_backend_app)
        self.direct = DirectDispatch(self.flask)
        self.statuses: list[int] = []

    def __call__(self, request: Any, **_: Any) -> AWSResponse:
        parts = urlsplit(request.url)
        body = request.body or b""
        body = body.encode() if isinstance(body, str) else body
        fields = [(k, v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()]
        fields.append(("Host", parts.netloc))

        def answer(app: Any) -> tuple[str, list[tuple[str, str]], bytes]:
            environ = wsgi_environ(request.method, parts.path or "/", parts.query, fields, body, server=("h", 1))
            return call_wsgi(app, environ)

        via_flask, direct = answer(self.flask), answer(self.direct)
        assert direct[0] == via_flask[0]
        assert _comparable_headers(direct[1]) == _comparable_headers(via_flask[1])
        assert _REQUEST_ID.sub(b"ID", direct[2]) == _REQUEST_ID.sub(b"ID", via_flask[2])
        self.statuses.append(int(direct[0].split()[0]))
        return AWSResponse(request.url, self.statuses[-1], HeadersDict(direct[1]), _Raw(direct[2]))


class _Raw:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


def _comparable_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted((k.lower(), v) for k, v in headers if k.lower() not in _VARYING)


@pytest.fixture
def compared(engine: Engine) -> Iterator[tuple[Engine, _Compared]]:
    if engine.kind != "embedded":
        pytest.skip("about the embedded engine's moto")
    if not moto_patches.active():
        pytest.skip("the direct route is part of the moto patches, which are off")
    handler = _Compared()
    clients = [engine.client("sqs", retries=False), engine.client("sns", retries=False)]
    for client in clients:
        client.meta.events.register_first("before-send", handler)
    try:
        yield engine, handler
    finally:
        for client in clients:
            client.meta.events.unregister("before-send", handler)


def test_sqs_answers_agree(compared: tuple[Engine, _Compared], unique: Callable[[str], str]) -> None:
    engine, handler = compared
    sqs = engine.client("sqs", retries=False)
    url = sqs.create_queue(QueueName=unique("direct"))["QueueUrl"]
    assert url in sqs.list_queues(QueueNamePrefix=unique("direct"))["QueueUrls"]
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]["DelaySeconds"] == "0"
    with pytest.raises(ClientError):
        sqs.get_queue_url(QueueName=unique("direct-missing"))
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages") is None
    assert 400 in handler.statuses and 200 in handler.statuses


def test_sns_answers_agree(compared: tuple[Engine, _Compared], unique: Callable[[str], str]) -> None:
    engine, handler = compared
    sns = engine.client("sns", retries=False)
    arn = sns.create_topic(Name=unique("direct"))["TopicArn"]
    assert arn in [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["TopicArn"] == arn
    with pytest.raises(ClientError):
        sns.get_topic_attributes(TopicArn=arn + "-missing")
    assert {200, 404} <= set(handler.statuses)
