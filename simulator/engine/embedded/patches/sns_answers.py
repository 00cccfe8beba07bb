"""PublishBatch (SNS's query protocol) answered from moto's backend (moto 5.2.5; registered in `patches/__init__.py`;
the route is `patches/answers.py`).

- `sns_answers`: the form read once into the entries moto's query parser would build (Id, Message, Subject,
  MessageStructure, MessageGroupId, MessageDeduplicationId, String/Number message attributes; anything else is
  declined to moto's path), moto's own attribute check and transformation, the checks moto's backend would fail
  on done first (unknown or FIFO topic, more than 10 entries, repeated ids), the same `publish_batch` call, and the
  result written as moto's XML serialiser writes it. Effect: see ARCHITECTURE.md.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_to_bytes
from xml.sax.saxutils import escape

from tidings.simulator.engine.embedded.patches.answers import Answer, Request, respond

__all__ = ["publish_entries", "replacements"]

_ENTRY = re.compile(r"PublishBatchRequestEntries\.member\.(\d+)\.(.+)")
_ATTRIBUTE = re.compile(r"MessageAttributes\.entry\.(\d+)\.(Name|Value\.DataType|Value\.StringValue)")
_ENTRY_FIELDS = frozenset({"Id", "Message", "Subject", "MessageStructure", "MessageGroupId", "MessageDeduplicationId"})
_XMLNS = "http://sns.amazonaws.com/doc/2010-03-31/"


_ESCAPE = re.compile(rb"%[0-9A-Fa-f]{2}")


def form_pairs(body: bytes) -> list[tuple[str, str]] | None:
    """`parse_qsl(body, keep_blank_values=True, strict_parsing=True)` of a UTF-8 form, or None where it would fail.
    urllib decodes each value escape by escape in Python (a PublishBatch of JSON events has thousands); here each
    distinct escape of a value is replaced at once."""
    pairs = []
    for field in body.split(b"&"):
        name, equals, value = field.partition(b"=")
        if not equals:
            return None
        try:
            pairs.append((_unquote_plus(name).decode("utf-8"), _unquote_plus(value).decode("utf-8")))
        except UnicodeDecodeError:
            return None
    return pairs


def _unquote_plus(raw: bytes) -> bytes:
    raw = raw.replace(b"+", b" ")
    percents = raw.count(b"%")
    if not percents:
        return raw
    escapes = _ESCAPE.findall(raw)
    if len(escapes) != percents:
        return unquote_to_bytes(raw)  # a `%` that starts no escape: urllib's way, escape by escape
    # Every `%` starts an escape and no replacement makes a new `%` but `%25`'s: replaced last, nothing it makes is
    # read again.
    distinct = sorted(set(escapes), key=lambda found: found in (b"%25",))
    for found in distinct:
        raw = raw.replace(found, bytes((int(found[1:], 16),)))
    return raw


def _entries(body: bytes) -> tuple[str, list[dict[str, Any]]] | None:
    """(TopicArn, the entries as moto's QueryParser builds them) or None for anything this does not read."""
    pairs = form_pairs(body)
    if pairs is None:
        return None
    topic = None
    entries: dict[int, dict[str, Any]] = {}
    attributes: dict[int, dict[int, dict[str, str]]] = {}
    for key, value in pairs:
        if key == "TopicArn":
            topic = value
            continue
        if key in ("Action", "Version"):
            continue
        found = _ENTRY.fullmatch(key)
        if found is None:
            return None
        number, field = int(found.group(1)), found.group(2)
        if field in _ENTRY_FIELDS:
            entries.setdefault(number, {})[field] = value
            continue
        attribute = _ATTRIBUTE.fullmatch(field)
        if attribute is None:
            return None
        entries.setdefault(number, {})
        attributes.setdefault(number, {}).setdefault(int(attribute.group(1)), {})[attribute.group(2)] = value
    if topic is None or sorted(entries) != list(range(1, len(entries) + 1)):
        return None
    result = []
    for number in range(1, len(entries) + 1):
        entry = entries[number]
        if "Id" not in entry or "Message" not in entry:
            return None
        by_number = attributes.get(number)
        if by_number:
            if sorted(by_number) != list(range(1, len(by_number) + 1)):
                return None
            named: dict[str, Any] = {}
            for index in range(1, len(by_number) + 1):
                parts = by_number[index]
                if "Name" not in parts or "Value.DataType" not in parts or parts["Name"] in named:
                    return None
                typed: dict[str, str] = {"DataType": parts["Value.DataType"]}
                if "Value.StringValue" in parts:
                    typed["StringValue"] = parts["Value.StringValue"]
                named[parts["Name"]] = typed
            entry["MessageAttributes"] = named
        result.append(entry)
    return topic, result


def _publish_batch(request: Request) -> Answer | None:
    parsed = _entries(request.body)
    if parsed is None:
        return None
    topic_arn, entries = parsed
    published = publish_entries(request, topic_arn, entries)
    if published is None:
        return None
    successful, failed = published
    done = "".join(
        f"<member><Id>{escape(str(s['Id']))}</Id><MessageId>{escape(str(s['MessageId']))}</MessageId></member>"
        for s in successful
    )
    errors = "".join(_failed(f) for f in failed)
    result = (f"<Successful>{done}</Successful>" if done else "<Successful/>") + (
        f"<Failed>{errors}</Failed>" if errors else "<Failed/>"
    )
    body = (
        f'<PublishBatchResponse xmlns="{_XMLNS}"><PublishBatchResult>{result}</PublishBatchResult>'
        "<ResponseMetadata><RequestId>-</RequestId></ResponseMetadata></PublishBatchResponse>"
    )
    return respond("text/xml", body)


def publish_entries(
    request: Request, topic_arn: str, entries: list[dict[str, Any]]
) -> tuple[list[dict[str, str]], list[dict[str, Any]]] | None:
    """moto's PublishBatch of `entries` (as its query parser builds them) on the request's account and region:
    (successful, failed) as moto's backend returns them, or None - nothing published - where moto would answer
    with an error (unknown or FIFO topic, more or fewer entries than it takes, repeated ids, a bad attribute)."""
    from moto.sns.exceptions import InvalidParameterValue
    from moto.sns.models import sns_backends
    from moto.sns.responses import SNSResponse

    if not 0 < len(entries) <= 10 or len({e["Id"] for e in entries}) != len(entries):
        return None
    try:
        backend = sns_backends[request.account][request.region]
    except KeyError:
        return None
    topic = backend.topics.get(topic_arn)
    if topic is None or topic.fifo_topic:
        return None
    try:
        for entry in entries:
            if "MessageAttributes" in entry:
                entry["MessageAttributes"] = SNSResponse._transform_message_attributes(
                    _NO_RESPONSE, entry["MessageAttributes"]
                )
    except InvalidParameterValue:
        return None  # moto's path answers the error
    request.visited()
    successful, failed = backend.publish_batch(topic_arn=topic_arn, publish_batch_request_entries=entries)
    return successful, failed


def _failed(entry: dict[str, Any]) -> str:
    parts = [f"<Id>{escape(str(entry['Id']))}</Id>", f"<Code>{escape(str(entry['Code']))}</Code>"]
    if entry.get("Message") is not None:
        parts.append(f"<Message>{escape(str(entry['Message']))}</Message>")
    parts.append(f"<SenderFault>{'true' if entry.get('SenderFault') else 'false'}</SenderFault>")
    return "<member>" + "".join(parts) + "</member>"


_NO_RESPONSE: Any = None  # `_transform_message_attributes` reads nothing of its response object


def replacements() -> dict[str, list[tuple[Any, str, Any]]]:
    """This module's patch, as the (owner, attribute, replacement) triples it sets."""
    from tidings.simulator.engine.embedded.patches import answers

    return {"sns_answers": [(answers, "sns_actions", {"PublishBatch": _publish_batch})]}
