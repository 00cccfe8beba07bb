"""ReceiveMessage and DeleteMessageBatch (SQS's JSON protocol) answered from moto's backend (moto 5.2.5; registered
in `patches/__init__.py`; the route is `patches/answers.py`).

- `sqs_answers`: the request's JSON read once, every check moto's response class makes done before anything is
  touched (anything unusual is declined to moto's path), the same backend call with the same arguments, and the
  result written as moto's JSON serialiser writes it (members in the output shape's order, blobs in base64).
  Effect: see ARCHITECTURE.md (bench/engines.py, patch on and off).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from tidings.simulator.engine.embedded.patches.answers import Answer, Request, respond

__all__ = ["replacements"]

_JSON = "application/x-amz-json-1.0"
_SYSTEM_ATTRIBUTES = (
    "AWSTraceHeader",
    "ApproximateFirstReceiveTimestamp",
    "ApproximateReceiveCount",
    "MessageDeduplicationId",
    "MessageGroupId",
    "SenderId",
    "SentTimestamp",
    "SequenceNumber",
)
_RECEIVE_KEYS = frozenset(
    {
        "QueueUrl",
        "AttributeNames",
        "MessageSystemAttributeNames",
        "MessageAttributeNames",
        "MaxNumberOfMessages",
        "VisibilityTimeout",
        "WaitTimeSeconds",
    }
)
# The order moto's ReceiveMessage response adds them in (a map: kept in that order).
_ATTRIBUTE_ORDER = (
    "SenderId",
    "SentTimestamp",
    "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp",
    "MessageDeduplicationId",
    "MessageGroupId",
    "AWSTraceHeader",
    "SequenceNumber",
)
# MessageAttributeValue's members in the order of botocore's shape, which moto's serialiser follows.
_VALUE_MEMBERS = ("StringValue", "BinaryValue", "StringListValues", "BinaryListValues", "DataType")


def _params(request: Request, allowed: frozenset[str]) -> dict[str, Any] | None:
    try:
        params = json.loads(request.body)
    except ValueError:
        return None
    if not isinstance(params, dict) or not set(params) <= allowed or not isinstance(params.get("QueueUrl"), str):
        return None
    return params


def _queue(request: Request, url: str) -> tuple[Any, str, Any] | None:
    """(backend, queue name, queue) as moto's `_get_queue_name` finds them, or None when moto would refuse."""
    from moto.sqs.models import sqs_backends

    name = url.split("/")[-1] if url.startswith(("http://", "https://")) else url
    try:
        backend = sqs_backends[request.account][request.region]
    except KeyError:
        return None
    queue = backend.queues.get(name)
    return None if queue is None else (backend, name, queue)


def _names(params: dict[str, Any], key: str) -> list[str] | None:
    value = params.get(key, [])
    return value if isinstance(value, list) and all(isinstance(v, str) for v in value) else None


_REFUSED: Any = object()


def _integer(params: dict[str, Any], key: str, low: int, high: int) -> Any:
    """The parameter, None when absent, `_REFUSED` when moto would refuse it (0 is a value, not a refusal)."""
    if key not in params:
        return None
    value = params[key]
    if type(value) is not int or not low <= value <= high:
        return _REFUSED
    return value


def _receive_message(request: Request) -> Answer | None:
    from moto.sqs.constants import MAXIMUM_VISIBILITY_TIMEOUT

    params = _params(request, _RECEIVE_KEYS)
    if params is None:
        return None
    attribute_names = _names(params, "AttributeNames")
    system_names = _names(params, "MessageSystemAttributeNames")
    message_attribute_names = _names(params, "MessageAttributeNames")
    count = _integer(params, "MaxNumberOfMessages", 1, 10)
    wait = _integer(params, "WaitTimeSeconds", 0, 20)
    visibility = _integer(params, "VisibilityTimeout", 0, MAXIMUM_VISIBILITY_TIMEOUT)
    found = _queue(request, params["QueueUrl"])
    if None in (attribute_names, system_names, message_attribute_names, found) or _REFUSED in (count, wait, visibility):
        return None
    assert found is not None and attribute_names is not None and system_names is not None
    backend, name, queue = found
    wanted = set(attribute_names + system_names)
    include = [n for n in _SYSTEM_ATTRIBUTES if "All" in wanted or n in wanted]
    request.visited()
    messages = backend.receive_message(
        name,
        1 if count is None else count,
        int(queue.receive_message_wait_time_seconds) if wait is None else wait,
        queue.visibility_timeout if visibility is None else visibility,
        message_attribute_names,
    )
    if not messages:
        return respond(_JSON, "{}")
    return respond(_JSON, json.dumps({"Messages": [_message(m, include) for m in messages]}))


