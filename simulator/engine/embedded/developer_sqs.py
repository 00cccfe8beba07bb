"""LocalStack's SQS developer endpoint on the embedded engine: `/_aws/sqs/messages` answers a ReceiveMessage
(the JSON protocol boto3 speaks, or `GET ?QueueUrl=…`) with every message in the queue — visible, in flight or
delayed — without receiving any: no visibility change, no receive counted towards maxReceiveCount. So
`tidings queue peek` works the same against LocalStack and against a `tidings up` in another process.

    sqs = session.client("sqs", endpoint_url=endpoint + "/_aws/sqs/messages")
    sqs.receive_message(QueueUrl=url)["Messages"]      # a look, not a receive
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import parse_qs

from tidings.simulator.engine.aws_session import DEFAULT_REGION
from tidings.simulator.engine.embedded.sqs_state import SqsState

__all__ = ["DEVELOPER_PATH", "DeveloperSqs"]

DEVELOPER_PATH = "/_aws/sqs/messages"
_REGION = re.compile(r"Credential=[^/]+/\d{8}/([a-z0-9-]+)/sqs/")


class DeveloperSqs:
    """A WSGI wrapper answering `DEVELOPER_PATH` from moto's state; everything else goes on to `app`."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if not str(environ.get("PATH_INFO", "")).startswith(DEVELOPER_PATH):
            return self.app(environ, start_response)
        queue_url = _queue_url(environ)
        if not queue_url:
            return _answer(start_response, "400 Bad Request", {"__type": "MissingParameter", "message": "QueueUrl"})
        match = _REGION.search(str(environ.get("HTTP_AUTHORIZATION", "")))
        state = SqsState(match.group(1) if match else DEFAULT_REGION)
        messages = []
        for raw in state.messages(queue_url.rstrip("/").rsplit("/", 1)[-1]):
            md5 = hashlib.md5(raw["Body"].encode(), usedforsecurity=False).hexdigest()
            messages.append({**raw, "ReceiptHandle": "", "MD5OfBody": md5})
        return _answer(start_response, "200 OK", {"Messages": messages})


def _queue_url(environ: dict[str, Any]) -> str:
    query = parse_qs(str(environ.get("QUERY_STRING", "")))
    if query.get("QueueUrl"):
        return query["QueueUrl"][0]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    try:
        found = json.loads(body or b"{}").get("QueueUrl", "")
    except (ValueError, AttributeError):
        found = parse_qs(body.decode("utf-8", "replace")).get("QueueUrl", [""])[0]
    return str(found)


def _answer(start_response: Any, status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(body)))])
    return [body]
