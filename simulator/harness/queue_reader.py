"""Reading a queue a test owns: receive with waits (deleting as it goes), drain, peek, depth; each message
decoded (`Received`: the SNS envelope unwrapped unless raw delivery) and matched against what a test expects
(`event_matches`: dotted paths, `crn`). Split from `owned_queues`, which creates and deletes the queues.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tidings.contracts import unwrap_notification
from tidings.contracts.errors import TidingsError
from tidings.simulator.engine.engines import Engine
from tidings.simulator.harness.owned_queues import OwnedQueue, call_engine

__all__ = ["QueueReader", "Received", "decode", "event_matches"]

# --- reading --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """One message received from a queue.

    `event` is the domain event, unwrapped from the SNS notification unless the subscription is raw (None when
    the body is not a JSON object: `problem` says why). `attributes` are the message attributes, flat.
    `message_id` is the SNS MessageId (what `emit()` and `Run.events` report) for notifications, SQS's own
    for raw delivery; `sqs_message_id` is always SQS's. `raw` is the SQS message as boto3 returns it."""

    event: dict[str, Any] | None
    attributes: dict[str, str]
    message_id: str
    receipt_handle: str
    raw: dict[str, Any] = field(repr=False)
    sqs_message_id: str = ""
    problem: str | None = None

    @property
    def body(self) -> str:
        """The SQS message body as it arrived."""
        return str(self.raw.get("Body", ""))

    @property
    def event_type(self) -> str | None:
        """The event's `eventType`, else the `eventType` message attribute (set even on poison messages)."""
        found = (self.event or {}).get("eventType") or self.attributes.get("eventType")
        return found if isinstance(found, str) else None

    @property
    def receive_count(self) -> int | None:
        """How many times SQS has handed this message out (ApproximateReceiveCount)."""
        count = (self.raw.get("Attributes") or {}).get("ApproximateReceiveCount")
        return int(count) if count is not None else None

    def describe(self) -> str:
        """One line for failure messages: event type, CRN, ids and, for a message that is not an event, why."""
        parts = [self.event_type or "(no eventType)"]
        crn = _crn(self.event or {})
        if crn:
            parts.append(f"crn={crn}")
        parts.append(f"MessageId={self.message_id}")
        if self.problem:
            parts.append(f"not an event: {self.problem}; body: {_shortened(self.body)}")
        return "  ".join(parts)


def decode(raw: dict[str, Any]) -> Received:
    """A message as boto3's ReceiveMessage returns it, decoded."""
    body = raw.get("Body", "")
    attributes = {
        name: str(value.get("StringValue", value.get("BinaryValue", "")))
        for name, value in (raw.get("MessageAttributes") or {}).items()
    }
    sqs_id = str(raw.get("MessageId", ""))
    message_id, event, problem = sqs_id, None, None
    try:
        parsed = json.loads(body)
        if isinstance(parsed, dict) and parsed.get("Type") == "Notification":
            message_id = str(parsed.get("MessageId") or sqs_id)
        event, found = unwrap_notification(parsed)
        attributes = {**attributes, **found}
    except ValueError as error:
        problem = f"the body is not JSON ({error})"
    except TidingsError as error:
        problem = error.message
    return Received(event, attributes, message_id, str(raw.get("ReceiptHandle", "")), raw, sqs_id, problem)