def _message(message: Any, include: list[str]) -> dict[str, Any]:
    """One received message as moto's `receive_message` response builds it, in the shape's member order."""
    out: dict[str, Any] = {
        "MessageId": message.id,
        "ReceiptHandle": message.receipt_handle,
        "MD5OfBody": message.body_md5,
        "Body": message.body,
    }
    if include:
        out["Attributes"] = _system_attributes(message, include)
    if len(message.message_attributes):
        out["MD5OfMessageAttributes"] = message.attribute_md5
        out["MessageAttributes"] = {
            str(key): _attribute_value(value) for key, value in message.message_attributes.items()
        }
    return out


def _system_attributes(message: Any, include: list[str]) -> dict[str, str]:
    values: dict[str, Any] = {
        "SenderId": message.sender_id,
        "SentTimestamp": str(message.sent_timestamp),
        "ApproximateReceiveCount": str(message.approximate_receive_count),
        "ApproximateFirstReceiveTimestamp": str(message.approximate_first_receive_timestamp),
        "MessageDeduplicationId": message.deduplication_id,
        "MessageGroupId": message.group_id,
        "AWSTraceHeader": (message.system_attributes or {}).get("AWSTraceHeader", {}).get("StringValue")
        if (message.system_attributes or {}).get("AWSTraceHeader")
        else None,
        "SequenceNumber": message.sequence_number,
    }
    return {key: str(values[key]) for key in _ATTRIBUTE_ORDER if key in include and values[key] is not None}


def _attribute_value(value: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in _VALUE_MEMBERS:
        if key not in value or value[key] is None:
            continue
        item = value[key]
        if key == "BinaryValue":
            out[key] = _base64(item)
        elif key == "BinaryListValues":
            out[key] = [_base64(v) for v in item]
        elif key == "StringListValues":
            out[key] = [str(v) for v in item]
        else:
            out[key] = str(item)
    return out


def _base64(value: str | bytes) -> str:
    raw = value.encode("utf-8") if isinstance(value, str) else value
    return base64.b64encode(raw).strip().decode("utf-8")


def _delete_message_batch(request: Request) -> Answer | None:
    params = _params(request, frozenset({"QueueUrl", "Entries"}))
    if params is None:
        return None
    entries = params.get("Entries")
    if not isinstance(entries, list) or not 0 < len(entries) <= 10:
        return None
    for entry in entries:
        if not (isinstance(entry, dict) and set(entry) == {"Id", "ReceiptHandle"}):
            return None
        if not all(isinstance(v, str) for v in entry.values()):
            return None
    if len({e["Id"] for e in entries}) != len(entries) or len({e["ReceiptHandle"] for e in entries}) != len(entries):
        return None
    found = _queue(request, params["QueueUrl"])
    if found is None:
        return None
    backend, name, _ = found
    request.visited()
    success, failed = backend.delete_message_batch(name, entries)
    body = {"Successful": [{"Id": str(i)} for i in success], "Failed": [_error(f) for f in failed]}
    return respond(_JSON, json.dumps(body))


def _error(entry: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"Id": str(entry["Id"])}
    if "SenderFault" in entry:
        out["SenderFault"] = bool(entry["SenderFault"])
    out.update((key, str(entry[key])) for key in ("Code", "Message") if entry.get(key) is not None)
    return out


def replacements() -> dict[str, list[tuple[Any, str, Any]]]:
    """This module's patch, as the (owner, attribute, replacement) triples it sets."""
    from tidings.simulator.engine.embedded.patches import answers

    handlers = {"ReceiveMessage": _receive_message, "DeleteMessageBatch": _delete_message_batch}
    return {"sqs_answers": [(answers, "sqs_actions", handlers)]}
