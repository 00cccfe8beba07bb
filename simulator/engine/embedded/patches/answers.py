"""SNS and SQS hot-path requests answered straight from moto's backends (moto 5.2.5; registered in
`patches/__init__.py`, patch groups `sqs_answers` and `sns_answers`).

moto answers every request with the same generic machinery: it reads the form or JSON body through werkzeug,
parses it against botocore's model of the operation, builds a response object, calls the action, and serialises the
result by walking the output shape with alias pickers and transformers. For the calls a publisher and its consumers
make thousands of times (PublishBatch, ReceiveMessage, DeleteMessageBatch) that machinery was more than half of
the engine's time. `answer(environ)` reads such a request itself, checks everything moto would refuse, calls the
same backend method moto's response class calls, and writes moto's answer (same body bytes, same headers) itself.

Anything it does not recognise, or that moto would answer with an error, is declined (`None`) before any state is
touched, and then takes moto's own path: the answer of every request is moto's, only the route differs.
tests/simulator/engine/test_engine_moto_answers.py replays the same request sequences both ways and compares every
answer byte for byte (ids and clocks aside).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

__all__ = ["Answer", "Request", "answer"]

Answer = tuple[str, list[tuple[str, str]], bytes]
Handler = Callable[["Request"], Answer | None]

# Set by the patches (`sqs_answers`, `sns_answers`): an action's name -> its handler. Empty: every request takes moto's
# own path.
sqs_actions: dict[str, Handler] = {}
sns_actions: dict[str, Handler] = {}


class Request:
    """What moto's `BaseResponse.setup_class` works out of a request that the handlers need: account, region."""

    def __init__(self, environ: dict[str, Any], body: bytes, service: str) -> None:
        from moto.core.responses import BaseResponse

        self.environ = environ
        self.body = body
        self.service = service
        authorization = environ.get("HTTP_AUTHORIZATION", "")
        found = BaseResponse.access_key_regex.search(authorization)
        self.access_key = found.group(1) if found else "AKIAEXAMPLE"
        self.account = _account(self.access_key, environ.get("HTTP_X_MOTO_ACCOUNT_ID"))
        from_agent = BaseResponse.region_from_useragent_regex.search(environ.get("HTTP_USER_AGENT", ""))
        if from_agent:
            self.region = from_agent.group(1)
        elif "AWS4" in authorization:
            self.region = authorization.split(",")[0].split("/")[2]
        else:
            self.region = BaseResponse.default_region

    @classmethod
    def signed_by(cls, access_key: str, region: str, service: str) -> Request:
        """The request a boto3 client with this access key and region would send (SigV4), as moto reads it."""
        from moto.core.responses import BaseResponse

        request = cls.__new__(cls)
        request.environ, request.body, request.service = {}, b"", service
        found = BaseResponse.access_key_regex.search(f"AWS4-HMAC-SHA256 Credential={access_key}/")
        request.access_key = found.group(1) if found else "AKIAEXAMPLE"
        request.account = _account(request.access_key, None)
        request.region = region
        return request

    def visited(self) -> None:
        """moto registers every request's account with IAM (`mark_account_as_visited`)."""
        from moto.iam.models import mark_account_as_visited

        mark_account_as_visited(
            account_id=self.account, access_key=self.access_key, service=self.service, region=self.region
        )


def answer(environ: dict[str, Any]) -> Answer | None:
    """moto's answer to a hot-path SNS/SQS request, or None: let moto's own path answer it."""
    if not (sqs_actions or sns_actions) or environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != "/":
        return None
    if "amazonaws.com" in environ.get("HTTP_HOST", "") or not _moto_as_configured():
        return None  # the region would come from the host name; IAM checks or recording are on
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target.startswith("AmazonSQS."):
        handler = sqs_actions.get(target[10:])
        if handler is None or "/sqs/aws4_request" not in authorization:
            return None
        if environ.get("CONTENT_TYPE") != "application/x-amz-json-1.0":
            return None
        return handler(Request(environ, _body(environ), "sqs"))
    if sns_actions and "/sns/aws4_request" in authorization and not target:
        if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            return None
        if environ.get("HTTP_CONTENT_ENCODING") or environ.get("QUERY_STRING"):
            return None
        body = _body(environ)
        action = _form_action(body)
        handler = sns_actions.get(action) if action else None
        return handler(Request(environ, body, "sns")) if handler else None
    return None


def respond(content_type: str, body: str) -> Answer:
    """moto's 200 answer: its headers in its order (the request id drawn as moto draws it), as Flask sends them."""
    from moto.core import responses

    headers: dict[str, str] = {"server": "amazon.com"}
    request_id = responses.gen_amzn_requestid_long(headers)
    if "<RequestId>" in body:
        start = body.index("<RequestId>") + len("<RequestId>")
        body = body[:start] + request_id + body[body.index("</RequestId>", start) :]
    payload = body.encode("utf-8")
    fields = [("Content-Type", content_type), *headers.items(), ("Content-Length", str(len(payload)))]
    fields.append(("Access-Control-Allow-Origin", "*"))
    return "200 OK", fields, payload


def _account(access_key: str, header: str | None) -> str:
    """moto's `get_current_account`: MOTO_ACCOUNT_ID, then the x-moto-account-id header, then the access key's."""
    from moto.iam.models import get_account_id_from

    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    return header if header is not None else str(get_account_id_from(access_key))


def _body(environ: dict[str, Any]) -> bytes:
    stream = environ["wsgi.input"]
    body: bytes = stream.read()
    stream.seek(0)  # declined requests are read again by moto
    return body


def _form_action(body: bytes) -> str | None:
    for pair in body.split(b"&"):
        if pair.startswith(b"Action="):
            return pair[7:].decode("ascii", "replace")
    return None


def _moto_as_configured() -> bool:
    from moto import settings
    from moto.moto_api import recorder

    return float("inf") == settings.INITIAL_NO_AUTH_ACTION_COUNT and not recorder._user_enabled
