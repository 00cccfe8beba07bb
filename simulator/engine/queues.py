"""Looking into queues and moving messages: peek, receive, drain, tail, purge, the dead-letter queue and redrive.
Every message is decoded: the SNS envelope (unless raw delivery) is unwrapped to the event, whose type,
`occurredAt`, CRN and `detailUrl` are at hand, with the SNS MessageId and tracking ids.

Note that SQS counts every receive, peeks included (`peek` receives with visibility timeout 0): a queue with a
redrive policy dead-letters a message received `maxReceiveCount` times, however it was received.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from tidings.contracts import unwrap_notification
from tidings.contracts.errors import EngineError, TidingsError, closest
from tidings.simulator.engine.engines import START_HINT, Engine, require_loopback
from tidings.simulator.engine.peek import peek_messages
from tidings.simulator.engine.targets import check_queue_target
from tidings.simulator.engine.tracking import Tracking

__all__ = ["QueueMessage", "QueueTools", "RedriveResult"]

_MISSING_QUEUE_CODES = {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}
_NOT_SUPPORTED = ("not been implemented", "not yet implemented", "not implemented", "unsupported")


@dataclass(frozen=True)
class QueueMessage:
    """One received SQS message, decoded."""

    queue: str
    message_id: str
    receipt_handle: str
    body: str
    receive_count: int | None
    sent_at: datetime | None
    attributes: dict[str, str] = field(default_factory=dict)
    event: dict[str, Any] | None = None
    sns_message_id: str | None = None
    problem: str | None = None

    @property
    def event_type(self) -> str | None:
        found = (self.event or {}).get("eventType") or self.attributes.get("eventType")
        return found if isinstance(found, str) else None

    @property
    def occurred_at(self) -> str | None:
        found = (self.event or {}).get("occurredAt")
        return found if isinstance(found, str) else None

    @property
    def detail_url(self) -> str | None:
        found = (self.event or {}).get("detailUrl")
        return found if isinstance(found, str) else None

    @property
    def crn(self) -> str | None:
        identifiers = ((self.event or {}).get("personReference") or {}).get("identifiers") or []
        for identifier in identifiers if isinstance(identifiers, list) else []:
            if isinstance(identifier, dict) and identifier.get("type") == "CRN":
                return str(identifier.get("value"))
        return None

    @property
    def tracking(self) -> Tracking | None:
        return Tracking.from_attributes(self.attributes)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (for `--json`)."""
        tracking = self.tracking
        return {
            "queue": self.queue,
            "messageId": self.message_id,
            "snsMessageId": self.sns_message_id,
            "eventType": self.event_type,
            "occurredAt": self.occurred_at,
            "crn": self.crn,
            "detailUrl": self.detail_url,
            "receiveCount": self.receive_count,
            "sentAt": self.sent_at.isoformat() if self.sent_at else None,
            "requestId": tracking.request_id if tracking else None,
            "traceparent": tracking.traceparent if tracking else None,
            "attributes": self.attributes,
            "event": self.event,
            "problem": self.problem,
            "body": None if self.event is not None else self.body,
        }


def decode(queue: str, raw: dict[str, Any]) -> QueueMessage:
    """A received SQS message (as boto3 returns it) decoded into a QueueMessage."""
    body = raw.get("Body", "")
    attributes = {
        name: str(value.get("StringValue", value.get("BinaryValue", "")))
        for name, value in (raw.get("MessageAttributes") or {}).items()
    }
    system = raw.get("Attributes") or {}
    count = system.get("ApproximateReceiveCount")
    sent = system.get("SentTimestamp")
    sns_message_id = None
    event: dict[str, Any] | None = None
    problem = None
    try:
        envelope = json.loads(body)
        if isinstance(envelope, dict) and envelope.get("Type") == "Notification":
            sns_message_id = envelope.get("MessageId")
        event, notification_attributes = unwrap_notification(body)
        attributes = {**attributes, **notification_attributes}
    except ValueError as error:
        problem = f"the body is not JSON: {error}"
    except TidingsError as error:
        problem = str(error).splitlines()[0]
    return QueueMessage(
        queue,
        raw.get("MessageId", ""),
        raw.get("ReceiptHandle", ""),
        body,
        int(count) if count is not None else None,
        datetime.fromtimestamp(int(sent) / 1000, UTC) if sent else None,
        attributes,
        event,
        sns_message_id,
        problem,
    )


@dataclass(frozen=True)
class RedriveResult:
    moved: int
    source: str
    destination: str
    method: str  # "StartMessageMoveTask" or "receive-send-delete"