class QueueReader:
    """Receives from one queue with waits, deleting what it hands out (so nothing is redelivered later)."""

    def __init__(self, engine: Engine, queue: OwnedQueue, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.queue = queue
        self._sqs = engine.client("sqs")
        self._sleep = sleep

    def receive(
        self, limit: int, *, deadline: float, minimum: int | None = None, delete: bool = True
    ) -> list[Received]:
        """Up to `limit` messages, waiting (long polling) until that many (or `minimum`) came or `deadline` (a
        `time.monotonic()` value) passed. At least one ReceiveMessage is made, even past the deadline."""
        got: list[Received] = []
        enough = limit if minimum is None else min(minimum, limit)
        while len(got) < enough:
            remaining = deadline - time.monotonic()
            # SQS waits whole seconds: long-poll while a second is left, then poll briefly to the deadline.
            wait = min(20, int(remaining)) if remaining >= 1 else 0
            batch = self._receive(min(10, limit - len(got)), wait)
            if batch and delete:
                self._delete(batch)
            got.extend(decode(raw) for raw in batch)
            if not batch:
                if remaining <= 0:
                    break
                if wait == 0:
                    self._sleep(min(0.02, remaining))
        return got

    def drain(self) -> list[Received]:
        """Receive and delete until the queue answers empty."""
        got: list[Received] = []
        while batch := self._receive(10, 0):
            self._delete(batch)
            got.extend(decode(raw) for raw in batch)
        return got

    def peek(self) -> list[Received]:
        """What the queue holds, left there (received with visibility timeout 0; each peek counts as a receive,
        so use it on dead-letter queues, whose messages go nowhere else)."""
        seen: dict[str, Received] = {}
        while True:
            batch = [raw for raw in self._receive(10, 0, visibility=0) if raw["MessageId"] not in seen]
            for raw in batch:
                seen[raw["MessageId"]] = decode(raw)
            if len(batch) < 10:
                return list(seen.values())

    def depth(self) -> int:
        """Messages in the queue: visible, in flight (received, not yet deleted) and delayed."""
        names = [
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ]
        found = call_engine(
            self._sqs.get_queue_attributes,
            "GetQueueAttributes",
            self.queue.name,
            QueueUrl=self.queue.url,
            AttributeNames=names,
        )
        return sum(int(value) for value in found.get("Attributes", {}).values())

    def _receive(self, limit: int, wait: int, *, visibility: int | None = None) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "QueueUrl": self.queue.url,
            "MaxNumberOfMessages": limit,
            "WaitTimeSeconds": wait,
            "MessageAttributeNames": ["All"],
            "MessageSystemAttributeNames": ["All"],
        }
        if visibility is not None:
            kwargs["VisibilityTimeout"] = visibility
        answer = call_engine(self._sqs.receive_message, "ReceiveMessage", self.queue.name, **kwargs)
        return list(answer.get("Messages", []))

    def _delete(self, batch: list[dict[str, Any]]) -> None:
        entries = [{"Id": str(i), "ReceiptHandle": raw["ReceiptHandle"]} for i, raw in enumerate(batch)]
        call_engine(
            self._sqs.delete_message_batch,
            "DeleteMessageBatch",
            self.queue.name,
            QueueUrl=self.queue.url,
            Entries=entries,
        )


# --- matching -------------------------------------------------------------------------------------------------


def event_matches(event: Mapping[str, Any] | None, match: Mapping[str, Any]) -> bool:
    """Whether `event` has every value in `match`. Keys: `crn` (the person's CRN), a dotted path
    (`"additionalInformation.referralId"`), a top-level field, or else a field of `additionalInformation`."""
    if event is None:
        return not match
    return all(_field(event, key) == wanted for key, wanted in match.items())


_ABSENT = object()


def _field(event: Mapping[str, Any], key: str) -> Any:
    if key == "crn":
        return _crn(event)
    if "." in key:
        current: Any = event
        for part in key.split("."):
            if not isinstance(current, Mapping) or part not in current:
                return _ABSENT
            current = current[part]
        return current
    if key in event:
        return event[key]
    info = event.get("additionalInformation")
    return info.get(key, _ABSENT) if isinstance(info, Mapping) else _ABSENT


def _crn(event: Mapping[str, Any]) -> str | None:
    reference = event.get("personReference")
    identifiers = reference.get("identifiers") if isinstance(reference, Mapping) else None
    for identifier in identifiers if isinstance(identifiers, list) else []:
        if isinstance(identifier, Mapping) and identifier.get("type") == "CRN":
            return str(identifier.get("value"))
    info = event.get("additionalInformation")
    found = info.get("serviceUserCRN") if isinstance(info, Mapping) else None
    return str(found) if found is not None else None


def _shortened(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