class QueueTools:
    """Queue operations by queue name (or URL) on one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sqs = engine.client("sqs")
        self._urls: dict[str, str] = {}

    def url(self, queue: str) -> str:
        """The URL of `queue` (a name or already a URL); EngineError naming the closest queues if there is none."""
        if queue.startswith(("http://", "https://")):
            check_queue_target(self.engine, queue)  # the engine's endpoint gets the call, whatever host it names
            return queue
        if queue not in self._urls:
            try:
                self._urls[queue] = self.sqs.get_queue_url(QueueName=queue)["QueueUrl"]
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") not in _MISSING_QUEUE_CODES:
                    raise _refused("GetQueueUrl", queue, error) from None
                names = [u.rsplit("/", 1)[-1] for u in self.sqs.list_queues().get("QueueUrls", [])]
                near = closest(queue, names)
                hint = f"did you mean {', '.join(near)}?" if near else "create it with `tidings topology apply`"
                raise EngineError(f"no queue named {queue!r} on the {self.engine.description}", hint=hint) from None
            except BotoCoreError as error:
                raise EngineError(f"cannot reach the {self.engine.description}: {error}", hint=START_HINT) from None
        return self._urls[queue]

    def _receive(self, queue: str, *, limit: int = 10, wait: int = 0, visibility: int | None = None) -> list[Any]:
        kwargs: dict[str, Any] = {
            "QueueUrl": self.url(queue),
            "MaxNumberOfMessages": max(1, min(limit, 10)),
            "WaitTimeSeconds": wait,
            "MessageAttributeNames": ["All"],
            "MessageSystemAttributeNames": ["All"],
        }
        if visibility is not None:
            kwargs["VisibilityTimeout"] = visibility
        return list(_call(self.sqs.receive_message, "ReceiveMessage", queue, **kwargs).get("Messages", []))

    def _delete(self, queue: str, messages: list[Any]) -> None:
        if messages:
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
            _call(self.sqs.delete_message_batch, "DeleteMessageBatch", queue, QueueUrl=self.url(queue), Entries=entries)

    def peek(self, queue: str, limit: int = 10) -> list[QueueMessage]:
        """Up to `limit` messages, left in the queue and not received: no visibility change, no receive counted
        towards maxReceiveCount (engine.peek; refused on AWS, where only a receive can look)."""
        url = "" if self.engine.kind == "aws" else self.url(queue)  # refused on AWS before any call
        return [decode(queue, raw) for raw in peek_messages(self.engine, queue, url, limit)]

    def receive(self, queue: str, limit: int = 10, *, wait: int = 0, delete: bool = True) -> list[QueueMessage]:
        """Receive up to `limit` messages (one ReceiveMessage per 10) and delete them unless `delete=False`."""
        received: list[QueueMessage] = []
        while len(received) < limit:
            batch = self._receive(queue, limit=limit - len(received), wait=wait)
            if not batch:
                break
            if delete:
                self._delete(queue, batch)
            received.extend(decode(queue, raw) for raw in batch)
        return received

    def drain(self, queue: str, limit: int | None = None) -> list[QueueMessage]:
        """Receive and delete until the queue answers empty (or `limit` messages)."""
        return self.receive(queue, limit if limit is not None else 1_000_000)

    def tail(self, queue: str, *, keep: bool = False, wait: int = 10) -> Iterator[QueueMessage]:
        """Follow new messages (long polling) until the caller stops; each is deleted unless `keep`, in which case
        it reappears after the visibility timeout (and is not yielded twice)."""
        seen: set[str] = set()
        while True:
            batch = self._receive(queue, wait=wait)
            if not keep:
                self._delete(queue, batch)
            for raw in batch:
                if raw["MessageId"] not in seen:
                    if keep:
                        seen.add(raw["MessageId"])
                    yield decode(queue, raw)

    def purge(self, queue: str, *, allow_remote: bool = False) -> None:
        """Delete every message in `queue` (refused on a non-loopback engine without `allow_remote`)."""
        require_loopback(self.engine, f"purge {queue}", allow_remote=allow_remote)
        _call(self.sqs.purge_queue, "PurgeQueue", queue, QueueUrl=self.url(queue))

    def depth(self, queue: str) -> dict[str, int]:
        """Visible, in-flight and delayed message counts."""
        names = [
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ]
        found = _call(
            self.sqs.get_queue_attributes, "GetQueueAttributes", queue, QueueUrl=self.url(queue), AttributeNames=names
        )
        attributes = found.get("Attributes", {})
        return {
            "visible": int(attributes.get(names[0], 0)),
            "in_flight": int(attributes.get(names[1], 0)),
            "delayed": int(attributes.get(names[2], 0)),
        }

    def dead_letter_queue(self, queue: str) -> str:
        """The name of `queue`'s dead-letter queue (from its redrive policy); EngineError if it has none."""
        found = _call(
            self.sqs.get_queue_attributes,
            "GetQueueAttributes",
            queue,
            QueueUrl=self.url(queue),
            AttributeNames=["RedrivePolicy"],
        ).get("Attributes", {})
        if not found.get("RedrivePolicy"):
            raise EngineError(
                f"queue {queue!r} has no dead-letter queue (no redrive policy)",
                hint="declare one under dead_letter: in the topology and run `tidings topology apply`",
            )
        return str(json.loads(found["RedrivePolicy"])["deadLetterTargetArn"]).rsplit(":", 1)[-1]

    def dlq(self, queue: str, limit: int = 10) -> list[QueueMessage]:
        """Peek `queue`'s dead-letter queue."""
        return self.peek(self.dead_letter_queue(queue), limit)

    def redrive(self, queue: str, *, allow_remote: bool = False, timeout: float = 30.0) -> RedriveResult:
        """Move the messages of `queue`'s dead-letter queue back to `queue`: StartMessageMoveTask where the engine
        has it, else receive, send and delete (body and message attributes kept)."""
        require_loopback(self.engine, f"redrive {queue}", allow_remote=allow_remote)
        dlq = self.dead_letter_queue(queue)
        source_arn, destination_arn = self._arn(dlq), self._arn(queue)
        sqs = self.engine.client("sqs", retries=False)
        try:
            task = sqs.start_message_move_task(SourceArn=source_arn, DestinationArn=destination_arn)
        except ClientError as error:
            if not _unsupported(error):
                raise _refused("StartMessageMoveTask", dlq, error) from None
            return RedriveResult(self._move_by_hand(dlq, queue), dlq, queue, "receive-send-delete")
        moved = self._wait_for_move(sqs, source_arn, task.get("TaskHandle"), timeout)
        return RedriveResult(moved, dlq, queue, "StartMessageMoveTask")

    def _arn(self, queue: str) -> str:
        found = _call(
            self.sqs.get_queue_attributes,
            "GetQueueAttributes",
            queue,
            QueueUrl=self.url(queue),
            AttributeNames=["QueueArn"],
        )
        return str(found["Attributes"]["QueueArn"])

    def _wait_for_move(self, sqs: Any, source_arn: str, handle: str | None, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while True:
            tasks = sqs.list_message_move_tasks(SourceArn=source_arn, MaxResults=10).get("Results", [])
            task = next(
                (t for t in tasks if handle is None or t.get("TaskHandle") == handle), tasks[0] if tasks else {}
            )
            status = task.get("Status")
            if status in ("COMPLETED", "FAILED", "CANCELLED"):
                if status != "COMPLETED":
                    raise EngineError(
                        f"the move task from {source_arn} ended {status}: {task.get('FailureReason', '')}"
                    )
                return int(task.get("ApproximateNumberOfMessagesMoved", 0))
            if time.monotonic() > deadline:
                raise EngineError(f"the move task from {source_arn} did not finish in {timeout:g} s (status {status})")
            time.sleep(0.2)

    def _move_by_hand(self, source: str, destination: str) -> int:
        moved = 0
        while True:
            batch = self._receive(source, visibility=30)
            if not batch:
                return moved
            entries = [
                {
                    "Id": str(i),
                    "MessageBody": m["Body"],
                    **({"MessageAttributes": m["MessageAttributes"]} if m.get("MessageAttributes") else {}),
                }
                for i, m in enumerate(batch)
            ]
            sent = _call(
                self.sqs.send_message_batch,
                "SendMessageBatch",
                destination,
                QueueUrl=self.url(destination),
                Entries=entries,
            )
            if sent.get("Failed"):
                failure = sent["Failed"][0]
                raise EngineError(
                    f"redrive could not send to {destination}: {failure.get('Code')}: {failure.get('Message')}"
                )
            self._delete(source, batch)  # only once sent: a failure leaves the message in the DLQ
            moved += len(batch)


def _unsupported(error: ClientError) -> bool:
    answer = error.response.get("Error", {})
    code, message = str(answer.get("Code", "")), str(answer.get("Message", "")).lower()
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return (
        code
        in ("InvalidAction", "UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", "NotImplemented")
        or status == 501
        or any(phrase in message for phrase in _NOT_SUPPORTED)
    )


def _call(method: Any, operation: str, queue: str, **kwargs: Any) -> Any:
    try:
        return method(**kwargs)
    except ClientError as error:
        raise _refused(operation, queue, error) from None
    except BotoCoreError as error:
        raise EngineError(f"{operation} {queue} failed: {error}", hint=START_HINT) from None


def _refused(operation: str, queue: str, error: ClientError) -> EngineError:
    answer = error.response.get("Error", {})
    return EngineError(f"the engine refused {operation} {queue}: {answer.get('Code')}: {answer.get('Message')}")
